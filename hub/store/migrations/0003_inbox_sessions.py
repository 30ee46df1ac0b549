from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('hub', '0002_automations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgentSession',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, description="SHA-256 (hex) of the cookie's token", max_length=64)),
                ('agent', fields.ForeignKeyField('hub.Agent', source_field='agent_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('csrf_token', fields.CharField(description='the synchronizer token every state-changing request of this session must echo', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agent_session', 'app': 'hub', 'pk_attr': 'id', 'table_description': 'One browser signed in as an agent, until ``expires_at`` or sign-out.'},
            bases=['Model'],
        ),
    ]
