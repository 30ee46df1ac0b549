from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('hub', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('hub.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('rule', fields.CharField(max_length=128)),
                ('via', fields.CharField(max_length=32)),
                ('recipient', fields.CharField(null=True, max_length=254)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'hub', 'pk_attr': 'id', 'table_description': 'A notify action as recorded by the hub (email and Slack delivery come later).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RuleRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('hub.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='rule_runs', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(description='rules, survey or timer', max_length=16)),
                ('event', fields.CharField(max_length=255)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fired', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('explanation', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('actions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('failures', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rule_run', 'app': 'hub', 'indexes': [Index(fields=['conversation_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One bot decision as operators see it: the event, the rules considered with their'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduledTimer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('hub.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='timers', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(description="the engine's key, such as no_reply:600 or survey_timeout:language", max_length=128)),
                ('kind', fields.CharField(max_length=32)),
                ('event', fields.JSONField(null=True, description='the event to deliver when due (for no_reply timers)', encoder=JSON_DUMPS, decoder=loads)),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('scheduled_at', fields.DatetimeField(description='when the hub started waiting (a customer message after this makes the timer stale)', auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scheduled_timer', 'app': 'hub', 'unique_together': (('conversation_id', 'key'),), 'pk_attr': 'id', 'table_description': 'A time-based bot event waiting to fire (no customer reply, a survey timeout).'},
            bases=['Model'],
        ),
    ]
