"""The whole replay: every conversation of a history through one config (and, with a
baseline, through a second), into one :class:`Report`.

``progress`` is called after each conversation (the CLI draws its bar with it); it is the
only thing here that may touch the outside world, and only if the caller makes it so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from automations.conversation import Brain
from automations.routing import Roster
from automations.simulation.diff import compare
from automations.simulation.history import History, HistoryConversation
from automations.simulation.memo import remembering
from automations.simulation.replay import Replayed, Settings, replay
from automations.simulation.report import Report, build_report

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Target:
    """One config as the simulator runs it. ``brain`` is used as given; :func:`target`
    builds one whose NLU remembers texts it already classified (``memo``)."""

    brain: Brain
    settings: Settings

    @property
    def roster(self) -> Roster:
        config = self.brain.config
        return Roster.from_config(config.automation.teams, config.hub.timezone)


def target(brain: Brain, settings: Settings, *, memo: bool = True) -> Target:
    return Target(remembering(brain) if memo else brain, settings)


def since(history: History, window: timedelta | None, end: datetime | None = None) -> History:
    """Only the conversations that started within ``window`` before the history's last one
    (``--since 30d``): relative to the data, not to today, so a replay stays reproducible."""
    if window is None or not history.conversations:
        return history
    last = end or max(c.started_at for c in history.conversations)
    kept = tuple(c for c in history.conversations if c.started_at >= last - window)
    return History(kept, history.problems, history.skipped)


def replay_all(
    conversations: Sequence[HistoryConversation], target: Target, progress: Progress | None = None
) -> list[Replayed]:
    found = []
    for number, conversation in enumerate(conversations, start=1):
        found.append(replay(conversation, number, target.brain, target.settings))
        if progress is not None:
            progress(1)
    return found


def simulate(
    history: History,
    target: Target,
    *,
    baseline: Target | None = None,
    progress: Progress | None = None,
    gaps: bool = True,
) -> tuple[Report, list[Replayed]]:
    current = replay_all(history.conversations, target, progress)
    diff = None
    if baseline is not None:
        diff = compare(replay_all(history.conversations, baseline, progress), current)
    config = target.brain.config
    report = build_report(
        current, history, target.roster, config.hub.timezone, diff=diff, gaps=gaps
    )
    return report, current


__all__ = ["Progress", "Target", "replay_all", "simulate", "since", "target"]
