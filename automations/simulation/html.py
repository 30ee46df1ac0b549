"""The self-contained HTML report: one static file, charts as inline SVG, no script.

Charts are drawn with matplotlib's object API (no pyplot, so no global figure state) and
written as SVG straight into the page: matplotlib is the best-kept plotting library in
Python, its SVG needs neither JavaScript nor a network to open, prints well and diffs as
text. A fixed ``svg.hashsalt`` and no date in the metadata keep the file identical for
identical reports.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from automations.simulation.report import Report

_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2433}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #d0d7e2;border-radius:8px;padding:.8rem 1.2rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7e2;padding:.3rem .6rem;
text-align:left;font-size:.9rem}svg{max-width:100%;height:auto}
"""


def _svg(draw: Any, width: float = 7.5, height: float = 3.0) -> str:
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with rc_context({"svg.hashsalt": "hub-simulate", "svg.fonttype": "none"}):
        figure = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasSVG(figure)
        draw(figure.add_subplot())
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return _METADATA.sub("", text[text.index("<svg") :])  # who made it, not what it shows


def _bars(items: Mapping[str, int], title: str, color: str = "#3b6fd4") -> str:
    names = list(items)[:12][::-1]
    values = [items[n] for n in names]

    def draw(ax: Any) -> None:
        ax.barh(names, values, color=color)
        ax.set_title(title)
        for spot, value in enumerate(values):
            ax.text(value, spot, f" {value}", va="center")
        ax.spines[["top", "right"]].set_visible(False)

    return _svg(draw, height=max(1.6, 0.35 * len(names) + 0.9))


def _load(team: str, load: Mapping[str, Any]) -> str:
    hours = list(range(24))
    days = max(1, int(load["days"]))

    def draw(ax: Any) -> None:
        open_share = [d / days for d in load["open_days"]]
        top = max([*load["arrivals"], *load["enter_queue"], 1])
        ax.bar(hours, [s * top for s in open_share], width=1.0, color="#e6efe1", label="open hours")
        ax.bar(
            [h - 0.2 for h in hours], load["arrivals"], width=0.4, color="#9aa9c2", label="handoffs"
        )
        ax.bar(
            [h + 0.2 for h in hours],
            load["enter_queue"],
            width=0.4,
            color="#d4763b",
            label="enter the queue",
        )
        ax.set_xticks(hours)
        ax.set_xlabel("hour of day (hub time zone)")
        ax.set_title(f"Projected queue load: {team}")
        ax.legend(loc="upper left", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)

    return _svg(draw)


def _table(rows: Sequence[Sequence[Any]], head: Sequence[str]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def render(report: Report, title: str = "Simulation report") -> str:
    data = report.data
    cards = "".join(
        f'<div class="card">{html.escape(k.replace("_", " "))}<b>{data[k]}</b></div>'
        for k in (
            "conversations",
            "automated",
            "escalated",
            "out_of_scope",
            "abandoned",
            "skipped_lines",
        )
    )
    outcome = {k: data[k] for k in ("automated", "escalated", "out_of_scope", "abandoned")}
    parts = [
        f"<h1>{html.escape(title)}</h1><div class='cards'>{cards}</div>",
        f"<p>Escalation rate {data['escalation_rate']:.1%}, automation rate "
        f"{data['automation_rate']:.1%}; {data['after_hours_handoffs']} handoffs after hours.</p>",
        "<h2>Outcomes</h2>",
        _bars(outcome, "Conversations by outcome"),
    ]
    if data["escalated_by_reason"]:
        parts += [
            "<h2>Escalations</h2>",
            _bars(data["escalated_by_reason"], "By reason", "#d4763b"),
        ]
        parts.append(_table(list(data["escalated_by_channel"].items()), ["channel", "escalated"]))
        parts.append(_table(list(data["escalated_by_language"].items()), ["language", "escalated"]))
    if data["intents"]:
        parts += ["<h2>Intents and articles</h2>", _bars(data["intents"], "Intents hit", "#4c9a6a")]
        if data["articles"]:
            parts.append(_table(list(data["articles"].items()), ["article", "answers"]))
    parts.append("<h2>Surveys completed</h2>")
    parts.append(_table(list(data["surveys_completed"].items()), ["survey", "completed"]))
    rows: list[tuple[Any, ...]]
    for team, load in data["queue_load"].items():
        parts.append(_load(team, load))
    if data["knowledge_gaps"]:
        parts.append("<h2>Knowledge gaps (unanswered questions, clustered)</h2>")
        rows = [(g["size"], " | ".join(g["examples"])) for g in data["knowledge_gaps"]]
        parts.append(_table(rows, ["questions", "examples"]))
    diff = data.get("diff")
    if diff is not None:
        parts.append(f"<h2>Changed against the baseline: {diff['changed']}</h2>")
        rows = [
            (c["id"], c["baseline"], c["current"], ", ".join(c["rules_added"] + c["rules_removed"]))
            for c in diff["conversations"][:200]
        ]
        parts.append(_table(rows, ["conversation", "baseline", "now", "rules"]))
    if data["problems"]:
        parts.append("<h2>Skipped lines</h2>")
        rows = [(p["line"], p["conversation"] or "", p["reason"]) for p in data["problems"][:200]]
        parts.append(_table(rows, ["line", "conversation", "reason"]))
    body = "\n".join(parts)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


__all__ = ["render"]
