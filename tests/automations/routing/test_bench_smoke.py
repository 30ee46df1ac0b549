"""A short run of ``python -m tests.bench.routing --json``: every figure printed, both sides."""

from __future__ import annotations

import json

import pytest

from tests.bench import routing


def test_the_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert routing.main(["--json", "--scale", "0.3", "--decisions", "200"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in (
        "wait_p50_s",
        "wait_p90_s",
        "waited_with_room_share",
        "load_spread_max",
        "eta_abs_error_p50",
        "decisions_per_s",
    ):
        assert isinstance(figures[key], int | float)
        assert isinstance(figures[f"baseline_{key}"], int | float)
    assert figures["waited_with_room_share"] == 0
    assert figures["relaxed_waited_with_room_share"] == 0
    assert figures["unqualified_share"] == 0
