"""Routing on a simulated day: waits, fairness, idle capacity, promise accuracy, speed.

Run ``python -m tests.bench.routing [--seed N] [--scale X] [--json]``. One seeded day
(``tests/bench/routing_sim.py``: Poisson arrivals with a lunchtime peak, ten agents on
shifts with capacities 2-3, lognormal handling times) runs twice: through the routing
package (``drain`` after every event, wait promises from ``estimate_for``) and through the
baseline (round robin over online team members at each arrival, first come first served,
a fixed "typically replies in 5 min" label); a third run lets a conversation that waited
``--relax-topic-after`` (10m) go to any agent of its language (``relax_topic_after``).
Figures:

- wait p50/p90: arrival to the agent's first reply, of conversations served that day;
- waited_with_room_share: conversations that at some point waited while a qualified agent
  (language and topic) of an open team had room (target 0);
- load_spread_max: the widest gap between two agents' average occupancy (open / capacity
  over their time online);
- eta_abs_error p50/p90: |promised wait - actual wait| / actual wait, at arrival (and p50
  for the conversations that then waited five minutes or more in the queue); the agent's
  first-reply delay alone (lognormal around 45 s) puts a floor of about 0.25 under it;
- unqualified_share: assignments to an agent without the topic (or the language);
- decisions_per_s: ``choose`` calls per CPU second on prepared snapshots (one core), beside
  the baseline's pick on the same snapshots.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from rich.console import Console
from rich.table import Table

from automations.routing import AgentState, Request, Roster, choose
from tests.bench.routing_sim import (
    AGENTS,
    OPEN,
    TOPICS,
    Outcome,
    RoundRobin,
    make_world,
    roster,
    routed,
    simulate,
)


def percentile(values: Sequence[float], q: int) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def figures(outcome: Outcome, total: int, per_s: float) -> dict[str, float]:
    occupancy = list(outcome.occupancy.values())
    return {
        "wait_p50_s": round(percentile(outcome.waits, 50), 1),
        "wait_p90_s": round(percentile(outcome.waits, 90), 1),
        "waited_with_room_share": round(outcome.waited_with_room / total, 4),
        "load_spread_max": round(max(occupancy) - min(occupancy), 3),
        "eta_abs_error_p50": round(percentile(outcome.eta_errors, 50), 3),
        "eta_abs_error_p90": round(percentile(outcome.eta_errors, 90), 3),
        "eta_abs_error_p50_queued_5m": round(percentile(outcome.eta_errors_queued, 50), 3),
        "queued_5m": len(outcome.eta_errors_queued),
        "unqualified_share": round(outcome.unqualified / total, 4),
        "served": outcome.served,
        "unserved": total - outcome.served,
        "decisions_per_s": round(per_s),
    }


def snapshots(rost: Roster, count: int, seed: int) -> list[tuple[Request, dict[str, AgentState]]]:
    rng = random.Random(seed)
    found = []
    for i in range(count):
        agents = {
            f"{a[0]}@sim.example": AgentState(
                f"{a[0]}@sim.example",
                rng.choice(("online", "online", "online", "away", "offline")),
                {"webchat": rng.randint(0, 2), "whatsapp_cloud": rng.randint(0, 1)},
            )
            for a in AGENTS
        }
        request = Request(
            f"s{i}",
            rng.choice(("en", "en", "fr")),
            rng.choice(("webchat", "whatsapp_cloud")),
            topic=rng.choice(TOPICS),
            waiting_since=OPEN,
        )
        found.append((request, agents))
    return found


def rate(
    items: list[tuple[Request, dict[str, AgentState]]], decide: Callable[..., object]
) -> float:
    start = time.process_time()
    for request, agents in items:
        decide(request, agents)
    return len(items) / max(time.process_time() - start, 1e-9)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.routing", description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="arrival rate multiplier")
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument(
        "--relax-topic-after", default="10m", help="the third column's relax_topic_after"
    )
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args(argv)
    rost = roster()
    total = len(make_world(args.seed, args.scale).conversations)
    wall = time.perf_counter()
    ours = simulate(make_world(args.seed, args.scale), routed, "estimate", rost)
    relaxing = roster(args.relax_topic_after)
    relaxed = simulate(make_world(args.seed, args.scale), routed, "estimate", relaxing)
    base = simulate(make_world(args.seed, args.scale), RoundRobin(), "typical", rost)
    sim_s = time.perf_counter() - wall

    items = snapshots(rost, args.decisions, args.seed)
    now = OPEN + timedelta(hours=3)
    rr = RoundRobin()
    ours_rate = rate(items, lambda r, a: choose(r, a, rost, now))
    base_rate = rate(
        items, lambda r, a: rr.pick(r, a, {e: s.open_total for e, s in a.items()}, rost)
    )

    result = figures(ours, total, ours_rate)
    relaxed_rate = rate(items, lambda r, a: choose(r, a, relaxing, now))
    relaxed_figures = figures(relaxed, total, relaxed_rate)
    baseline = figures(base, total, base_rate)
    table = Table(
        title=f"Routing, one simulated day: {total} conversations, {len(AGENTS)} agents "
        f"(seed {args.seed}, scale {args.scale}; simulated in {sim_s:.1f} s)"
    )
    relaxed_title = f"routing, topic dropped after {args.relax_topic_after}"
    for column in ("figure", "routing", relaxed_title, "baseline (round robin)"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for key, value in result.items():
        table.add_row(key, f"{value:,}", f"{relaxed_figures[key]:,}", f"{baseline[key]:,}")
    Console().print(table)
    if args.json:
        merged: dict[str, float] = dict(result)
        merged.update({f"baseline_{k}": v for k, v in baseline.items()})
        merged.update({f"relaxed_{k}": v for k, v in relaxed_figures.items()})
        merged["conversations"] = total
        print(json.dumps(merged))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
