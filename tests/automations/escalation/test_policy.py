"""``evaluate_policy``: actions and their precedence, priorities, combinations within a
window, the gradual rollout (deterministic, and 30 % of 10,000 ids within 2 points)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from automations.escalation import (
    Evidence,
    PastSignal,
    PolicyContext,
    Signal,
    bucket,
    evaluate_policy,
    in_rollout,
)
from config.escalation import EscalationFile

from .helpers import T0


def sig(kind: str, score: float, threshold: float = 0.5, detail: str = "") -> Signal:
    return Signal(kind, score, threshold, (Evidence(("m",), kind, detail),))  # type: ignore[arg-type]


def ctx(**kw: object) -> PolicyContext:
    return PolicyContext(conversation_id="c1", now=T0, **kw)  # type: ignore[arg-type]


DEMO = EscalationFile.model_validate(
    {
        "signals": {
            "explicit_request": {"action": "escalate"},
            "frustration": {"action": "offer", "threshold": 0.6},
            "vip": {"action": "priority", "priority": "high"},
            "sensitive": {"action": "offer", "priority": "high", "escalate": ["legal"]},
            "burst": {"action": "record"},
        },
        "combinations": [
            {
                "name": "two_weak",
                "signals": ["frustration", "repetition"],
                "at_least": 2,
                "min_score": 0.3,
                "within": "10m",
                "action": "escalate",
            }
        ],
    }
)


def test_nothing_strong_is_none() -> None:
    outcome = evaluate_policy((sig("frustration", 0.2),), ctx(), DEMO)
    assert outcome.action == "none"
    assert outcome.signals == (sig("frustration", 0.2),)  # still recorded
    assert outcome.reasons == ()


def test_each_action() -> None:
    assert evaluate_policy((sig("explicit_request", 0.95),), ctx(), DEMO).action == "escalate"
    offer = evaluate_policy((sig("frustration", 0.7, 0.6),), ctx(), DEMO)
    assert offer.action == "offer"
    vip = evaluate_policy((sig("vip", 1.0),), ctx(), DEMO)
    assert (vip.action, vip.priority) == ("priority", "high")
    assert evaluate_policy((sig("burst", 1.0),), ctx(), DEMO).action == "record"


def test_the_strongest_action_wins_and_the_highest_priority() -> None:
    outcome = evaluate_policy(
        (sig("vip", 1.0), sig("explicit_request", 0.9), sig("burst", 1.0)), ctx(), DEMO
    )
    assert outcome.action == "escalate"
    assert outcome.priority == "high"
    assert [r.name for r in outcome.reasons] == ["explicit_request", "vip", "burst"]


def test_priority_is_only_raised() -> None:
    outcome = evaluate_policy((sig("vip", 1.0),), ctx(priority="urgent"), DEMO)
    assert outcome.priority is None


def test_a_legal_threat_escalates_other_sensitive_topics_offer() -> None:
    legal = evaluate_policy((sig("sensitive", 0.9, detail="legal"),), ctx(), DEMO)
    assert legal.action == "escalate"
    assert legal.reasons[0].detail.startswith("legal")
    card = evaluate_policy((sig("sensitive", 0.9, detail="stolen_card"),), ctx(), DEMO)
    assert (card.action, card.priority) == ("offer", "high")


def test_two_weak_signals_together_escalate() -> None:
    weak = (sig("frustration", 0.4, 0.6), sig("repetition", 0.35, 0.8))
    outcome = evaluate_policy(weak, ctx(), DEMO)
    assert outcome.action == "escalate"
    assert outcome.reasons[0].source == "combination"
    assert outcome.reasons[0].detail == "frustration + repetition"
    alone = evaluate_policy(weak[:1], ctx(), DEMO)
    assert alone.action == "none"


def test_a_combination_counts_earlier_signals_within_its_window_only() -> None:
    now = (sig("frustration", 0.4, 0.6),)
    recent = PastSignal("repetition", 0.5, T0 - timedelta(minutes=5))
    old = PastSignal("repetition", 0.5, T0 - timedelta(minutes=30))
    assert evaluate_policy(now, ctx(earlier=(recent,)), DEMO).action == "escalate"
    assert evaluate_policy(now, ctx(earlier=(old,)), DEMO).action == "none"
    unlisted = PastSignal("burst", 1.0, T0 - timedelta(minutes=1))
    assert evaluate_policy(now, ctx(earlier=(unlisted,)), DEMO).action == "none"


def test_outside_the_rollout_signals_are_recorded_and_nothing_acts() -> None:
    file = DEMO.model_copy(update={"rollout": DEMO.rollout.model_copy(update={"percent": 0})})
    outcome = evaluate_policy((sig("explicit_request", 0.95),), ctx(), file)
    assert (outcome.action, outcome.would, outcome.in_rollout) == ("record", "escalate", False)
    assert outcome.priority is None


def test_rollout_is_deterministic_by_conversation_id() -> None:
    ids = [f"conv-{i}" for i in range(200)]
    first = [in_rollout(i, 30) for i in ids]
    assert first == [in_rollout(i, 30) for i in ids]
    assert bucket("conv-1") == bucket("conv-1")
    assert 0 <= bucket("conv-1") < 100
    # fixed values: BLAKE2b, unlike hash(), is the same in every process and on every machine
    assert bucket("00000000-0000-0000-0000-000000000000") == 48.09
    assert bucket("conv-1") == 23.45


def test_thirty_percent_of_ten_thousand_ids_within_two_points() -> None:
    ids = [str(uuid.UUID(int=i * 7919 + 13)) for i in range(10_000)]
    share = sum(in_rollout(i, 30) for i in ids) / len(ids)
    assert abs(share - 0.30) <= 0.02
    numeric = [str(i) for i in range(10_000)]
    assert abs(sum(in_rollout(i, 30) for i in numeric) / 10_000 - 0.30) <= 0.02


def test_rollout_rules_by_channel_inbox_topic_team() -> None:
    file = EscalationFile.model_validate(
        {
            "rollout": {
                "percent": 100,
                "rules": [
                    {"channel": "whatsapp_cloud", "percent": 0},
                    {"inbox": "web", "topic": "billing", "percent": 0},
                    {"team": "french", "percent": 100},
                ],
            }
        }
    )
    strong = (sig("explicit_request", 0.95),)
    assert evaluate_policy(strong, ctx(channel="whatsapp_cloud"), file).action == "record"
    assert evaluate_policy(strong, ctx(inbox="web", topic="billing"), file).action == "record"
    assert evaluate_policy(strong, ctx(inbox="web", topic="sales"), file).action == "escalate"
    outcome = evaluate_policy(strong, ctx(channel="whatsapp_cloud", team="french"), file)
    assert outcome.rollout_percent == 0  # the first matching rule wins


def test_assess_runs_detectors_and_policy_and_reads_offer_answers() -> None:
    from automations.escalation import assess, build_settings
    from automations.escalation.texts import OFFER_NO, OFFER_YES

    from .helpers import inp

    settings = build_settings(DEMO)
    asked = assess(inp("talk to a human"), ctx(), settings)
    assert asked.outcome.action == "escalate"
    assert asked.offer_answer is None
    assert "explicit_request" in {s.kind for s in asked.signals}
    yes = assess(inp("", button=OFFER_YES), ctx(), settings)
    assert (yes.outcome.action, yes.offer_answer) == ("escalate", True)
    assert yes.outcome.reasons[0].name == "offer_accepted"
    no = assess(inp("", button=OFFER_NO), ctx(), settings)
    assert (no.outcome.action, no.offer_answer) == ("none", False)
