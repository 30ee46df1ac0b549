"""The terminal summary of a simulation report (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from automations.simulation import Report


def _table(title: str, rows: dict[str, int], limit: int = 8) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("count", justify="right")
    for name, count in list(rows.items())[:limit]:
        table.add_row(name, f"{count:,}")
    return table


def summary(console: Console, report: Report) -> None:
    data = report.data
    total = data["conversations"]
    head = Table(title="Simulation", title_justify="left")
    head.add_column("outcome")
    head.add_column("conversations", justify="right")
    head.add_column("share", justify="right")
    for key in ("automated", "escalated", "out_of_scope", "abandoned"):
        share = data[key] / total if total else 0.0
        head.add_row(key.replace("_", " "), f"{data[key]:,}", f"{share:.1%}")
    head.add_row("total", f"{total:,}", "")
    console.print(head)
    for title, key in (
        ("Escalated by reason", "escalated_by_reason"),
        ("Escalated by channel", "escalated_by_channel"),
        ("Intents hit", "intents"),
        ("Surveys completed", "surveys_completed"),
    ):
        if data[key]:
            console.print(_table(title, data[key]))
    gaps = data["knowledge_gaps"]
    if gaps:
        table = Table(title="Knowledge gaps (largest first)", title_justify="left")
        table.add_column("questions", justify="right")
        table.add_column("examples")
        for gap in gaps[:5]:
            table.add_row(str(gap["size"]), " | ".join(gap["examples"]))
        console.print(table)
    diff = data.get("diff")
    if diff is not None:
        table = Table(
            title=f"Changed against the baseline: {diff['changed']} {diff['moves']}",
            title_justify="left",
        )
        for column in ("conversation", "line", "baseline", "now", "cause"):
            table.add_column(column)
        for item in diff["conversations"][:10]:
            table.add_row(
                item["id"], str(item["line"]), item["baseline"], item["current"], item["cause"]
            )
        console.print(table)
    if data["skipped_lines"]:
        console.print(f"[yellow]Skipped lines: {data['skipped_lines']}[/yellow]")
        for problem in data["problems"][:10]:
            console.print(f"  line {problem['line']}: {problem['reason']}")
    if data["skipped"]:
        console.print(f"Left out on import: {data['skipped']}")


__all__ = ["summary"]
