"""Text gates: the keywords a message must contain for a rule's condition to be true.

The rule engine (``automations/rules/engine.py``) skips a rule whose gate keyword is not
in the message without evaluating its condition; for thousands of keyword rules that is
most of the work. A gate is only taken where its falsity makes the whole condition false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from automations.matching import normalise
from automations.rules.conditions import ConditionTrace
from config.rules import Condition


class _EventText:
    """Marks a trace whose value seen is the event's text (kept once on the explanation)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "EVENT_TEXT"


EVENT_TEXT: Any = _EventText()


@dataclass(frozen=True, slots=True)
class TextGate:
    """Keywords one of which the message must contain for a rule to match.

    Taken from ``text contains_any`` leaves whose falsity makes the whole condition false.
    When none is in the message the rule is false without running its condition; ``traces``
    are those leaves' records for the explanation (the value they saw is
    :data:`EVENT_TEXT`: the explanation carries the text once).
    """

    keywords: frozenset[str]
    traces: tuple[ConditionTrace, ...]


#: the start of a regex: optional (?i), anchors, then a run of plain characters
_LEADING_LITERAL = re.compile(r"(?:\(\?i\))?(?:\^|\\b)*([A-Za-z0-9 ]+)(.?)")


def required_phrase(pattern: str) -> str | None:
    """A phrase every match of ``pattern`` contains (normalised), or None.

    Only the plain characters the regex starts with are used, and only when nothing can
    make them optional: no ``|`` anywhere, no flag but a leading ``(?i)`` (``(?x)`` would
    make spaces meaningless), and a quantifier right after the run drops its last char.
    ``(?i)\\brefund(s|ed)?\\b`` gives ``refund``; ``\\d+ refund`` gives None.
    """
    if "|" in pattern or (pattern.startswith("(?") and not pattern.startswith("(?i)")):
        return None
    match = _LEADING_LITERAL.match(pattern)
    if match is None:
        return None
    run, following = match.group(1), match.group(2)
    if following in ("?", "*", "{"):
        run = run[:-1]
    return normalise(run) or None


def text_gate(cond: Condition, path: str = "if") -> TextGate | None:
    """The gate of ``cond``: a keyword leaf of the top mapping or of an ``all`` item, or an
    ``any`` whose every option has a gate (their keywords together). Never under ``not``.

    Keyword leaves are ``contains_any`` lists and regexes with a :func:`required_phrase`:
    both can only be true when their phrase is in the normalised text.
    """
    test = cond.text
    if test is not None:
        ops = test.operators
        keywords: frozenset[str] | None = None
        if set(ops) == {"contains_any"}:
            keywords = frozenset(normalise(str(w)) for w in ops["contains_any"])
        elif set(ops) == {"matches"}:
            phrase = required_phrase(ops["matches"])
            keywords = frozenset({phrase}) if phrase else None
        if keywords is not None:
            ((op, arg),) = ops.items()
            description = f"text {op} {arg!r}"
            return TextGate(
                keywords, (ConditionTrace(f"{path}.text", description, EVENT_TEXT, False),)
            )
    for index, sub in enumerate(cond.all_ or ()):
        gate = text_gate(sub, f"{path}.all[{index}]")
        if gate is not None:
            return gate
    if cond.any_:
        gates = [text_gate(sub, f"{path}.any[{i}]") for i, sub in enumerate(cond.any_)]
        if all(g is not None for g in gates):
            present = [g for g in gates if g is not None]
            return TextGate(
                frozenset().union(*(g.keywords for g in present)),
                tuple(t for g in present for t in g.traces),
            )
    return None
