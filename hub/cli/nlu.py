"""``hub nlu evaluate``: check a model on labelled CSVs before going live.

Registered in the main CLI as the ``nlu`` group; also runnable alone:
``python -m hub.cli.nlu evaluate --train TRAIN.csv --test TEST.csv``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:  # the model stack (numpy, scikit-learn) loads only when a command runs
    from automations.nlu.evaluate import EvaluationReport

_CSV = click.Path(exists=False, dir_okay=False, path_type=Path)


def _percent(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.2f} %"


def render(report: EvaluationReport, console: Console) -> None:
    table = Table(title="NLU evaluation", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("accuracy (top intent, in-scope rows)", _percent(report.accuracy))
    table.add_row("macro-F1", _percent(report.macro_f1))
    table.add_row("in-scope accuracy (right and not rejected)", _percent(report.in_scope_accuracy))
    table.add_row("out-of-scope recall", _percent(report.oos_recall))
    table.add_row("out-of-scope precision", _percent(report.oos_precision))
    table.add_row(
        "latency p50 / p99", f"{report.latency_ms_p50:.2f} / {report.latency_ms_p99:.2f} ms"
    )
    table.add_row("training", f"{report.train_seconds:.2f} s ({report.train_rows} rows)")
    table.add_row("peak memory", f"{report.peak_rss_mib:.0f} MiB")
    table.add_row("threshold", f"{report.threshold:.3f} (calibrated on {report.calibrated_on})")
    console.print(table)


@click.group(name="nlu")
def nlu() -> None:
    """Intent classification tools."""


@nlu.command(name="evaluate")
@click.option("--train", "train", type=_CSV, required=True, help="CSV to train on.")
@click.option("--test", "test", type=_CSV, required=True, help="CSV to test on.")
@click.option("--validation", type=_CSV, default=None, help="CSV to calibrate on.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="category", show_default=True)
@click.option("--oos-label", default="oos", show_default=True, help="Label of out-of-scope rows.")
@click.option("--few-shot", type=int, default=None, help="Train on N rows per label.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate_command(
    train: Path,
    test: Path,
    validation: Path | None,
    text_column: str,
    label_column: str,
    oos_label: str,
    few_shot: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """Train on --train, test on --test and print accuracy, out-of-scope figures,
    latency and memory."""
    from automations.nlu.errors import NluError
    from automations.nlu.evaluate import evaluate

    console = Console(stderr=as_json)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(step: str, share: float) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=1.0)
            progress.update(tasks[step], completed=share)

        try:
            result = evaluate(
                train,
                test,
                validation,
                text_column=text_column,
                label_column=label_column,
                oos_label=oos_label,
                few_shot_n=few_shot,
                seed=seed,
                progress=report,
            )
        except NluError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        keys = (
            "accuracy",
            "macro_f1",
            "in_scope_accuracy",
            "oos_recall",
            "oos_precision",
            "latency_ms_p50",
            "latency_ms_p99",
            "train_seconds",
            "peak_rss_mib",
        )
        data = result.to_dict()
        click.echo(json.dumps({key: data[key] for key in keys}))
    else:
        render(result, console)


if __name__ == "__main__":
    nlu()
