"""The ingest benchmark runs and prints the figures issue 2 asks for (its speed is not tested:
no timing thresholds in tests)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.processes import ROOT

REQUIRED = ("ratio_embedded", "p99_ms_embedded", "ratio_postgres", "e2e_msgs_per_s")


@pytest.mark.slow
def test_a_short_run_prints_every_figure_and_loses_nothing() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tests.bench.ingest", "--duration", "0.5", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    for key in (*REQUIRED, "e2e_p99_ms", "lost"):
        assert key in figures, key
    assert figures["lost"] == 0
    assert figures["e2e_errors"] == 0
    assert figures["e2e_msgs_per_s"] > 0
    # CPU per request, from both sides of each run, and the ceiling it implies
    for key in ("embedded_cpu_ms_per_req", "e2e_cpu_ms_per_msg", "e2e_loadgen_cpu_ms_per_msg"):
        assert figures[key] > 0, key
    one_core = 1000 / figures["e2e_cpu_ms_per_msg"]  # of rounded figures: 0.1 % of slack
    assert 0 < figures["e2e_cpu_ceiling_msgs_per_s"] <= one_core * 1.001
    assert "CPU ceiling" in run.stderr
