"""Tables of the agent inbox: signed-in browser sessions.

A session lives in the database, not only in a signed cookie, so signing out (or an
admin disabling an agent later) ends it on every ``hub serve`` process at once; the cookie
carries a random token whose SHA-256 is the row's key, so a copy of the table signs no
one in.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from hub.store.models import Agent


class AgentSession(Model):
    """One browser signed in as an agent, until ``expires_at`` or sign-out."""

    #: SHA-256 (hex) of the cookie's token
    id = fields.CharField(primary_key=True, max_length=64)
    agent: fields.ForeignKeyRelation[Agent] = fields.ForeignKeyField(
        "hub.Agent", related_name="sessions", on_delete=fields.CASCADE
    )
    #: the synchronizer token every state-changing request of this session must echo
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    agent_id: int

    class Meta:
        table = "agent_session"
