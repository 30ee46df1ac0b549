"""Which rules an event must look at: by event kind and filter, then by keyword.

Most rules on messages start from a keyword list (``text: {contains_any: [...]}``). A
bucket maps each such keyword to the rules it can open, so a message only runs the
conditions of rules whose keywords it contains (plus the rules without a keyword gate),
instead of every message rule.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from automations.actions import Planner
from automations.rules.conditions import Compiled
from automations.rules.explain import RuleTrace
from automations.rules.facts import Event, EventKind


@dataclass(frozen=True, slots=True)
class CompiledRule:
    order: int
    name: str
    kind: EventKind
    filter_value: str | None
    condition: Compiled | None
    steps: tuple[tuple[str, Planner], ...]
    max_fires: int
    stop: bool
    #: keywords one of which the message must contain, and the trace when none does
    gate: frozenset[str] | None = None
    gate_trace: RuleTrace | None = None


@dataclass(frozen=True, slots=True)
class Bucket:
    """The rules of one (event kind, filter value), in file order, with their gates."""

    rules: tuple[CompiledRule, ...]
    ungated: frozenset[int]
    by_keyword: Mapping[str, tuple[int, ...]]
    keywords: tuple[str, ...]
    #: positions of the gated rules (ascending), their traces, position -> rank among them
    gated: tuple[int, ...]
    gate_traces: tuple[RuleTrace, ...]
    gated_rank: Mapping[int, int]

    @classmethod
    def of(cls, rules: Iterable[CompiledRule]) -> Bucket:
        ordered = tuple(rules)
        gated = [i for i, r in enumerate(ordered) if r.gate is not None]
        by_keyword: dict[str, list[int]] = defaultdict(list)
        for position, rule in enumerate(ordered):
            for keyword in rule.gate or ():
                by_keyword[keyword].append(position)
        return cls(
            rules=ordered,
            ungated=frozenset(i for i, r in enumerate(ordered) if r.gate is None),
            by_keyword={k: tuple(v) for k, v in by_keyword.items()},
            keywords=tuple(sorted(by_keyword)),
            gated=tuple(gated),
            gate_traces=tuple(ordered[i].gate_trace for i in gated),  # type: ignore[misc]
            gated_rank={position: rank for rank, position in enumerate(gated)},
        )

    def select(self, normalised_text: str | None) -> tuple[list[int], set[int]]:
        """Positions of the rules to evaluate, in order, and the same as a set.

        A keyword-gated rule is selected when one of its keywords is in the text; the
        check is the one its ``contains_any`` leaf makes, so nothing is skipped that
        could have matched.
        """
        if not self.gated:
            positions = list(range(len(self.rules)))
            return positions, set(positions)
        chosen = set(self.ungated)
        if normalised_text is not None:
            by_keyword = self.by_keyword
            for keyword in self.keywords:
                if keyword in normalised_text:
                    chosen.update(by_keyword[keyword])
        return sorted(chosen), chosen

    def left_out(self, chosen: set[int], before: int) -> tuple[RuleTrace, ...] | list[RuleTrace]:
        """Traces of the gated rules the keyword index skipped (positions < ``before``).

        Usually nearly all gated rules are skipped, so this starts from the precomputed
        tuple and removes the few that were selected."""
        end = bisect_left(self.gated, before)
        rank = self.gated_rank
        picked = sorted(rank[p] for p in chosen if p in rank and p < before)
        if not picked:
            return self.gate_traces[:end]
        traces = list(self.gate_traces[:end])
        for index in reversed(picked):
            del traces[index]
        return traces


class RuleIndex:
    """Buckets by (kind, filter value); unknown filter values get the unfiltered rules."""

    def __init__(self, rules: Iterable[CompiledRule]) -> None:
        by_kind: dict[EventKind, list[CompiledRule]] = defaultdict(list)
        for rule in rules:
            by_kind[rule.kind].append(rule)
        self._buckets: dict[tuple[EventKind, str | None], Bucket] = {}
        for kind, of_kind in by_kind.items():
            for value in {r.filter_value for r in of_kind} | {None}:
                self._buckets[(kind, value)] = Bucket.of(
                    r for r in of_kind if r.filter_value in (None, value)
                )

    def bucket(self, event: Event) -> Bucket:
        buckets = self._buckets
        found = buckets.get((event.kind, event.filter_value))
        if found is None:
            found = buckets.get((event.kind, None), _EMPTY)
        return found


_EMPTY = Bucket.of(())
