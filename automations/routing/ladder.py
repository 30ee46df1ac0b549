"""The notice ladder as a pure function: which rungs of an unanswered alert are due.

An alert (a handoff waiting, an SLA warning or breach) first notifies the assignee; if
nobody acts on it, it climbs to the team, then ``@here`` in the team's Slack channel, then
the manager, each after its configured delay counted from the alert. The hub records which
rungs it sent (one row per alert and rung, so each fires once even when timers fire twice)
and asks again at :func:`next_rung_at`; an acknowledged alert climbs no further.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from automations.routing.roster import TeamProfile
from config.notices import NoticesDef


@dataclass(frozen=True, slots=True)
class Rung:
    """One notice to send: through which target, to whom, with ``@here`` or not."""

    index: int
    notify: str
    #: notice target name (Slack or email); None for the assignee's in-app notice
    target: str | None
    #: email address for the assignee and manager rungs
    to: str | None
    here: bool


def due_rungs(
    notices: NoticesDef,
    team: TeamProfile | None,
    *,
    raised_at: datetime,
    now: datetime,
    sent: frozenset[int] = frozenset(),
    acknowledged: bool = False,
    assignee: str | None = None,
) -> tuple[Rung, ...]:
    """Rungs whose delay has passed and that were not sent yet (none once acknowledged).

    The team's ``notify`` target carries the ``team`` and ``here`` rungs, its ``manager``
    address the ``manager`` rung, unless a rung names its own ``target``. A rung that has
    nobody to reach (no assignee yet, a team without a target) is skipped, not retried:
    the next rung covers it.
    """
    if acknowledged:
        return ()
    team_target = team.notify if team is not None else None
    manager = team.manager if team is not None else None
    found = []
    for index, step in enumerate(notices.ladder):
        if index in sent or raised_at + step.after > now:
            continue
        target = step.target or (team_target if step.notify in {"team", "here"} else None)
        if step.notify == "assignee":
            if assignee is None:
                continue
            found.append(Rung(index, "assignee", step.target, assignee, False))
        elif step.notify == "manager":
            if manager is None and step.target is None:
                continue
            found.append(Rung(index, "manager", step.target, manager, False))
        elif target is not None:
            found.append(Rung(index, step.notify, target, None, step.notify == "here"))
    return tuple(found)


def next_rung_at(
    notices: NoticesDef, *, raised_at: datetime, now: datetime, sent: frozenset[int] = frozenset()
) -> datetime | None:
    """When the next unsent rung falls due after ``now`` (the hub's next timer)."""
    upcoming = [
        raised_at + step.after
        for index, step in enumerate(notices.ladder)
        if index not in sent and raised_at + step.after > now
    ]
    return min(upcoming, default=None)
