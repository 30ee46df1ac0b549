"""Rule engine throughput: 200 rules against 100,000 prepared events.

Run ``python -m tests.bench.rules [--json]``. The baseline is a plain ``json.loads`` of the
same events (as the hub would read them from a queue), timed in the same run, so the ratio
means something on any machine. Rates are per core: one thread, CPU time of this process.
Each phase stops at ``--budget`` seconds and reports on the events it got through.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from automations.rules import Event, EventKind, Facts, RuleEngine, Sender
from config.fields import FieldsFile
from config.rules import RulesFile
from config.teams import TeamsFile

LANGUAGES = ("en", "fr", "es", "zh")
CHANNELS = ("webchat", "whatsapp_cloud", "telegram", "twilio", "messenger")
WORDS = (  # noqa: SIM905 - one readable block of support vocabulary
    "refund price pricing cost invoice order delivery late broken cancel account password "
    "login trial upgrade discount shipping return exchange help human agent thanks hello "
    "remboursement prix facture commande livraison retard annuler compte essai aide merci "
    "reembolso precio factura pedido entrega cancelar cuenta prueba ayuda gracias"
).split()
#: words no rule looks for: most of what customers write
FILLER = [f"w{n}" for n in range(600)]
VOCABULARY = WORDS + FILLER
BUTTONS = ("pricing", "free_trial", "human", "yes", "no", "more")
INTENTS = ("pricing", "refund", "cancel", "shipping", "greeting", "human")
EVENT_MIX = (
    (EventKind.MESSAGE_RECEIVED, 55),
    (EventKind.BUTTON_PRESSED, 12),
    (EventKind.INTENT_MATCHED, 12),
    (EventKind.FIELD_CHANGED, 6),
    (EventKind.CONVERSATION_OPENED, 5),
    (EventKind.NO_REPLY, 4),
    (EventKind.SURVEY_ANSWERED, 3),
    (EventKind.CONVERSATION_ESCALATED, 2),
    (EventKind.CONVERSATION_RESOLVED, 1),
)


def _condition(rng: random.Random, event: EventKind) -> dict[str, Any]:
    """A plausible condition: something specific to the event (keywords for messages),
    narrowed by one or two broader facts, sometimes with ``any``/``not``."""
    broad = _broad(rng, event)
    if event in (EventKind.MESSAGE_RECEIVED, EventKind.INTENT_MATCHED):
        # keyword lists are what operators write most; some regexes, some alternatives
        options: list[dict[str, Any]] = [
            {"text": {"contains_any": rng.sample(WORDS, rng.randint(2, 5))}},
            {
                "any": [
                    {"text": {"contains_any": rng.sample(WORDS, 2)}},
                    {"text": {"contains_any": rng.sample(WORDS, 2)}},
                ]
            },
            {"text": {"matches": rf"(?i)\b{rng.choice(WORDS)}\b"}},
            # a phrase then a pattern: indexed by the phrase it starts with
            {"text": {"matches": rf"(?i)\b{rng.choice(WORDS)}\w*\s+(?:#\s*)?\d+"}},
            # alternatives: no phrase to index, the regex runs on every message
            {"text": {"matches": rf"(?i)\b(?:{'|'.join(rng.sample(WORDS, 3))})\b"}},
            {
                "any": [
                    {"text": {"contains_any": rng.sample(WORDS, 2)}},
                    {"text": {"matches": rf"(?i)^{rng.choice(WORDS)}"}},
                ]
            },
        ]
        specific: dict[str, Any] = rng.choices(options, weights=[6, 2, 1, 1, 1, 1])[0]
        if event is EventKind.INTENT_MATCHED:
            specific = {"all": [specific, {"confidence": {"gte": rng.choice([0.5, 0.7])}}]}
    else:
        specific = broad
        broad = _broad(rng, event)
    parts = [specific, broad]
    if rng.random() < 0.3:
        parts.append({"not": _broad(rng, event)})
    return {"all": parts}


def _broad(rng: random.Random, event: EventKind) -> dict[str, Any]:
    options: list[Callable[[], dict[str, Any]]] = [
        lambda: {"language": {"in": rng.sample(LANGUAGES, 2)}},
        lambda: {"channel": rng.choice(CHANNELS)},
        lambda: {"field": {"plan": {"in": rng.sample(["free", "pro", "team"], 2)}}},
        lambda: {"field": {"size": {"gte": rng.randint(1, 50)}}},
        lambda: {"conversation": {"priority": {"not_equals": "urgent"}}},
        lambda: {"contact": {"tier": "vip"}},
        lambda: {"time": {"between": ["08:00", "19:00"]}},
    ]
    return rng.choice(options)()


def _actions(rng: random.Random, index: int) -> list[dict[str, Any]]:
    pool: list[dict[str, Any]] = [
        {"add_label": f"label_{index % 17}"},
        {"set_priority": rng.choice(["low", "normal", "high", "urgent"])},
        {
            "send": {
                "en": "Hi {{ contact.name }}, about your {{ fields.plan }} plan",
                "fr": "Bonjour {{ contact.name }}",
            }
        },
        {"send": {"en": "We are on it.", "fr": "Nous nous en occupons."}},
        {"set_field": {"size": rng.randint(1, 100)}},
        {"escalate": "bench"},
    ]
    return rng.sample(pool, rng.randint(1, 3))


def build_rules(count: int, seed: int) -> RulesFile:
    rng = random.Random(seed)
    kinds = [k for k, weight in EVENT_MIX for _ in range(weight)]
    rules: list[dict[str, Any]] = []
    for index in range(count):
        kind = rng.choice(kinds)
        when: Any = kind.value
        if kind is EventKind.BUTTON_PRESSED:
            when = {"button_pressed": rng.choice(BUTTONS)}
        elif kind is EventKind.INTENT_MATCHED:
            when = {"intent_matched": rng.choice(INTENTS)}
        elif kind is EventKind.NO_REPLY:
            when = {"no_reply": rng.choice(["10m", "1h"])}
        elif kind is EventKind.FIELD_CHANGED:
            when = {"field_changed": rng.choice(["plan", "size"])}
        elif kind is EventKind.SURVEY_ANSWERED:
            when = {"survey_answered": "language"}
        rule: dict[str, Any] = {
            "name": f"rule_{index}",
            "when": when,
            "then": _actions(rng, index),
            "max_fires": 1000,
        }
        # a rule with no condition fires on every event of its kind: fine for an opened
        # conversation, not for every message
        texty = kind in (EventKind.MESSAGE_RECEIVED, EventKind.INTENT_MATCHED)
        if texty or rng.random() < 0.7:
            rule["if"] = _condition(rng, kind)
        rules.append(rule)
    return RulesFile.model_validate({"rules": rules})


FIELDS = FieldsFile.model_validate(
    {
        "fields": [
            {"name": "size", "type": "number", "min": 1},
            {
                "name": "plan",
                "type": "single_choice",
                "choices": [{"value": v, "label": v} for v in ("free", "pro", "team")],
            },
        ]
    }
)


def build_events(count: int, seed: int) -> list[str]:
    """The events as JSON lines: event plus the facts of its conversation."""
    rng = random.Random(seed + 1)
    kinds = [k for k, weight in EVENT_MIX for _ in range(weight)]
    start = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
    lines: list[str] = []
    for index in range(count):
        kind = rng.choice(kinds)
        event: dict[str, Any] = {"kind": kind.value, "sender": "contact"}
        if kind in (EventKind.MESSAGE_RECEIVED, EventKind.INTENT_MATCHED):
            event["text"] = " ".join(rng.choices(VOCABULARY, k=rng.randint(3, 14)))
        if kind is EventKind.INTENT_MATCHED:
            event["intent"] = rng.choice(INTENTS)
            event["confidence"] = round(rng.random(), 2)
        if kind is EventKind.BUTTON_PRESSED:
            event["button"] = rng.choice(BUTTONS)
        if kind is EventKind.NO_REPLY:
            event["after_s"] = rng.choice([600, 3600])
        if kind is EventKind.FIELD_CHANGED:
            event["field"] = rng.choice(["plan", "size"])
        if kind is EventKind.SURVEY_ANSWERED:
            event["survey"] = "language"
        conversation = index % 1000
        facts = {
            "conversation_id": f"c{conversation}",
            "inbox": "demo",
            "channel": CHANNELS[conversation % len(CHANNELS)],
            "language": LANGUAGES[conversation % len(LANGUAGES)],
            "now": (start + timedelta(seconds=index * 7)).isoformat(),
            "timezone": "Europe/Paris",
            "contact": {
                "name": f"Customer {conversation}",
                "tier": "vip" if conversation % 10 == 0 else "standard",
            },
            "fields": {
                "plan": ("free", "pro", "team")[conversation % 3],
                "size": conversation % 60 + 1,
            },
            "conversation": {"status": "bot", "priority": "normal", "labels": []},
        }
        lines.append(json.dumps({"event": event, "facts": facts}, separators=(",", ":")))
    return lines


def prepare(lines: Sequence[str]) -> list[tuple[Event, Facts]]:
    """Decode once, outside the timed loop; facts of one conversation and instant are shared."""
    cache: dict[tuple[str, str], Facts] = {}
    prepared: list[tuple[Event, Facts]] = []
    for line in lines:
        raw = json.loads(line)
        e, f = raw["event"], raw["facts"]
        event = Event(
            EventKind(e["kind"]),
            sender=Sender(e["sender"]),
            text=e.get("text"),
            button=e.get("button"),
            field=e.get("field"),
            survey=e.get("survey"),
            intent=e.get("intent"),
            confidence=e.get("confidence"),
            after_s=e.get("after_s"),
        )
        key = (f["conversation_id"], f["now"])
        facts = cache.get(key)
        if facts is None:
            facts = Facts(
                conversation_id=f["conversation_id"],
                inbox=f["inbox"],
                channel=f["channel"],
                language=f["language"],
                now=datetime.fromisoformat(f["now"]),
                timezone=f["timezone"],
                contact=f["contact"],
                fields=f["fields"],
                conversation={**f["conversation"], "labels": tuple(f["conversation"]["labels"])},
            )
            cache[key] = facts
        prepared.append((event, facts))
    return prepared


@dataclass(frozen=True)
class Phase:
    name: str
    events: int
    cpu_s: float
    wall_s: float

    @property
    def per_s(self) -> float:
        return self.events / self.cpu_s if self.cpu_s > 0 else float("inf")


def timed(name: str, items: Sequence[Any], work: Callable[[Any], Any], budget_s: float) -> Phase:
    """Run ``work`` over ``items`` in chunks until done or out of budget."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    done = 0
    chunk = 2000
    while done < len(items):
        for item in items[done : done + chunk]:
            work(item)
        done = min(done + chunk, len(items))
        if time.perf_counter() - wall0 > budget_s:
            break
    return Phase(name, done, time.process_time() - cpu0, time.perf_counter() - wall0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.rules", description=__doc__)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per phase at most")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--no-explain", action="store_true", help="skip condition traces")
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args(argv)

    console = Console()
    engine = RuleEngine(
        build_rules(args.rules, args.seed),
        fields=FIELDS,
        teams=TeamsFile(),
        languages=LANGUAGES,
        default_language="en",
    )
    lines = build_events(args.events, args.seed)
    prepared = prepare(lines)
    explain = not args.no_explain

    baseline = timed("json.loads (baseline)", lines, json.loads, args.budget)
    fired = 0

    def evaluate(item: tuple[Event, Facts]) -> None:
        nonlocal fired
        fired += len(engine.evaluate(item[0], item[1], explain=explain).fired)

    engine_phase = timed(
        f"rule engine ({args.rules} rules{', traced' if explain else ''})",
        prepared,
        evaluate,
        args.budget,
    )
    ratio = engine_phase.per_s / baseline.per_s

    table = Table(title=f"Rule engine: {args.rules} rules, {args.events:,} prepared events")
    for column in ("phase", "events", "CPU s", "wall s", "events/s per core"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for phase in (baseline, engine_phase):
        table.add_row(
            phase.name,
            f"{phase.events:,}",
            f"{phase.cpu_s:.2f}",
            f"{phase.wall_s:.2f}",
            f"{phase.per_s:,.0f}",
        )
    console.print(table)
    console.print(
        f"rules fired: {fired:,} ({fired / max(engine_phase.events, 1):.2f} per event); "
        f"engine/baseline ratio: {ratio:.3f}; target >= 20,000 events/s per core: "
        f"{'met' if engine_phase.per_s >= 20_000 else 'NOT met'}"
    )
    if args.json:
        console.file.flush()
        print(
            json.dumps(
                {
                    "events_per_s": round(engine_phase.per_s, 1),
                    "baseline_per_s": round(baseline.per_s, 1),
                    "ratio": round(ratio, 4),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
