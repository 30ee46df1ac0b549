"""The golden replay: 200 generated conversations (tests/fixtures/simulation/
make_history.py) through the demo config. Every count below follows from the templates
and the demo's rules, not from a previous run's output:

- 10 templates x 20 conversations; the four bad lines sit at 51, 102, 153 and 204;
- automated = pricing_button + faq + trial_done = 60; escalated = faq_no_human +
  human_button + human_at_night = 60, all through rule ``talk_to_someone`` (the "Talk to
  someone" button, also offered after "no" to an FAQ answer); out_of_scope = 20
  (unknown_question); abandoned = silent + welcome_only + trial_unfinished = 60;
- the language survey completes in every template but ``silent`` (180), qualification
  only in ``trial_done`` (20);
- ``night_notice`` (escalated between 19:00 and 08:00 Paris) fires exactly for the 20
  handoffs at 20-22 h UTC, and those are after every demo team's hours.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from automations.simulation import History, Target, Verdict, read_jsonl, replay_all, simulate
from automations.simulation.html import render
from automations.simulation.load import handoff

from .conftest import DEMO

REASON = 'customer pressed "Talk to someone"'


def test_every_conversation_gets_the_outcome_its_template_implies(
    golden_history: History, demo_target: Target
) -> None:
    replayed = replay_all(golden_history.conversations, demo_target)
    assert len(replayed) == 200
    wrong = [
        (c.id, c.outcome, r.verdict.value)
        for c, r in zip(golden_history.conversations, replayed, strict=True)
        if c.outcome != r.verdict.value
    ]
    assert wrong == []
    roster = demo_target.roster
    for item in replayed:
        if item.id.startswith("human_at_night"):
            found = handoff(item, roster)
            assert found is not None
            assert found.after_hours
            assert found.enters_queue_at > item.escalated_at  # type: ignore[operator]


def test_the_report_counts(golden_history: History, demo_target: Target) -> None:
    report, _ = simulate(golden_history, demo_target)
    data = report.data
    assert data["conversations"] == 200
    assert (data["automated"], data["escalated"], data["out_of_scope"], data["abandoned"]) == (
        60,
        60,
        20,
        60,
    )
    assert data["escalation_rate"] == 0.3
    assert data["escalated_by_reason"] == {REASON: 60}
    assert data["escalated_by_rule"] == {"talk_to_someone": 60}
    assert sum(data["escalated_by_channel"].values()) == 60
    assert sum(data["escalated_by_language"].values()) == 60
    assert data["surveys_completed"] == {"language": 180, "qualification": 20}
    assert data["rules_fired"]["night_notice"] == 20
    assert data["rules_fired"]["pricing"] == 20
    assert data["after_hours_handoffs"] >= 20
    faq = ("reset_password", "invoices", "cancel_subscription")
    assert sum(data["intents"].get(name, 0) for name in faq) == 40  # one FAQ question each
    assert data["skipped_lines"] == 4
    assert [p["line"] for p in data["problems"]] == [51, 102, 153, 204]
    assert sum(sum(t["arrivals"]) for t in data["queue_load"].values()) == 60
    assert data["rounds"]["counts"]["escalated"] == 60
    # the 20 unanswered questions, clustered by theme, largest first
    gaps = data["knowledge_gaps"]
    assert sum(g["size"] for g in gaps) == 20
    assert [g["size"] for g in gaps] == sorted((g["size"] for g in gaps), reverse=True)
    themes = ("parcel", "Lyon", "plumber")
    for gap in gaps:
        assert len({t for t in themes for e in gap["examples"] if t in e}) == 1, gap


def test_same_input_same_bytes(golden_history: History, demo_target: Target) -> None:
    first, _ = simulate(golden_history, demo_target)
    second, _ = simulate(golden_history, demo_target)
    assert first.to_json() == second.to_json()
    assert render(first) == render(second)


def test_one_changed_rule_changes_exactly_the_conversations_the_diff_names(
    tmp_path: Path, golden_history: History, demo_target: Target
) -> None:
    from hub.cli.simulate_setup import target_for

    changed = tmp_path / "config"
    changed.mkdir()
    for path in DEMO.rglob("*"):
        if path.is_file():
            target = changed / path.relative_to(DEMO)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    rules = changed / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    old = "    then:\n      - add_label: pricing\n"
    assert text.count(old) == 1
    rules.write_text(
        text.replace(
            old, "    then:\n      - escalate: pricing question\n      - add_label: pricing\n"
        ),
        encoding="utf-8",
    )
    report, replayed = simulate(golden_history, target_for(changed, False), baseline=demo_target)
    diff = report["diff"]
    pricing = sorted(
        c.id for c in golden_history.conversations if c.id.startswith("pricing_button")
    )
    assert sorted(c["id"] for c in diff["conversations"]) == pricing
    assert diff["moves"] == {"automated -> escalated": 20}
    assert {c["cause"] for c in diff["conversations"]} == {"rule pricing"}
    assert {c["current"] for c in diff["conversations"]} == {"escalated(pricing question)"}
    assert Counter(r.verdict for r in replayed)[Verdict.ESCALATED] == 80


def test_history_reread_is_the_same(golden_history: History) -> None:
    from .conftest import HISTORY

    again = read_jsonl(HISTORY.read_text(encoding="utf-8").splitlines())
    assert again == golden_history


def test_the_nlu_memo_changes_no_outcome(golden_history: History, demo_target: Target) -> None:
    from automations.simulation.memo import MemoNlu
    from hub.cli.simulate_setup import target_for

    assert isinstance(demo_target.brain.nlu, MemoNlu)
    bare = target_for(DEMO, False, memo=False)
    assert not isinstance(bare.brain.nlu, MemoNlu)
    with_memo, _ = simulate(golden_history, demo_target)
    without, _ = simulate(golden_history, bare)
    assert with_memo.to_json() == without.to_json()
