"""``hub nlu evaluate``: check a model on labelled CSVs before going live.

Registered in the main CLI as the ``nlu`` group; also runnable alone:
``python -m hub.cli.nlu evaluate --train TRAIN.csv --test TEST.csv``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:  # the model stack (numpy, scikit-learn) loads only when a command runs
    from automations.nlu.evaluate import EvaluationReport

_CSV = click.Path(exists=False, dir_okay=False, path_type=Path)


def render(report: EvaluationReport, console: Console) -> None:
    """The report's lines (``EvaluationReport.summary_rows``) and, with out-of-scope test
    rows, the retention curve the operator picks ``in_scope_retention`` from."""
    table = Table(title="NLU evaluation", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in report.summary_rows():
        table.add_row(name, value)
    console.print(table)
    if report.oos_recall is None or not report.curve:
        return
    curve = Table(title="in_scope_retention: what each target gives on the test rows")
    for column in ("retention", "answered", "in-scope accuracy", "OOS recall", "OOS precision"):
        curve.add_column(column, justify="right")
    for row in report.curve_rows():
        curve.add_row(*row)
    console.print(curve)


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
        click.echo(json.dumps(result.json_dict()))
    else:
        render(result, console)


if __name__ == "__main__":
    nlu()
