"""The handoff record as JSON (schema version 1, documented in the README), and as a Bot
Framework ``handoff.initiate`` event activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automations.escalation.handoff import HandoffRecord, Trigger
from automations.escalation.signals import Turn


def _when(at: datetime) -> str:
    return at.isoformat()


def _trigger(t: Trigger) -> dict[str, Any]:
    return {
        "kind": t.kind,
        "score": t.score,
        "detail": t.detail,
        "evidence": [
            {"message_ids": list(e.message_ids), "matched": e.matched, "detail": e.detail}
            for e in t.evidence
        ],
    }


def _quote(q: Any) -> dict[str, Any] | None:
    if q is None:
        return None
    return {"message_id": q.message_id, "text": q.text, "at": _when(q.at)}


def _plain(value: object) -> object:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def record_to_dict(record: HandoffRecord, now: datetime | None = None) -> dict[str, Any]:
    """Plain JSON-ready data; ``waiting_seconds`` is computed at ``now`` when given."""
    s, b, p, m, g = (
        record.summary,
        record.bot_tried,
        record.profile,
        record.sentiment,
        record.suggested,
    )
    return {
        "schema_version": record.schema_version,
        "conversation_id": record.conversation_id,
        "status": record.status,
        "status_at": _when(record.status_at),
        "initiated_at": _when(record.initiated_at),
        "waiting_since": _when(record.waiting_since),
        "waiting_seconds": None if now is None else round(record.waiting_seconds(now), 1),
        "triggers": [_trigger(t) for t in record.triggers],
        "summary": {
            "first_message": _quote(s.first_message),
            "last_question": _quote(s.last_question),
            "entities": [
                {"kind": e.kind, "value": e.value, "source": e.source} for e in s.entities
            ],
        },
        "bot_tried": {
            "answers": list(b.answers),
            "articles": list(b.articles),
            "surveys": [
                {"survey": a.survey, "question": a.question, "answer": a.answer} for a in b.surveys
            ],
            "buttons": list(b.buttons),
            "negative_feedback": list(b.negative_feedback),
        },
        "profile": {
            "name": p.name,
            "language": p.language,
            "tier": p.tier,
            "fields": {k: _plain(v) for k, v in p.fields.items()},
            "identities": [
                {"channel": i.channel, "inbox": i.inbox, "source_id": i.source_id}
                for i in p.identities
            ],
            "past_conversations": {"count": p.past.count, "outcomes": dict(p.past.outcomes)},
        },
        "sentiment": {
            "per_turn": list(m.per_turn),
            "mean": m.mean,
            "last": m.last,
            "label": m.label,
        },
        "suggested": {"team": g.team, "topic": g.topic, "priority": g.priority},
        "dialogflow": None if record.dialogflow is None else dict(record.dialogflow),
    }


def activity(record: HandoffRecord, transcript: tuple[Turn, ...] = ()) -> dict[str, Any]:
    """Bot Framework's ``handoff.initiate`` event: the record as ``value``, the transcript
    as an attachment named ``Transcript`` (the shape its handoff libraries expect)."""
    return {
        "type": "event",
        "name": "handoff.initiate",
        "conversation": {"id": record.conversation_id},
        "value": record_to_dict(record),
        "attachments": [
            {
                "contentType": "application/json",
                "name": "Transcript",
                "content": [
                    {
                        "type": "message",
                        "id": t.id,
                        "from": {"role": "user" if t.sender == "customer" else t.sender},
                        "text": t.text[:4000],
                        "timestamp": _when(t.at),
                    }
                    for t in transcript
                ],
            }
        ],
    }


def status_event(record: HandoffRecord) -> dict[str, Any]:
    """Bot Framework's ``handoff.status`` event. Its states are accepted, failed and
    completed; ours add initiated (no event yet) and returned_to_bot (completed, said so)."""
    state = "completed" if record.status == "returned_to_bot" else record.status
    return {
        "type": "event",
        "name": "handoff.status",
        "conversation": {"id": record.conversation_id},
        "value": {"state": state, "message": record.status},
    }
