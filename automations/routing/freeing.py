"""When will ``k`` places free up? The median over replayed futures of the measured
handling times, so that wait promises are right at the median.

Each busy place has been held for some time already; how much longer it stays busy is
drawn from the team's recent handling times that lasted longer than that (the measured
distribution, conditioned on the age). A place of an agent whose shift starts later opens
then. A freed place is taken at once by the next conversation in line and held for a fresh
draw. Replaying that ``draws`` times with a fixed seed gives the median time until the
``k``-th place frees: the same inputs give the same answer, no clock, no I/O. Taking the
smallest of several uncertain remaining times this way is what the plain arithmetic
(each place frees at its median) gets wrong: the first of six places to free does so well
before any one of them is expected to.
"""

from __future__ import annotations

import heapq
import random
import statistics
from bisect import bisect_right
from collections.abc import Sequence
from datetime import timedelta

DRAWS = 101


def median_time_to_free(
    needed: int,
    ages: Sequence[timedelta],
    handling_times: Sequence[timedelta],
    *,
    later: Sequence[timedelta] = (),
    draws: int = DRAWS,
    seed: int = 0,
) -> timedelta:
    """Median time until ``needed`` (>= 1) places free, among busy places held for
    ``ages`` and empty places that open after ``later``."""
    sample = sorted(t.total_seconds() for t in handling_times)
    if not sample or not (ages or later):
        raise ValueError("needs measured handling times and at least one place")
    rng = random.Random(seed)
    floor = statistics.median(sample) / 10  # an overdue place: soon, but not now
    held = [a.total_seconds() for a in ages]
    opening = [t.total_seconds() for t in later]
    results = []
    for _ in range(draws):
        frees = list(opening)
        for age in held:
            start = bisect_right(sample, age)
            left = sample[rng.randrange(start, len(sample))] - age if start < len(sample) else 0
            frees.append(max(left, floor))
        heapq.heapify(frees)
        at = 0.0
        for _ in range(needed):
            at = heapq.heappop(frees)
            heapq.heappush(frees, at + sample[rng.randrange(len(sample))])
        results.append(at)
    return timedelta(seconds=statistics.median(results))
