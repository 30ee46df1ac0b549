"""``hub escalation evaluate``: score one escalation signal on labelled messages.

A thin wrapper: the scoring is ``automations.escalation.evaluate.evaluate_file`` (also
runnable as ``python -m automations.escalation.evaluate``), so the command, the benchmark
and the tests measure the same thing.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

#: the signals that can be scored on single messages (``evaluate.SIGNALS``; a test keeps
#: them equal). Spelt here so ``hub`` starts without loading the detectors and the NLU.
SIGNALS = ("explicit_request", "frustration", "sensitive", "out_of_scope")
_CSV = click.Path(exists=False, dir_okay=False, path_type=Path)
_DIR = click.Path(exists=False, file_okay=False, path_type=Path)


@click.group(name="escalation")
def escalation() -> None:
    """Escalation detector tools."""


@escalation.command(name="evaluate")
@click.option("--data", type=_CSV, required=True, help="Labelled CSV, one message per row.")
@click.option("--signal", type=click.Choice(SIGNALS), required=True)
@click.option("--text-column", required=True, help="Column holding the message.")
@click.option("--label-column", required=True, help="Column holding the label.")
@click.option("--positive", required=True, help="Label value of the positive rows.")
@click.option("--language", default="en", show_default=True, help="Language of the messages.")
@click.option("--config", "config_dir", type=_DIR, default=None, help="Config directory.")
@click.option("--json", "as_json", is_flag=True, help="Last line: the figures as JSON.")
def evaluate_command(
    data: Path,
    signal: str,
    text_column: str,
    label_column: str,
    positive: str,
    language: str,
    config_dir: Path | None,
    as_json: bool,
) -> None:
    """Print support, precision, recall, F1, predicted positives and p99 latency of one
    signal; a message counts as positive when the signal reaches its threshold."""
    from automations.escalation.errors import EvaluationError
    from automations.escalation.evaluate import evaluate_file, table

    try:
        score = evaluate_file(
            data, signal, text_column, label_column, positive, language, config_dir
        )
    except EvaluationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(table([score]))
    if as_json:
        click.echo(json.dumps(score.to_dict()))
