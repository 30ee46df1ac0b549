"""``--fail-if "escalation_rate>0.25"``: block a config change in the operator's CI.

A gate is ``METRIC OP NUMBER`` with OP one of ``> >= < <= == !=``; METRIC is a number at
the top of the report (``conversations``, ``escalated``, ``escalation_rate``...). An
unknown metric is a :class:`GateError` naming the closest known one.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from automations.simulation.errors import GateError

_OPS: Mapping[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_PATTERN = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class Gate:
    metric: str
    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.threshold:g}"


def metrics_of(report: Mapping[str, Any]) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in report.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k != "version"
    }


def parse_gate(text: str, known: Mapping[str, float]) -> Gate:
    match = _PATTERN.match(text)
    if match is None:
        raise GateError(f"--fail-if {text!r}: expected METRIC OP NUMBER, e.g. escalation_rate>0.25")
    metric, op, number = match.groups()
    if metric not in known:
        close = difflib.get_close_matches(metric, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise GateError(
            f"--fail-if {text!r}: unknown metric '{metric}'{hint}; "
            f"known: {', '.join(sorted(known))}"
        )
    return Gate(metric, op, float(number))


def crossed(gates: list[Gate], known: Mapping[str, float]) -> list[str]:
    """The gates the report crosses, as ``escalation_rate=0.31 > 0.25``."""
    return [
        f"{g.metric}={known[g.metric]:g} {g.op} {g.threshold:g}"
        for g in gates
        if _OPS[g.op](known[g.metric], g.threshold)
    ]


__all__ = ["Gate", "crossed", "metrics_of", "parse_gate"]
