"""Metric definitions on a hand-computed log: a bot resolution, a transfer, a reopen, an
after-hours handoff, a contact who came back on another channel, one still open, one whose
72 h window has not passed. Every expected figure below is worked out in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from automations.conversation import ReportingEvent
from automations.metrics import (
    Distribution,
    Kind,
    LoggedEvent,
    MetricsError,
    Outcome,
    Where,
    csat,
    escalation_by_reason,
    first_response_times,
    logged,
    outcomes,
    promise_accuracy,
    rates,
    resolution_times_after_escalation,
    rounds,
    sla_breaches,
)
from automations.routing import BusinessCalendar

MON = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday
FRI = datetime(2025, 3, 7, tzinfo=UTC)
NEXT_MON = datetime(2025, 3, 10, tzinfo=UTC)
UNTIL = NEXT_MON + timedelta(hours=12)
#: Monday to Friday 09:00-18:00 UTC
OFFICE = BusinessCalendar("UTC", (((540, 1080),),) * 5 + ((), ()), name="office")


def at(day: datetime, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return day + timedelta(hours=int(hours), minutes=int(minutes))


def ev(kind: Kind, when: datetime, conversation: str, contact: str, **extra: object) -> LoggedEvent:
    return LoggedEvent(kind, when, conversation, contact=contact, **extra)  # type: ignore[arg-type]


K = Kind
LOG = [
    # c1: the bot resolves it and contact A never returns -> bot_resolved
    ev(K.OPENED, at(MON, "10:00"), "c1", "A"),
    ev(K.RESOLVED, at(MON, "10:05"), "c1", "A"),
    # c2: escalated, Alice answers, transferred to Bob who finishes; CSAT 5 for Bob
    ev(K.OPENED, at(MON, "10:00"), "c2", "B"),
    ev(K.ESCALATED, at(MON, "10:02"), "c2", "B", reason="explicit_request", team="support"),
    ev(K.PROMISE, at(MON, "10:02"), "c2", "B", due=at(MON, "10:07")),
    ev(K.ASSIGNED, at(MON, "10:03"), "c2", "B", agent="alice"),
    ev(K.FIRST_REPLY, at(MON, "10:10"), "c2", "B", agent="alice"),
    ev(K.ASSIGNED, at(MON, "10:20"), "c2", "B", agent="bob"),
    ev(K.REPLY, at(MON, "10:25"), "c2", "B", agent="bob"),
    ev(K.RESOLVED, at(MON, "10:40"), "c2", "B"),
    ev(K.CSAT, at(MON, "10:41"), "c2", "B", value=5),
    # c3: the bot "resolves" it, the customer reopens 25 min later, the second round is
    # escalated, Alice answers and gets a CSAT of 2
    ev(K.OPENED, at(MON, "11:00"), "c3", "C"),
    ev(K.RESOLVED, at(MON, "11:05"), "c3", "C"),
    ev(K.REOPENED, at(MON, "11:30"), "c3", "C"),
    ev(K.ESCALATED, at(MON, "11:31"), "c3", "C", reason="faq_not_helpful", team="support"),
    ev(K.PROMISE, at(MON, "11:31"), "c3", "C", due=at(MON, "11:45")),
    ev(K.FIRST_REPLY, at(MON, "11:41"), "c3", "C", agent="alice"),
    ev(K.RESOLVED, at(MON, "12:31"), "c3", "C"),
    ev(K.CSAT, at(MON, "12:35"), "c3", "C", value=2, agent="alice"),
    # c4: escalated after hours on Friday 19:00, promise corrected on Monday, answered
    # 09:30, the first-response SLA (1 business hour from 09:00) breached at 10:00
    ev(K.OPENED, at(FRI, "18:55"), "c4", "D"),
    ev(K.ESCALATED, at(FRI, "19:00"), "c4", "D", reason="vip", team="support"),
    ev(K.PROMISE, at(FRI, "19:00"), "c4", "D", due=at(NEXT_MON, "09:15")),
    ev(K.PROMISE, at(NEXT_MON, "09:10"), "c4", "D", due=at(NEXT_MON, "09:40")),
    ev(K.FIRST_REPLY, at(NEXT_MON, "09:30"), "c4", "D", agent="bob"),
    ev(K.SLA_WARNING, at(NEXT_MON, "09:50"), "c4", "D", reason="first_response"),
    ev(K.SLA_BREACHED, at(NEXT_MON, "10:00"), "c4", "D", reason="resolution"),
    ev(K.RESOLVED, at(NEXT_MON, "10:30"), "c4", "D"),
    # c5 / c6: contact E's webchat conversation resolved, E writes on WhatsApp the next
    # morning (within 72 h): c5 came back; c6 is still open at the end of the log
    ev(K.OPENED, at(MON, "10:00"), "c5", "E", channel="webchat"),
    ev(K.RESOLVED, at(MON, "10:10"), "c5", "E"),
    ev(K.OPENED, at(MON + timedelta(days=1), "09:00"), "c6", "E", channel="whatsapp_cloud"),
    # c7: resolved one hour before the end of the log: too early to call it resolved
    ev(K.OPENED, at(NEXT_MON, "10:50"), "c7", "F"),
    ev(K.RESOLVED, at(NEXT_MON, "11:00"), "c7", "F"),
]


def test_each_round_has_exactly_one_outcome_and_the_shares_sum_to_one() -> None:
    found = outcomes(LOG, until=UNTIL)
    assert found == {
        ("c1", 0): Outcome.BOT_RESOLVED,
        ("c2", 0): Outcome.ESCALATED,
        ("c3", 0): Outcome.CAME_BACK,  # reopened 25 min after "resolution"
        ("c3", 1): Outcome.ESCALATED,
        ("c4", 0): Outcome.ESCALATED,
        ("c5", 0): Outcome.CAME_BACK,  # came back on another channel
        ("c6", 0): Outcome.OPEN,
        ("c7", 0): Outcome.PENDING,
    }
    shares = rates(LOG, until=UNTIL)
    assert shares.rounds == 8
    assert shares.escalation_rate == pytest.approx(3 / 8)
    assert shares.bot_resolution_rate == pytest.approx(1 / 8)
    assert sum(shares.to_dict()["shares"].values()) == pytest.approx(1.0)


def test_a_shorter_window_lets_a_late_return_count_as_resolved() -> None:
    # c5 resolved Monday 10:10, E back Tuesday 09:00 (22 h 50 min later)
    found = outcomes(LOG, until=UNTIL, window=timedelta(hours=12))
    assert found[("c5", 0)] is Outcome.BOT_RESOLVED
    assert found[("c3", 0)] is Outcome.CAME_BACK  # 25 minutes is inside 12 h too


def test_a_transfer_is_one_round_and_a_reopen_is_two() -> None:
    cut = {r.key: r for r in rounds(LOG)}
    assert ("c2", 1) not in cut
    assert cut[("c3", 1)].events[0].kind is Kind.REOPENED


def test_escalation_rate_by_reason() -> None:
    assert escalation_by_reason(LOG) == {"explicit_request": 1, "faq_not_helpful": 1, "vip": 1}


def test_first_response_from_the_handoff_wall_clock_and_business_time() -> None:
    # wall: 8 min (c2), 10 min (c3 round 2), Fri 19:00 -> Mon 09:30 = 62.5 h (c4)
    wall = first_response_times(LOG)
    assert wall == Distribution(3, 600.0, 600 + 0.8 * (225_000 - 600), (480 + 600 + 225_000) / 3)
    # business time on the office calendar: c4 waited 09:00 -> 09:30 = 30 min
    business = first_response_times(LOG, calendars={"support": OFFICE})
    assert (business.count, business.median, business.p90) == (3, 600.0, 600 + 0.8 * 1200)


def test_resolution_time_after_escalation() -> None:
    # c2 10:02 -> 10:40 = 38 min, c3 11:31 -> 12:31 = 60 min, c4 Fri 19:00 -> Mon 10:30
    found = resolution_times_after_escalation(LOG)
    assert (found.count, found.median) == (3, 3600.0)
    assert found.p90 == pytest.approx(3600 + 0.8 * (228_600 - 3600))


def test_csat_per_agent_and_team_goes_to_who_finished_after_a_transfer() -> None:
    found = csat(LOG)
    assert (found.answers, found.satisfied, found.score) == (2, 1, 0.5)
    assert found.by_agent == {"bob": (1, 1), "alice": (0, 1)}
    assert found.by_team == {"support": (1, 2)}


def test_sla_breaches() -> None:
    found = sla_breaches(LOG)
    assert (found["breaches"], found["warnings"]) == (1, 1)
    assert found["by_clock"] == {"resolution": 1}
    assert found["by_team"] == {"support": 1}
    assert found["breach_rate"] == pytest.approx(1 / 3)


def test_wait_promise_accuracy_uses_the_latest_promise() -> None:
    # c2 due 10:07, reply 10:10: broken by 3 min; c3 due 11:45, reply 11:41: kept 4 min
    # early; c4 corrected to 09:40, reply 09:30: kept 10 min early
    found = promise_accuracy(LOG)
    assert (found.promises, found.kept, found.broken, found.unanswered) == (3, 2, 1, 0)
    assert found.accuracy == pytest.approx(2 / 3)
    assert found.error.median == -240.0


def test_distribution_of_one_to_ten() -> None:
    found = Distribution.of(range(1, 11))
    assert (found.median, found.mean) == (5.5, 5.5)
    assert found.p90 == pytest.approx(9.1)
    assert Distribution.of([]).to_dict() == {
        "count": 0,
        "median_s": None,
        "p90_s": None,
        "mean_s": None,
    }


def test_empty_log_has_no_rates_and_no_error() -> None:
    assert rates([]).to_dict()["rounds"] == 0
    assert rates([]).escalation_rate == 0.0


def test_bad_rows_are_refused_with_a_reason() -> None:
    with pytest.raises(MetricsError, match="1-5"):
        LoggedEvent(Kind.CSAT, MON, "c1", value=7)
    with pytest.raises(MetricsError, match="naive"):
        LoggedEvent(Kind.OPENED, datetime(2025, 3, 3), "c1")
    with pytest.raises(MetricsError, match="due"):
        LoggedEvent(Kind.PROMISE, MON, "c1")


def test_the_brains_reporting_events_map_onto_the_log() -> None:
    where = Where("c9", contact="Z", channel="webchat", inbox="demo", team="english")
    row = logged(ReportingEvent("escalated", MON, {"reason": "button", "rule": "r"}), where)
    assert row is not None
    assert (row.kind, row.reason, row.team, row.contact) == (
        Kind.ESCALATED,
        "button",
        "english",
        "Z",
    )
    assert logged(ReportingEvent("something_new", MON), where) is None
