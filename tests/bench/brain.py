"""Conversation brain throughput: whole conversations replayed through ``decide``.

Run ``python -m tests.bench.brain [--json]``. The recorded conversations of
``tests/bench/brain_corpus.jsonl`` and generated ones (questions drawn from BANKING77 and the
French support set in ``../shared/data/nlu/``, language choices, buttons, idle timers, agent
actions) are replayed over the demo config with no database: every input goes through
``decide`` and its decision is applied in memory (``automations.conversation.memory``), as
the hub applies it to rows. Measured twice, with the NLU's sentence encoder off
(``transformer_weight=0``) and on (the demo's default), beside the rule engine's own rate
from ``tests.bench.rules`` in the same run. Rates are per core: CPU time of this process.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from automations.conversation import (
    AgentRef,
    AgentReplied,
    AgentTookOver,
    Brain,
    FieldsChanged,
    HandedBack,
    Input,
    ResolvedByAgent,
    TimerFired,
    decide,
    memory,
)
from automations.nlu import CONFIRM_NO, CONFIRM_YES, ClassifierOptions
from automations.rules import RuleEngine
from config.teams import TeamsFile
from tests.bench import rules as rules_bench
from tests.support.brain import brain_for, demo_config, empty_state

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("brain_corpus.jsonl")
DATA = ROOT.parent / "shared" / "data" / "nlu"
START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
AGENT = AgentRef(1, "agent@demo.example", "Agent")
TARGET = 2000.0

Turn = tuple[str, Any]


@dataclass(frozen=True)
class Conversation:
    name: str
    turns: tuple[Turn, ...]
    channel: str = "webchat"
    max_buttons: int = 10


def recorded() -> list[Conversation]:
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            out.append(
                Conversation(
                    raw["name"],
                    tuple((kind, value) for kind, value in raw["turns"]),
                    raw.get("channel", "webchat"),
                    raw.get("max_buttons", 10),
                )
            )
    return out


def _texts(path: Path, column: str) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def generated(count: int, seed: int) -> list[Conversation]:
    """Conversations shaped like the demo's: a first message, the language survey, then
    questions, button presses, idle time and now and then a person."""
    rng = random.Random(seed)
    english = _texts(DATA / "banking77" / "test.csv", "text") or ["How much does it cost?"]
    french = _texts(DATA / "wikit-fr-covid-support" / "test_dataset.csv", "utterance") or [
        "Quels sont vos tarifs ?"
    ]
    channels = [("webchat", 10), ("whatsapp_cloud", 3), ("telegram", 8), ("twilio", 0)]
    out = []
    for index in range(count):
        language = rng.choice(["en", "en", "en", "fr"])
        pool = english if language == "en" else french
        turns: list[Turn] = [("says", rng.choice(["Hello", "Bonjour", "Hi", rng.choice(pool)]))]
        roll = rng.random()
        if roll < 0.6:
            turns.append(("presses", f"choice:{language}"))
        elif roll < 0.8:
            turns.append(("says", {"en": "English", "fr": "français"}[language]))
        for _ in range(rng.randint(2, 8)):
            roll = rng.random()
            if roll < 0.62:
                turns.append(("says", rng.choice(pool)))
            elif roll < 0.80:
                pressed = ["pricing", "free_trial", "human", CONFIRM_YES, CONFIRM_NO]
                turns.append(("presses", rng.choice(pressed)))
            elif roll < 0.86:
                turns.append(("says", rng.choice(["yes", "no", "merci", "thanks"])))
            elif roll < 0.93:
                turns.append(("wait", rng.choice([5, 11, 30, 61])))
            elif roll < 0.97:
                turns.append(("agent", rng.choice(["reply", "take_over", "hand_back", "resolve"])))
            else:
                turns.append(("field", "company_size"))
        channel, buttons = channels[index % len(channels)]
        out.append(Conversation(f"generated {index}", tuple(turns), channel, buttons))
    return out


def _agent(kind: str) -> Input:
    inputs: dict[str, Input] = {
        "reply": AgentReplied(AGENT, "Hello, I'm looking into it."),
        "take_over": AgentTookOver(AGENT),
        "hand_back": HandedBack(AGENT),
        "resolve": ResolvedByAgent(AGENT),
    }
    return inputs[kind]


def replay(brain: Brain, conversation: Conversation, number: int) -> int:
    """Replay one conversation; returns how many inputs went through ``decide``."""
    state = empty_state(
        conversation_id=number,
        channel=conversation.channel,
        max_buttons=conversation.max_buttons,
        inbox="api" if conversation.channel == "api" else "demo",
    )
    now = START + timedelta(seconds=number)
    inputs = 0

    def run(item: Input) -> None:
        nonlocal state, inputs
        state = memory.apply(state, decide(state, item, brain, now))
        inputs += 1

    for position, (kind, value) in enumerate(conversation.turns):
        now += timedelta(seconds=20)
        if kind in ("says", "presses"):
            text, button = (value, None) if kind == "says" else (None, value)
            state, message = memory.receive(
                state, now, text=text, button=button, opened=position == 0
            )
            run(message)
        elif kind == "wait":
            end = now + timedelta(minutes=value)
            while due := memory.due_timers(state, end):
                now = due[0].due_at
                run(TimerFired(due[0].key, due[0].kind, due[0].scheduled_at, due[0].event))
            now = end
        elif kind == "agent":
            run(_agent(value))
        elif kind == "field":
            run(FieldsChanged({value: (None, 12)}))
    return inputs


@dataclass(frozen=True)
class Phase:
    name: str
    conversations: int
    inputs: int
    cpu_s: float
    wall_s: float

    @property
    def per_s(self) -> float:
        return self.inputs / self.cpu_s if self.cpu_s > 0 else float("inf")


def measure(name: str, brain: Brain, corpus: Sequence[Conversation], budget_s: float) -> Phase:
    for number, conversation in enumerate(corpus[:20]):  # warm caches outside the clock
        replay(brain, conversation, number)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    done = inputs = 0
    for number, conversation in enumerate(corpus):
        inputs += replay(brain, conversation, number)
        done += 1
        if time.perf_counter() - wall0 > budget_s:
            break
    return Phase(name, done, inputs, time.process_time() - cpu0, time.perf_counter() - wall0)


def rules_rate(events: int, budget_s: float) -> float:
    """The rule engine's own rate, as ``tests.bench.rules`` measures it (200 rules)."""
    engine = RuleEngine(
        rules_bench.build_rules(200, 4),
        fields=rules_bench.FIELDS,
        teams=TeamsFile(),
        languages=rules_bench.LANGUAGES,
        default_language="en",
    )
    prepared = rules_bench.prepare(rules_bench.build_events(events, 4))
    phase = rules_bench.timed(
        "rule engine", prepared, lambda item: engine.evaluate(item[0], item[1]), budget_s
    )
    return phase.per_s


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.brain", description=__doc__)
    parser.add_argument("--conversations", type=int, default=2000, help="generated ones")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per phase at most")
    parser.add_argument("--rule-events", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args(argv)

    console = Console()
    corpus = recorded() + generated(args.conversations, args.seed)
    with tempfile.TemporaryDirectory() as cache:
        cache_dir = Path(cache)
        plain = brain_for(
            demo_config(), cache_dir=cache_dir, options=ClassifierOptions(transformer_weight=0)
        )
        encoder = brain_for(demo_config(), cache_dir=cache_dir)
    rules_per_s = rules_rate(args.rule_events, args.budget)
    phases = [
        measure("decide, no sentence encoder", plain, corpus, args.budget),
        measure("decide, with the sentence encoder", encoder, corpus, args.budget),
    ]
    table = Table(title=f"Conversation brain: demo config, {len(corpus):,} conversations")
    for column in ("phase", "conversations", "inputs", "CPU s", "wall s", "inputs/s per core"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for phase in phases:
        table.add_row(
            phase.name,
            f"{phase.conversations:,}",
            f"{phase.inputs:,}",
            f"{phase.cpu_s:.2f}",
            f"{phase.wall_s:.2f}",
            f"{phase.per_s:,.0f}",
        )
    table.add_row(
        "rule engine alone (tests.bench.rules, 200 rules)", "", "", "", "", f"{rules_per_s:,.0f}"
    )
    console.print(table)
    plain_rate, encoder_rate = phases[0].per_s, phases[1].per_s
    console.print(
        f"decide/rule-engine ratio: {plain_rate / rules_per_s:.3f} (no encoder), "
        f"{encoder_rate / rules_per_s:.3f} (encoder); target >= {TARGET:,.0f} inputs/s per core "
        f"without the encoder: {'met' if plain_rate >= TARGET else 'NOT met'}"
    )
    if args.json:
        console.file.flush()
        print(
            json.dumps(
                {
                    "inputs_per_s": round(plain_rate, 1),
                    "inputs_per_s_encoder": round(encoder_rate, 1),
                    "rules_events_per_s": round(rules_per_s, 1),
                    "inputs": phases[0].inputs,
                    "conversations": phases[0].conversations,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
