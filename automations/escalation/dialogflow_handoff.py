"""Dialogflow CX's ``liveAgentHandoff`` response message, mapped into our handoff record.

A CX agent ends a flow with a ``liveAgentHandoff`` message whose ``metadata`` is free JSON
the bot designer writes. We read the keys designers commonly use for the reason, the queue
and the priority, and keep the whole metadata verbatim in the record, so nothing the flow
said is lost even when its keys are its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from config.rules import Priority

_REASON = ("reason", "handoff_reason", "escalation_reason", "summary", "message")
_TEAM = ("team", "queue", "department", "skill", "group")
_TOPIC = ("topic", "category", "intent")
_PRIORITY = ("priority", "urgency")
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class DialogflowHandoff:
    reason: str
    team: str | None
    topic: str | None
    priority: Priority | None
    metadata: Mapping[str, Any] = field(default_factory=dict)


def _first(metadata: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = metadata.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()[:500]
    return None


def live_agent_handoff(response_messages: Any) -> Mapping[str, Any] | None:
    """The ``metadata`` of the first ``liveAgentHandoff`` in CX ``responseMessages``
    (JSON as the REST API returns it); None when the flow did not ask for a person."""
    if not isinstance(response_messages, list):
        return None
    for message in response_messages:
        if isinstance(message, Mapping) and "liveAgentHandoff" in message:
            handoff = message["liveAgentHandoff"]
            metadata = handoff.get("metadata") if isinstance(handoff, Mapping) else None
            return metadata if isinstance(metadata, Mapping) else {}
    return None


def from_metadata(metadata: Mapping[str, Any]) -> DialogflowHandoff:
    priority = (_first(metadata, _PRIORITY) or "").lower()
    return DialogflowHandoff(
        reason=_first(metadata, _REASON) or "Dialogflow CX asked for a live agent",
        team=_first(metadata, _TEAM),
        topic=_first(metadata, _TOPIC),
        priority=next((p for p in PRIORITIES if p == priority), None),
        metadata=dict(metadata),
    )
