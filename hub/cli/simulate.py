"""``hub simulate``: replay past conversations through a config before it goes live.

A thin edge over ``automations.simulation``: it reads the history file, builds the brain
of each config directory, draws a progress bar, and writes the outputs (a rich summary,
``--json``'s last line, ``--report``'s HTML file). Exit 1 when a ``--fail-if`` gate is
crossed, 2 for a gate it cannot read or input it cannot open.
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import click

_FILE = click.Path(exists=False, dir_okay=False, path_type=Path)
_DIR = click.Path(exists=False, file_okay=False, path_type=Path)
_SINCE = re.compile(r"^(\d+)([dhm])$")


def parse_since(text: str | None) -> timedelta | None:
    if text is None:
        return None
    match = _SINCE.match(text.strip())
    if match is None:
        raise click.BadParameter("use a number and d, h or m, e.g. 30d", param_hint="--since")
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "m": timedelta(minutes=amount),
    }[unit]


def _stop(message: str, code: int = 2) -> None:
    click.echo(f"hub simulate: {message}", err=True)
    sys.exit(code)


@click.command(name="simulate")
@click.option(
    "--history", type=_FILE, required=True, help="JSONL (plain or hub export) or Chatwoot JSON."
)
@click.option("--config", "config_dir", type=_DIR, required=True, help="Config directory to test.")
@click.option("--baseline", type=_DIR, default=None, help="Config directory to compare with.")
@click.option(
    "--format",
    "history_format",
    type=click.Choice(["auto", "jsonl", "chatwoot"]),
    default="auto",
    show_default=True,
)
@click.option("--since", "since_text", default=None, help="Only the last N days/hours (30d, 12h).")
@click.option(
    "--report", "report_path", type=_FILE, default=None, help="Write the HTML report here."
)
@click.option("--json", "as_json", is_flag=True, help="Last line: the report as one JSON object.")
@click.option(
    "--fail-if", "gates", multiple=True, help='Exit 1 when true, e.g. "escalation_rate>0.25".'
)
@click.option(
    "--encoder/--no-encoder", default=False, show_default=True, help="Use the sentence encoder."
)
def simulate_command(
    history: Path,
    config_dir: Path,
    baseline: Path | None,
    history_format: str,
    since_text: str | None,
    report_path: Path | None,
    as_json: bool,
    gates: tuple[str, ...],
    encoder: bool,
) -> None:
    """Replay a history through --config (and --baseline) and report what would happen."""
    from rich.console import Console
    from rich.progress import Progress

    from automations.simulation import GateError, crossed, metrics_of, parse_gate, simulate, since
    from automations.simulation.html import render
    from hub.cli.simulate_setup import read_history, target_for

    window = parse_since(since_text)
    try:
        text = history.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _stop(f"cannot read {history}: {exc}")
    found = since(read_history(text, history_format), window)
    current = target_for(config_dir, encoder)
    base = target_for(baseline, encoder) if baseline is not None else None
    console = Console(stderr=as_json)
    total = len(found.conversations) * (2 if base is not None else 1)
    with Progress(console=console, transient=True, disable=total < 200) as bar:
        task = bar.add_task("replaying", total=total)
        report, _ = simulate(found, current, baseline=base, progress=lambda n: bar.advance(task, n))
    known = metrics_of(report.data)
    try:
        parsed = [parse_gate(g, known) for g in gates]
    except GateError as exc:
        _stop(str(exc))
    from hub.cli.simulate_summary import summary

    summary(console, report)
    if report_path is not None:
        report_path.write_text(render(report), encoding="utf-8")
        console.print(f"HTML report: {report_path}")
    failed = crossed(parsed, known)
    for line in failed:
        console.print(f"[red]fail-if crossed: {line}[/red]")
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
    if failed:
        sys.exit(1)


__all__ = ["simulate_command"]
