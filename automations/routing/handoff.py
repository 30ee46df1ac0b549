"""One call for a conversation that needs a person: who takes it or where it waits, what
the customer is told, which SLA clocks run and when the hub must look again.

This is the seam the hub (and the conversation brain) plug into: they pass frozen state
in and apply what comes back in one transaction — the assignment or the queue row, the
message, the SLA due times, one timer at ``wake_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from automations.routing.assign import choose
from automations.routing.eta import DEFAULT_FIRST_REPLY, WaitEstimate, estimate_for
from automations.routing.messages import callback_prompt, promise, wait_message
from automations.routing.model import AgentState, Choice, Queued, Request
from automations.routing.roster import Roster
from automations.routing.sla import SlaClock, clocks, earliest_due, next_wakeup


@dataclass(frozen=True, slots=True)
class Routed:
    choice: Choice
    #: the request as queued (its SLA due time filled in)
    request: Request
    #: what the customer is told now, in their language and time zone
    message: str
    #: after hours: the callback prompt to send after ``message``
    callback: str | None
    #: the promise behind ``message`` (None when assigned at once)
    estimate: WaitEstimate | None
    sla: tuple[SlaClock, ...]
    #: the next instant the hub must act: an SLA warning or breach, or the team's opening
    wake_at: datetime | None


def route_handoff(
    request: Request,
    *,
    queue: Iterable[Request],
    agents: Mapping[str, AgentState],
    roster: Roster,
    now: datetime,
    language: str,
    timezone: str,
    tier: str | None = None,
    handling_times: Sequence[timedelta] = (),
    first_reply: timedelta = DEFAULT_FIRST_REPLY,
) -> Routed:
    """Route a handed-over conversation (``request.waiting_since`` is the handoff time).

    After hours the customer is told the home team's opening, the conservative promise;
    ``wake_at`` is the earliest opening along the overflow chain, when the hub drains again
    and an overflow agent may answer sooner."""
    team = roster.team_for(request)
    started = request.waiting_since or now
    running = (
        clocks(team, roster, priority=request.priority, tier=tier, opened_at=started)
        if team is not None
        else ()
    )
    request = replace(request, sla_due=earliest_due(running), waiting_since=started)
    choice = choose(request, agents, roster, now)
    texts = roster.texts
    if not isinstance(choice, Queued):
        message = promise(now + first_reply, language, timezone, now, texts)
        return Routed(choice, request, message, None, None, running, next_wakeup(running, now))
    waiting = [r for r in queue if r.conversation_id != request.conversation_id]
    estimate = estimate_for(
        request,
        [*waiting, request],
        agents,
        roster,
        now,
        first_reply=first_reply,
        handling_times=handling_times,
    )
    message = wait_message(estimate, language, timezone, now, texts)
    callback = None if estimate.open_now else callback_prompt(language, texts)
    wakes = [t for t in (next_wakeup(running, now), choice.opens_at) if t is not None]
    return Routed(choice, request, message, callback, estimate, running, min(wakes, default=None))
