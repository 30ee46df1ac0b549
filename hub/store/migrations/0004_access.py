from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('hub', '0003_inbox_sessions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Agent',
            name='disabled_at',
            field=fields.DatetimeField(null=True, description="set by ``hub agents disable``: none of the agent's tokens (or sessions) work from then", auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='expires_at',
            field=fields.DatetimeField(null=True, description='none: never expires (``HUB_TOKEN_TTL_DAYS`` sets it for tokens created from then)', auto_now=False, auto_now_add=False),
        ),
    ]
