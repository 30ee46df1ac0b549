"""Honest wait estimates: when will a person reply to a conversation in the queue?

The estimate is built from what is true now, not a fixed label:

- its position ``k``: the conversations ahead of it that compete for the same agents, each
  weighted by the share of its qualified places that are also this one's; when this one's
  agents have ``F`` free places, only those ahead that could take a free place count (the
  hub drains after every change, so the others are blocked on their topic or channel);
- it is taken at once when ``k < F``; otherwise ``k - F + 1`` places must free up. With the
  busy places' start times and the team's recent handling times, that is the median of
  replayed futures (``freeing.py``); with start times only, each place frees at its start
  plus the median handling time ``H``; with neither, ``S`` places free at ``S / H``.
  Agents whose shift (``agents[].hours``) starts later add their places then;
- the agent's first-reply delay is added, and the total is counted in the team's business
  hours (closed time does not count; a closed team's wait starts at its next opening).

When nobody qualified is online or due, the queue says nothing about the wait, so the
team's configured ``typical_reply`` is used and the estimate says so in ``basis``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from automations.routing.assign import team_chain
from automations.routing.calendar import BusinessCalendar
from automations.routing.freeing import median_time_to_free
from automations.routing.model import AgentState, Request
from automations.routing.queue import queue_key
from automations.routing.roster import Roster

#: used when neither the team nor the caller gives a first-reply delay
DEFAULT_FIRST_REPLY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    wait: timedelta
    reply_by: datetime
    #: conversations ahead that compete for the same agents (weighted by the overlap)
    position: int
    agents_online: int
    free_slots: int
    total_slots: int
    #: the team is open now (else ``opens_at`` says when)
    open_now: bool
    opens_at: datetime | None
    #: how the figure was made, for logs and the promise record
    basis: str


@dataclass(frozen=True, slots=True)
class Capacity:
    """The qualified agents online for a request: how many, free and total places."""

    agents_online: int
    free_slots: int
    total_slots: int
    emails: frozenset[str]
    #: assignment times of the open conversations of these agents (when known)
    busy_since: tuple[datetime, ...] = ()
    #: (shift start, places) of qualified agents offline now whose shift starts later
    upcoming: tuple[tuple[datetime, int], ...] = ()


def capacity_for(
    request: Request, agents: Mapping[str, AgentState], roster: Roster, now: datetime
) -> Capacity:
    home = roster.team_for(request)
    if home is None:
        return Capacity(0, 0, 0, frozenset())
    online = free = total = 0
    seen: set[str] = set()
    busy: list[datetime] = []
    upcoming: list[tuple[datetime, int]] = []
    for team in team_chain(home, roster):
        for profile in roster.qualified(team, request):
            if profile.email in seen:
                continue
            seen.add(profile.email)
            state = agents.get(profile.email)
            if state is None or state.presence != "online":
                shift = profile.shift
                if shift is not None and not shift.is_open(now):
                    upcoming.append((shift.next_opening(now), profile.capacity))
                continue
            online += 1
            free += profile.room(state, request.channel)
            total += profile.capacity
            busy += state.open_since
    return Capacity(online, free, total, frozenset(seen), tuple(busy), tuple(upcoming))


def estimate_wait(
    *,
    now: datetime,
    position: int,
    capacity: Capacity,
    handling_time: timedelta,
    first_reply: timedelta = DEFAULT_FIRST_REPLY,
    calendar: BusinessCalendar | None = None,
    fallback: timedelta | None = None,
    handling_times: Sequence[timedelta] = (),
) -> WaitEstimate:
    """The wait of the conversation at ``position`` (see the module's docstring).

    Given the team's recent ``handling_times`` and the busy places' start times, the time
    for places to free is the median of replayed futures (``freeing.py``)."""
    open_now = calendar is None or calendar.is_open(now)
    opens_at = None if open_now or calendar is None else calendar.next_opening(now)
    staffed = capacity.total_slots > 0 or bool(capacity.upcoming)
    if not open_now or not staffed:
        business = fallback if fallback is not None else handling_time
        basis = (
            "after hours: team's typical reply time from opening"
            if not open_now
            else ("no qualified agent online: team's typical reply time")
        )
    elif position < capacity.free_slots:
        business = first_reply
        basis = f"an agent has room ({capacity.free_slots} free places): first-reply delay"
    else:
        needed = position - capacity.free_slots + 1
        if handling_times and (capacity.busy_since or capacity.upcoming):
            freed = median_time_to_free(
                needed,
                [now - since for since in capacity.busy_since],
                handling_times,
                later=[start - now for start, places in capacity.upcoming for _ in range(places)],
            )
        else:
            freed = _until_freed(needed, capacity, handling_time, now)
        business = freed + first_reply
        basis = (
            f"{needed} place(s) to free among {capacity.total_slots} "
            f"({capacity.agents_online} agents online), median handling {_minutes(handling_time)}"
        )
    reply_by = calendar.add(now, business) if calendar is not None else now + business
    return WaitEstimate(
        wait=reply_by - now,
        reply_by=reply_by,
        position=position,
        agents_online=capacity.agents_online,
        free_slots=capacity.free_slots,
        total_slots=capacity.total_slots,
        open_now=open_now,
        opens_at=opens_at,
        basis=basis,
    )


def estimate_for(
    request: Request,
    queue: Iterable[Request],
    agents: Mapping[str, AgentState],
    roster: Roster,
    now: datetime,
    *,
    handling_time: timedelta | None = None,
    first_reply: timedelta = DEFAULT_FIRST_REPLY,
    handling_times: Sequence[timedelta] = (),
) -> WaitEstimate:
    """The estimate for ``request`` given the whole queue and the agents now.

    ``handling_time`` is the team's measured median (the configured ``wait.handling_time``
    when not given). Conversations ahead count when they compete for at least one of the
    same agents, each in proportion to the share of its qualified places that are also
    this conversation's (an English billing question ahead that French agents may also take
    counts for less than one).
    """
    capacity = capacity_for(request, agents, roster, now)
    key = queue_key(request)
    ahead = 0.0
    contending = 0  # ahead and able to take one of the free places now
    for other in queue:
        if other.conversation_id == request.conversation_id or queue_key(other) >= key:
            continue
        theirs = capacity_for(other, agents, roster, now)
        shared = theirs.emails & capacity.emails
        if shared:
            # a competitor qualified for other agents too takes one of ours only in part
            ahead += _slots(shared, roster) / _slots(theirs.emails, roster)
            contending += theirs.free_slots > 0
    # a conversation ahead that cannot use any free place (the hub drains after every
    # change, so that is all of them) does not stand between this one and a free place
    position = contending if capacity.free_slots > contending else round(ahead)
    team = roster.team_for(request)
    return estimate_wait(
        now=now,
        position=position,
        capacity=capacity,
        handling_time=handling_time or roster.handling_time,
        first_reply=first_reply,
        calendar=team.calendar if team is not None else None,
        fallback=team.typical_reply if team is not None else None,
        handling_times=handling_times,
    )


def _until_freed(
    needed: int, capacity: Capacity, handling_time: timedelta, now: datetime
) -> timedelta:
    """Time until ``needed`` places free up. With the busy places' start times, each is
    expected to free at its start plus ``handling_time`` (an overdue one soon: a tenth of
    it), agents whose shift starts later add their places then, and later rounds take
    ``handling_time`` each; without start times, ``S`` places free at ``S / handling_time``."""
    if not capacity.busy_since and capacity.total_slots > 0:
        return handling_time * needed / capacity.total_slots
    floor = handling_time / 10
    remaining = [max(handling_time - (now - since), floor) for since in capacity.busy_since]
    for starts, places in capacity.upcoming:  # a shift starting adds empty places
        remaining += [starts - now] * places
    remaining.sort()
    rounds, index = divmod(needed - 1, len(remaining))
    return remaining[index] + handling_time * rounds


def _slots(emails: frozenset[str], roster: Roster) -> int:
    return sum(roster.agents[e].capacity for e in emails) or 1


def correction_due(promised_by: datetime, estimate: WaitEstimate, margin: timedelta) -> bool:
    """Whether the customer must be told a new time: the estimate slipped past the
    promise by more than ``margin`` (an earlier reply needs no apology)."""
    return estimate.reply_by - promised_by > margin


def _minutes(amount: timedelta) -> str:
    return f"{round(amount.total_seconds() / 60)} min"
