"""Tables of the automations: timers that wait, the explanation log, recorded notifications.

Survey progress lives in ``Conversation.bot_state`` (it is read and written with the
conversation in every bot step, so a table of its own would only add a query).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from hub.store.models import Conversation


class ScheduledTimer(Model):
    """A time-based bot event waiting to fire (no customer reply, a survey timeout).

    The table is the schedule and jobs are only the alarm clock: on start and in the sweep
    the hub queues the rows again, so a timer survives a restart or a lost job.
    """

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "hub.Conversation", related_name="timers", on_delete=fields.CASCADE
    )
    #: the engine's key, such as no_reply:600 or survey_timeout:language
    key = fields.CharField(max_length=128)
    kind = fields.CharField(max_length=32)
    #: the event to deliver when due (for no_reply timers)
    event: dict[str, object] | None = fields.JSONField(null=True)
    due_at = fields.DatetimeField(db_index=True)
    #: when the hub started waiting (a customer message after this makes the timer stale)
    scheduled_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    conversation_id: int

    class Meta:
        table = "scheduled_timer"
        unique_together = (("conversation_id", "key"),)


class RuleRun(Model):
    """One bot decision as operators see it: the event, the rules considered with their
    condition results, the actions run and what failed."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "hub.Conversation", related_name="rule_runs", on_delete=fields.CASCADE
    )
    #: rules, survey or timer
    source = fields.CharField(max_length=16)
    event = fields.CharField(max_length=255)
    at = fields.DatetimeField()
    fired: list[str] = fields.JSONField(default=list)
    explanation: dict[str, object] = fields.JSONField(default=dict)
    actions: list[dict[str, object]] = fields.JSONField(default=list)
    failures: list[dict[str, object]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    conversation_id: int

    class Meta:
        table = "rule_run"
        indexes = (("conversation_id", "id"),)


class Notification(Model):
    """A notify action as recorded by the hub (email and Slack delivery come later)."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "hub.Conversation", related_name="notifications", on_delete=fields.CASCADE
    )
    rule = fields.CharField(max_length=128)
    via = fields.CharField(max_length=32)
    recipient = fields.CharField(max_length=254, null=True)
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    conversation_id: int

    class Meta:
        table = "notification"
