"""The simulation report: what the replayed conversations came to, as one JSON document.

Counts are per conversation (each has exactly one verdict, so ``automated + escalated +
out_of_scope + abandoned == conversations``); the metrics over the replay's event log use
``automations.metrics`` like the live reports. Every mapping is sorted, and nothing holds a
wall-clock time, so the same history and config give the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from automations.metrics import rates
from automations.metrics.stats import share
from automations.routing import Roster
from automations.simulation.gaps import knowledge_gaps
from automations.simulation.history import History
from automations.simulation.load import handoff, queue_load
from automations.simulation.replay import Replayed, Verdict

#: the report's format; bump when a key changes meaning
VERSION = 1


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    found = Counter(v if v is not None else "none" for v in values)
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class Report:
    data: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def to_json(self) -> str:
        """One line, sorted keys: the ``--json`` line and the byte-for-byte comparison."""
        return json.dumps(self.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def build_report(
    replayed: Sequence[Replayed],
    history: History,
    roster: Roster,
    timezone: str,
    *,
    diff: Mapping[str, Any] | None = None,
    gaps: bool = True,
) -> Report:
    verdicts = Counter(r.verdict for r in replayed)
    escalated = [r for r in replayed if r.verdict is Verdict.ESCALATED]
    handoffs = [h for h in (handoff(r, roster) for r in escalated) if h is not None]
    total = len(replayed)
    log = [event for r in replayed for event in r.log]
    data: dict[str, Any] = {
        "version": VERSION,
        "conversations": total,
        "automated": verdicts[Verdict.AUTOMATED],
        "escalated": verdicts[Verdict.ESCALATED],
        "out_of_scope": verdicts[Verdict.OUT_OF_SCOPE],
        "abandoned": verdicts[Verdict.ABANDONED],
        "automation_rate": round(share(verdicts[Verdict.AUTOMATED], total), 6),
        "escalation_rate": round(share(verdicts[Verdict.ESCALATED], total), 6),
        "out_of_scope_rate": round(share(verdicts[Verdict.OUT_OF_SCOPE], total), 6),
        "abandoned_rate": round(share(verdicts[Verdict.ABANDONED], total), 6),
        "escalated_by_reason": _counts(r.reason for r in escalated),
        "escalated_by_rule": _counts(r.rule for r in escalated),
        "escalated_by_channel": _counts(r.channel for r in escalated),
        "escalated_by_topic": _counts(r.topic for r in escalated),
        "escalated_by_language": _counts(r.language for r in escalated),
        "escalated_by_team": _counts(h.team for h in handoffs),
        "after_hours_handoffs": sum(h.after_hours for h in handoffs),
        "by_channel": _counts(r.channel for r in replayed),
        "by_language": _counts(r.language for r in replayed),
        "intents": _counts(i for r in replayed for i in r.intents),
        "articles": _counts(a for r in replayed for a in r.articles),
        "surveys_completed": _counts(s for r in replayed for s in r.surveys_completed),
        "rules_fired": _counts(rule for r in replayed for rule in r.fired),
        "signals": _counts(s for r in replayed for s in r.signals),
        "inputs": sum(r.inputs for r in replayed),
        "rounds": rates(log).to_dict(),
        "queue_load": queue_load(handoffs, roster, timezone),
        "skipped_lines": len(history.problems),
        "problems": [p.to_dict() for p in history.problems],
        "skipped": dict(sorted(history.skipped.items())),
        "knowledge_gaps": [
            g.to_dict() for g in knowledge_gaps([q for r in replayed for q in r.unanswered])
        ]
        if gaps
        else [],
    }
    if diff is not None:
        data["diff"] = dict(diff)
    return Report(data)


__all__ = ["VERSION", "Report", "build_report"]
