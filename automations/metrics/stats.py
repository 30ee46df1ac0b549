"""Distributions as the reports show them: count, median and p90 beside the mean.

A mean alone hides the customers who waited an hour behind twenty who waited a minute, so
every duration metric is a :class:`Distribution`. Quantiles use the inclusive linear
method of :func:`statistics.quantiles` (the one spreadsheets call PERCENTILE.INC), so a
worked example can be checked by hand: p90 of 1..10 is 9.1.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Distribution:
    """Seconds. All None when there is nothing to measure."""

    count: int
    median: float | None
    p90: float | None
    mean: float | None

    @classmethod
    def of(cls, values: Iterable[float | timedelta]) -> Distribution:
        data = sorted(v.total_seconds() if isinstance(v, timedelta) else float(v) for v in values)
        if not data:
            return cls(0, None, None, None)
        if len(data) == 1:
            return cls(1, data[0], data[0], data[0])
        p90 = statistics.quantiles(data, n=10, method="inclusive")[8]
        return cls(len(data), statistics.median(data), p90, statistics.fmean(data))

    def to_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "count": self.count,
            "median_s": rounded(self.median),
            "p90_s": rounded(self.p90),
            "mean_s": rounded(self.mean),
        }


def share(part: int, whole: int) -> float:
    """``part / whole``, 0 when there is no whole (an empty log has no rates)."""
    return part / whole if whole else 0.0


__all__ = ["Distribution", "share"]
