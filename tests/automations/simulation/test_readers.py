"""History readers: the plain JSONL, the hub superset, Chatwoot's API JSON; bad input is
counted with line numbers, never raised."""

from __future__ import annotations

import json
from pathlib import Path

from automations.simulation import read_chatwoot, read_jsonl

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "simulation" / "chatwoot.json"


def _line(**raw: object) -> str:
    return json.dumps(raw)


def test_plain_lines_and_each_kind_of_bad_line() -> None:
    good = {"role": "customer", "text": "hi", "ts": "2025-03-03T09:00:00Z"}
    history = read_jsonl(
        [
            _line(id="1", channel="webchat", contact={"plan": "pro"}, messages=[good]),
            "{not json",
            "",
            _line(id="2", channel="webchat", messages=[{"role": "customer", "text": "x"}]),
            _line(id="3", channel="fax", messages=[good]),
            _line(
                id="4",
                channel="telegram",
                messages=[good, {"role": "customer", "text": "y", "ts": "2025-03-03T08:00:00Z"}],
            ),
            _line(id="5", channel="webchat", messages=[{**good, "ts": "2025-03-03T09:00:00"}]),
            _line(id="1", channel="webchat", messages=[good]),
            "[1, 2]",
        ]
    )
    assert [c.id for c in history.conversations] == ["1"]
    assert history.conversations[0].contact.fields == {"plan": "pro"}
    assert [p.line for p in history.problems] == [2, 4, 5, 6, 7, 8, 9]
    assert "timestamp" in history.problems[1].reason
    assert "unknown channel 'fax'" in history.problems[2].reason
    assert "out of order" in history.problems[3].reason
    assert "no time zone" in history.problems[4].reason
    assert history.problems[5].reason == "duplicate conversation id"
    assert history.problems[6].reason == "a line must be one JSON object"


def test_the_hub_export_superset() -> None:
    raw = {
        "id": 7,
        "channel": "whatsapp_cloud",
        "inbox": "whatsapp",
        "contact": {"id": "c-9", "name": "Ana", "tier": "vip", "fields": {"plan": "pro"}},
        "messages": [
            {"role": "customer", "text": "Hola", "ts": 1741000000},
            {"role": "bot", "text": "¿Idioma?", "ts": 1741000001},
            {"role": "customer", "button": "choice:es", "ts": 1741000005},
        ],
        "happened": {"status": "resolved", "reason": None},
    }
    (conversation,) = read_jsonl([json.dumps(raw)]).conversations
    assert (conversation.id, conversation.inbox, conversation.outcome) == (
        "7",
        "whatsapp",
        "resolved",
    )
    assert (conversation.contact.id, conversation.contact.tier) == ("c-9", "vip")
    assert conversation.contact.fields == {"plan": "pro"}
    assert conversation.messages[2].button == "choice:es"


def test_chatwoot_sample_from_its_api_shape_and_what_was_skipped() -> None:
    history = read_chatwoot(SAMPLE.read_text(encoding="utf-8"))
    ids = [c.id for c in history.conversations]
    assert ids == ["101", "102"]
    first = history.conversations[0]
    assert first.channel == "webchat"
    assert first.contact.email == "ana@example.com"
    assert [m.role for m in first.messages] == ["customer", "bot", "customer", "agent"]
    assert first.messages[2].button == "pricing"  # an input_select answered
    assert [p.reason for p in history.problems] == ["unknown channel 'Channel::Email'"]
    assert history.skipped == {
        "CSAT survey message": 1,
        "activity message": 1,
        "attachment-only message": 1,
        "private note": 1,
    }


def test_chatwoot_garbage_is_a_problem_not_a_crash() -> None:
    assert read_chatwoot('{"hello": 1}').problems[0].line == 1
    lines = read_chatwoot('{"id": 1}\nnot json\n')
    assert [p.line for p in lines.problems] == [1, 2]
