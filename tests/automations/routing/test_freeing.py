"""Replayed futures of measured handling times: when the k-th busy place frees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from automations.routing.freeing import median_time_to_free

M = timedelta(minutes=1)


def test_with_a_fixed_handling_time_the_answer_is_exact() -> None:
    sample = [10 * M] * 50
    ages = [8 * M, 2 * M]
    assert median_time_to_free(1, ages, sample) == 2 * M
    assert median_time_to_free(2, ages, sample) == 8 * M
    assert median_time_to_free(3, ages, sample) == 12 * M  # the first place, taken again
    # a place older than every measured time frees soon (a tenth of the median)
    assert median_time_to_free(1, [15 * M], sample) == M
    # a shift starting in 5 minutes opens an empty place then
    assert median_time_to_free(1, [], sample, later=[5 * M]) == 5 * M


def test_the_first_of_several_uncertain_places_frees_before_any_one_is_expected_to() -> None:
    sample = [M * m for m in range(2, 19)]  # 2 to 18 minutes, median 10
    six_new = [timedelta(0)] * 6
    first = median_time_to_free(1, six_new, sample)
    assert first < 10 * M - 3 * M  # the arithmetic would say 10 minutes
    assert median_time_to_free(1, six_new, sample) == first  # deterministic
    assert median_time_to_free(6, six_new, sample) > first


def test_it_needs_something_to_count() -> None:
    with pytest.raises(ValueError, match="needs"):
        median_time_to_free(1, [], [10 * M])
    with pytest.raises(ValueError, match="needs"):
        median_time_to_free(1, [M], [])
