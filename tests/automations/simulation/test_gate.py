"""``--fail-if`` expressions: parsed, crossed or not, unknown metrics named."""

from __future__ import annotations

import pytest

from automations.simulation import GateError, crossed, metrics_of, parse_gate

REPORT = {"version": 1, "conversations": 200, "escalation_rate": 0.3, "escalated_by_reason": {}}


def test_a_crossed_gate_and_a_quiet_one() -> None:
    known = metrics_of(REPORT)
    assert "version" not in known
    gates = [parse_gate("escalation_rate>0.25", known), parse_gate("conversations < 10", known)]
    assert crossed(gates, known) == ["escalation_rate=0.3 > 0.25"]
    assert crossed([parse_gate("escalation_rate>=0.31", known)], known) == []


def test_unknown_metric_says_what_it_may_have_meant() -> None:
    with pytest.raises(GateError, match="did you mean 'escalation_rate'"):
        parse_gate("escalaton_rate>0.2", metrics_of(REPORT))


@pytest.mark.parametrize("text", ["escalation_rate", "escalation_rate>>1", "rate > x", ""])
def test_unreadable_gate(text: str) -> None:
    with pytest.raises(GateError, match="METRIC OP NUMBER"):
        parse_gate(text, metrics_of(REPORT))


def test_since_is_relative_to_the_history_not_to_today() -> None:
    from datetime import UTC, datetime, timedelta

    from automations.simulation import History, HistoryConversation, HistoryMessage, since

    def one(ident: str, day: int) -> HistoryConversation:
        at = datetime(2025, 3, day, tzinfo=UTC)
        return HistoryConversation(ident, "webchat", (HistoryMessage("customer", at, "hi"),), 1)

    history = History((one("old", 1), one("mid", 20), one("new", 28)))
    assert [c.id for c in since(history, timedelta(days=10)).conversations] == ["mid", "new"]
    assert since(history, None) is history
