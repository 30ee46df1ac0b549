"""``--baseline``: the same history through two configs, conversation by conversation.

A conversation changed when its verdict or escalation reason differs. For each, the diff
names what changed it: the rules that fired in one run and not the other, and the intents
the NLU found differently, which is where an operator looks first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from automations.simulation.replay import Replayed


def _outcome(item: Replayed) -> str:
    return item.verdict.value if item.reason is None else f"{item.verdict.value}({item.reason})"


def compare(baseline: Sequence[Replayed], current: Sequence[Replayed]) -> dict[str, Any]:
    before = {r.id: r for r in baseline}
    changed = []
    moves: Counter[str] = Counter()
    for item in current:
        old = before.get(item.id)
        if old is None or _outcome(old) == _outcome(item):
            continue
        rules_added = sorted(set(item.fired) - set(old.fired))
        rules_removed = sorted(set(old.fired) - set(item.fired))
        intents = sorted(set(item.intents) ^ set(old.intents))
        changed.append(
            {
                "id": item.id,
                "line": item.line,
                "baseline": _outcome(old),
                "current": _outcome(item),
                "rules_added": rules_added,
                "rules_removed": rules_removed,
                "intents_changed": intents,
                "cause": item.cause() if item.verdict.value == "escalated" else old.cause(),
            }
        )
        moves[f"{old.verdict.value} -> {item.verdict.value}"] += 1
    changed.sort(key=lambda c: (c["line"], c["id"]))
    return {
        "changed": len(changed),
        "moves": dict(sorted(moves.items())),
        "conversations": changed,
    }


__all__ = ["compare"]
