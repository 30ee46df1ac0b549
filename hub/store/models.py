"""The domain model (DESIGN.md): tortoise-orm tables shared by SQLite and PostgreSQL.

Rules, surveys, intents, snippets, teams and hours live in config files, not here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class ConversationStatus(StrEnum):
    BOT = "bot"  #: automations handle it
    QUEUED = "queued"  #: escalated, waiting for an agent
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class SenderKind(StrEnum):
    CONTACT = "contact"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class EventStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class EventNote(StrEnum):
    """Notes in an event's ``error`` that code acts on (every other note is for people)."""

    #: a receipt that arrived before (or without) the send that made its message id: it is
    #: ignored for now, and the send job replays it once it records that id
    NO_MESSAGE_YET = "no outbound message with this provider id (yet)"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class AgentRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Inbox(Model):
    """One connected account, mirroring an entry of hub.yaml (credentials stay in env vars)."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=32)
    name = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inbox"


class Contact(Model):
    """One person across channels."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, null=True)
    email = fields.CharField(max_length=254, null=True, db_index=True)
    phone = fields.CharField(max_length=32, null=True, db_index=True)  # E.164
    language = fields.CharField(max_length=16, null=True)
    custom_fields: dict[str, Any] = fields.JSONField(default=dict)
    #: profile fields an agent set by hand, which provider profiles never overwrite
    locked_fields: list[str] = fields.JSONField(default=list)
    tier = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contact"


class ContactIdentity(Model):
    """(inbox, source_id) -> contact: the customer's address on one inbox."""

    id = fields.IntField(primary_key=True)
    inbox: fields.ForeignKeyRelation[Inbox] = fields.ForeignKeyField(
        "hub.Inbox", related_name="identities", on_delete=fields.CASCADE
    )
    source_id = fields.CharField(max_length=255)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "hub.Contact", related_name="identities", on_delete=fields.CASCADE
    )
    reachable = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    inbox_id: int
    contact_id: int

    class Meta:
        table = "contact_identity"
        unique_together = (("inbox_id", "source_id"),)


class Agent(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(AgentRole, default=AgentRole.AGENT, max_length=16)
    password_hash = fields.CharField(max_length=255, null=True)
    languages: list[str] = fields.JSONField(default=list)
    topics: list[str] = fields.JSONField(default=list)
    capacity = fields.IntField(default=5)
    available = fields.BooleanField(default=True)
    #: set by ``hub agents disable``: none of the agent's tokens (or sessions) work from then
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agent"


class ApiToken(Model):
    """Agent API token (only its SHA-256 is stored)."""

    id = fields.IntField(primary_key=True)
    agent: fields.ForeignKeyRelation[Agent] = fields.ForeignKeyField(
        "hub.Agent", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    #: none: never expires (``HUB_TOKEN_TTL_DAYS`` sets it for tokens created from then)
    expires_at = fields.DatetimeField(null=True)

    agent_id: int

    class Meta:
        table = "api_token"


class Conversation(Model):
    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "hub.Contact", related_name="conversations", on_delete=fields.CASCADE
    )
    inbox: fields.ForeignKeyRelation[Inbox] = fields.ForeignKeyField(
        "hub.Inbox", related_name="conversations", on_delete=fields.CASCADE
    )
    identity: fields.ForeignKeyRelation[ContactIdentity] = fields.ForeignKeyField(
        "hub.ContactIdentity", related_name="conversations", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(
        ConversationStatus, default=ConversationStatus.BOT, max_length=16, db_index=True
    )
    team = fields.CharField(max_length=64, null=True)
    assignee: fields.ForeignKeyNullableRelation[Agent] = fields.ForeignKeyField(
        "hub.Agent", related_name="conversations", null=True, on_delete=fields.SET_NULL
    )
    priority = fields.IntField(default=0)
    language = fields.CharField(max_length=16, null=True)
    topic = fields.CharField(max_length=64, null=True)
    labels: list[str] = fields.JSONField(default=list)
    handoff: dict[str, Any] | None = fields.JSONField(null=True)
    bot_state: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)
    last_customer_message_at = fields.DatetimeField(null=True)
    first_response_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)
    assigned_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    sla_due_at = fields.DatetimeField(null=True)

    contact_id: int
    inbox_id: int
    identity_id: int
    assignee_id: int | None

    class Meta:
        table = "conversation"


class Message(Model):
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "hub.Conversation", related_name="messages", on_delete=fields.CASCADE
    )
    inbox: fields.ForeignKeyRelation[Inbox] = fields.ForeignKeyField(
        "hub.Inbox", related_name="messages", on_delete=fields.CASCADE
    )
    direction = fields.CharEnumField(Direction, max_length=8)
    sender_kind = fields.CharEnumField(SenderKind, max_length=16)
    agent: fields.ForeignKeyNullableRelation[Agent] = fields.ForeignKeyField(
        "hub.Agent", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    text = fields.TextField(null=True)
    content_type = fields.CharField(max_length=32, default="text")
    attachments: list[dict[str, Any]] = fields.JSONField(default=list)
    buttons: list[dict[str, str]] = fields.JSONField(default=list)
    payload = fields.CharField(max_length=255, null=True)
    provider_message_id = fields.CharField(max_length=255, null=True)
    delivery_status = fields.CharField(max_length=16, null=True)
    error = fields.TextField(null=True)
    nlu: dict[str, Any] | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    conversation_id: int
    inbox_id: int
    agent_id: int | None

    class Meta:
        table = "message"
        unique_together = (("inbox_id", "provider_message_id"),)
        indexes = (("conversation_id", "id"),)


class InboundEvent(Model):
    """One provider item as received. The unique key makes redeliveries no-ops."""

    id = fields.UUIDField(primary_key=True)
    inbox: fields.ForeignKeyRelation[Inbox] = fields.ForeignKeyField(
        "hub.Inbox", related_name="events", on_delete=fields.CASCADE
    )
    provider_event_id = fields.CharField(max_length=255)
    order_key = fields.CharField(max_length=255)
    kind = fields.CharField(max_length=16)
    payload = fields.TextField()
    status = fields.CharEnumField(
        EventStatus, default=EventStatus.RECEIVED, max_length=16, db_index=True
    )
    error = fields.TextField(null=True)
    attempts = fields.IntField(default=0)
    received_at = fields.DatetimeField()
    occurred_at = fields.DatetimeField(null=True)
    processed_at = fields.DatetimeField(null=True)

    inbox_id: int

    class Meta:
        table = "inbound_event"
        unique_together = (("inbox_id", "provider_event_id"),)
        indexes = (("inbox_id", "order_key", "status"),)


class Outbox(Model):
    """One outbound send, written in the same transaction as the decision that caused it."""

    id = fields.IntField(primary_key=True)
    inbox: fields.ForeignKeyRelation[Inbox] = fields.ForeignKeyField(
        "hub.Inbox", related_name="outbox", on_delete=fields.CASCADE
    )
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "hub.Message", related_name="sends", null=True, on_delete=fields.CASCADE
    )
    payload = fields.TextField()
    status = fields.CharEnumField(
        OutboxStatus, default=OutboxStatus.QUEUED, max_length=16, db_index=True
    )
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    inbox_id: int
    message_id: int | None

    class Meta:
        table = "outbox"
