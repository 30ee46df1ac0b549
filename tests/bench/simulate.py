"""Simulator throughput: generated history replayed through the demo config.

Run ``python -m tests.bench.simulate [--conversations 50000] [--json]``. The history is
``tests/fixtures/simulation/make_history.py``'s templates (every trigger and outcome of
the demo config) drawn with another seed; it is replayed with the sentence encoder off,
report included (knowledge gaps off: clustering is not per conversation). Beside it, in
the same run, ``tests.bench.brain``'s inputs/s through ``decide`` on its own corpus, so
the two can be compared on this machine. Rates are per core: CPU time of this process.
Target: 50,000 conversations in under a minute (>= 833 conversations/s).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from automations.simulation import History, read_jsonl, simulate
from hub.cli.simulate_setup import target_for
from tests.bench import brain as brain_bench
from tests.fixtures.simulation.make_history import conversation
from tests.support.brain import brain_for, demo_config

ROOT = Path(__file__).resolve().parents[2]
TARGET = 50_000 / 60


def history(count: int, seed: int) -> History:
    rng = random.Random(seed)
    rows = [json.dumps(dict(conversation(n, rng), id=f"bench-{n}")) for n in range(count)]
    return read_jsonl(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.simulate", description=__doc__)
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--brain-budget", type=float, default=10.0, help="seconds for the brain")
    parser.add_argument("--bare-conversations", type=int, default=5000, help="without NLU memo")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args(argv)
    console = Console()

    from automations.nlu import ClassifierOptions

    target = target_for(ROOT / "config" / "demo", encoder=False)
    found = history(args.conversations, args.seed)
    simulate(History(found.conversations[:50]), target, gaps=False)  # warm caches
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report, replayed = simulate(found, target, gaps=False)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    per_s = len(replayed) / cpu if cpu > 0 else float("inf")
    inputs = sum(r.inputs for r in replayed)

    # the same without the NLU memo (every text classified again), on a slice
    bare = target_for(ROOT / "config" / "demo", encoder=False, memo=False)
    part = History(found.conversations[: args.bare_conversations])
    cpu1 = time.process_time()
    simulate(part, bare, gaps=False)
    bare_cpu = time.process_time() - cpu1
    bare_per_s = len(part.conversations) / bare_cpu if bare_cpu > 0 else float("inf")

    plain = brain_for(demo_config(), options=ClassifierOptions(transformer_weight=0))
    corpus = brain_bench.recorded() + brain_bench.generated(2000, 12)
    phase = brain_bench.measure("decide (tests.bench.brain)", plain, corpus, args.brain_budget)

    table = Table(title=f"hub simulate: demo config, {len(replayed):,} conversations")
    for column in ("phase", "conversations", "inputs", "CPU s", "wall s", "per s per core"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    table.add_row(
        "simulate (replay + report)",
        f"{len(replayed):,}",
        f"{inputs:,}",
        f"{cpu:.2f}",
        f"{wall:.2f}",
        f"{per_s:,.0f} conversations ({inputs / cpu:,.0f} inputs)",
    )
    table.add_row(
        "simulate without the NLU memo",
        f"{len(part.conversations):,}",
        "",
        f"{bare_cpu:.2f}",
        "",
        f"{bare_per_s:,.0f} conversations",
    )
    table.add_row(
        phase.name,
        f"{phase.conversations:,}",
        f"{phase.inputs:,}",
        f"{phase.cpu_s:.2f}",
        f"{phase.wall_s:.2f}",
        f"{phase.per_s:,.0f} inputs",
    )
    console.print(table)
    met = "met" if per_s >= TARGET else "NOT met"
    console.print(
        f"escalation rate {report['escalation_rate']:.3f}; target >= {TARGET:,.0f} "
        f"conversations/s per core (50,000 in a minute) without the encoder: {met}; "
        f"simulate inputs/s vs decide alone: {inputs / cpu / phase.per_s:.2f}"
    )
    if args.json:
        console.file.flush()
        print(
            json.dumps(
                {
                    "conversations_per_s": round(per_s, 1),
                    "conversations_per_s_no_memo": round(bare_per_s, 1),
                    "conversations": len(replayed),
                    "simulate_inputs_per_s": round(inputs / cpu, 1),
                    "brain_inputs_per_s": round(phase.per_s, 1),
                    "cpu_s": round(cpu, 2),
                    "wall_s": round(wall, 2),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
