"""The notice ladder: assignee, team, @here, manager after their delays; once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from automations.routing import Roster
from automations.routing.ladder import Rung, due_rungs, next_rung_at
from config.loader import load_config

from .conftest import DEMO

RAISED = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)


def test_the_demo_ladder_climbs_after_its_delays() -> None:
    config = load_config(DEMO)
    notices = config.automation.teams.notices
    team = Roster.from_config(config.automation.teams, "UTC").teams["english"]

    def at(minutes: float, sent: frozenset[int] = frozenset()) -> tuple[Rung, ...]:
        return due_rungs(
            notices,
            team,
            raised_at=RAISED,
            now=RAISED + timedelta(minutes=minutes),
            sent=sent,
            assignee="alice@demo.example",
        )

    assert at(0) == (Rung(0, "assignee", None, "alice@demo.example", False),)
    assert at(4.9, frozenset({0})) == ()
    assert at(5, frozenset({0})) == (Rung(1, "team", "support_slack", None, False),)
    assert at(10, frozenset({0, 1})) == (Rung(2, "here", "support_slack", None, True),)
    assert at(20, frozenset({0, 1, 2})) == (
        Rung(3, "manager", "managers", "manager@demo.example", False),
    )
    # a timer that fires late sends every rung due, once
    assert [r.index for r in at(30)] == [0, 1, 2, 3]
    assert at(30, frozenset({0, 1, 2, 3})) == ()
    assert next_rung_at(
        notices, raised_at=RAISED, now=RAISED + timedelta(minutes=6), sent=frozenset({0, 1})
    ) == (RAISED + timedelta(minutes=10))
    # acknowledged: no further climb
    assert (
        due_rungs(
            notices, team, raised_at=RAISED, now=RAISED + timedelta(hours=1), acknowledged=True
        )
        == ()
    )
    # nobody assigned yet: the assignee rung is skipped
    assert [r.notify for r in due_rungs(notices, team, raised_at=RAISED, now=RAISED)] == []
