"""Compile ``if`` conditions once into closures.

Each leaf becomes ``(subject getter, predicate)`` with its arguments pre-processed (sets
built, regexes compiled, texts normalised, clock times in minutes), so evaluating a rule is
a few function calls. Passing a ``trace`` list records what every evaluated leaf returned,
with the value it saw: the rule explanation. ``all``/``any`` short-circuit, so leaves not
needed for the answer are not evaluated (and not recorded).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from automations.errors import RuleCompileError
from automations.matching import normalise
from automations.rules.facts import Event, Facts
from config.rules import Condition, Test, clock, operators_for

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConditionTrace(NamedTuple):
    """One evaluated leaf: where it is, what it tests, what it saw and what it returned.

    An immutable named tuple rather than a frozen dataclass: dozens are made per event on
    the hot path and a frozen dataclass costs several times more to build. ``actual`` is
    the value as seen, kept raw (shown with :func:`show` when serialised) for the same
    reason.
    """

    path: str
    test: str
    actual: Any
    value: bool


class EvalContext:
    """Per-evaluation view of event and facts; costly derivations are computed lazily."""

    __slots__ = ("_local", "_text", "event", "facts")

    def __init__(self, event: Event, facts: Facts) -> None:
        self.event = event
        self.facts = facts
        self._text: str | None = None
        self._local: datetime | None = None

    @property
    def normalised_text(self) -> str:
        if self._text is None:
            self._text = normalise(self.event.text or "")
        return self._text

    @property
    def local_time(self) -> datetime:
        if self._local is None:
            self._local = self.facts.now.astimezone(_zone(self.facts.timezone))
        return self._local


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


Trace = list[ConditionTrace] | None
Compiled = Callable[[EvalContext, Trace], bool]
Getter = Callable[[EvalContext], Any]
Predicate = Callable[[Any], bool]


def _getter(subject: str, name: str | None) -> Getter:
    key = name or ""
    if subject == "field":
        return lambda c: c.facts.fields.get(key)
    if subject == "contact":
        return lambda c: c.facts.contact.get(key)
    if subject == "conversation":
        return lambda c: c.facts.conversation.get(key)
    simple: dict[str, Getter] = {
        "channel": lambda c: c.facts.channel,
        "inbox": lambda c: c.facts.inbox,
        "language": lambda c: c.facts.language,
        "text": lambda c: c.event.text,
        "intent": lambda c: c.event.intent,
        "confidence": lambda c: c.event.confidence,
        "button": lambda c: c.event.button,
        "time": lambda c: c.local_time,
    }
    try:
        return simple[subject]
    except KeyError:
        raise RuleCompileError(f"unknown condition subject '{subject}'") from None


def _key(value: Any) -> Any:
    """Comparable form: dates as ISO text so a stored ``"2025-01-31"`` equals a date."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _is_collection(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _minutes(text: str) -> int:
    hours, minutes = clock(text)
    return hours * 60 + minutes


def _predicate(op: str, arg: Any, subject: str) -> Predicate:
    text = subject == "text"
    if op in ("equals", "not_equals"):
        wanted = normalise(str(arg)) if text else _key(arg)

        def equals(value: Any) -> bool:
            if text:
                return value is not None and normalise(str(value)) == wanted
            if _is_collection(value):
                return any(_key(v) == wanted for v in value)
            return value is not None and _key(value) == wanted

        return equals if op == "equals" else (lambda value: not equals(value))
    if op in ("in", "not_in"):
        wanted_set = frozenset(normalise(str(a)) if text else _key(a) for a in arg)

        def member(value: Any) -> bool:
            if value is None:
                return False
            if text:
                return normalise(str(value)) in wanted_set
            if _is_collection(value):
                return any(_key(v) in wanted_set for v in value)
            return _key(value) in wanted_set

        return member if op == "in" else (lambda value: not member(value))
    if op == "is_set":
        want = bool(arg)
        return lambda value: (
            (value is not None and value != "" and value != () and value != []) is want
        )
    if op == "contains_any":
        needles = tuple(normalise(str(a)) for a in arg)

        def contains(value: Any) -> bool:
            if value is None:
                return False
            if _is_collection(value):
                return any(normalise(str(v)) in needles for v in value)
            hay = normalise(str(value))
            return any(n in hay for n in needles)

        return contains
    if op == "matches":
        pattern = re.compile(arg)
        return lambda value: value is not None and pattern.search(str(value)) is not None
    if op in ("gt", "gte", "lt", "lte"):
        bound = float(arg)
        compare: Callable[[float], bool] = {
            "gt": lambda n: n > bound,
            "gte": lambda n: n >= bound,
            "lt": lambda n: n < bound,
            "lte": lambda n: n <= bound,
        }[op]

        def numeric(value: Any) -> bool:
            number = _number(value)
            return number is not None and compare(number)

        return numeric
    if op == "between":
        start, end = _minutes(arg[0]), _minutes(arg[1])

        def between(value: datetime) -> bool:
            minute = value.hour * 60 + value.minute
            if start <= end:
                return start <= minute < end
            return minute >= start or minute < end  # across midnight (19:00-08:00)

        return between
    if op == "before":
        limit = _minutes(arg)
        return lambda value: value.hour * 60 + value.minute < limit
    if op == "after":
        limit = _minutes(arg)
        return lambda value: value.hour * 60 + value.minute >= limit
    if op == "weekdays":
        days = frozenset(_WEEKDAYS.index(d) for d in arg)
        return lambda value: value.weekday() in days
    raise RuleCompileError(f"unknown operator '{op}'")


def show(value: Any) -> str:
    """Short printable form of a value seen by a condition."""
    if isinstance(value, datetime):
        return value.strftime("%a %H:%M %Z")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text_leaf(op: str, arg: Any, description: str, path: str) -> Compiled | None:
    """Fast paths for the commonest leaves, keyword lists and regexes over the text: no
    getter or predicate indirection, the text normalised once per event."""
    if op == "contains_any":
        needles = tuple(normalise(str(a)) for a in arg)

        def contains(ctx: EvalContext, trace: Trace) -> bool:
            text = ctx.event.text
            result = False
            if text is not None:
                hay = ctx.normalised_text
                for needle in needles:
                    if needle in hay:
                        result = True
                        break
            if trace is not None:
                trace.append(ConditionTrace(path, description, text, result))
            return result

        return contains
    if op == "matches":
        search = re.compile(arg).search

        def matches(ctx: EvalContext, trace: Trace) -> bool:
            text = ctx.event.text
            result = text is not None and search(text) is not None
            if trace is not None:
                trace.append(ConditionTrace(path, description, text, result))
            return result

        return matches
    return None


def _leaf(subject: str, name: str | None, test: Test, path: str) -> Compiled:
    allowed = operators_for(subject)
    label = f"{subject}.{name}" if name else subject
    getter = _getter(subject, name)
    parts: list[tuple[str, Predicate]] = []
    for op, arg in test.operators.items():
        if op not in allowed:
            raise RuleCompileError(f"{path}: operator '{op}' does not apply to {label}")
        parts.append((f"{label} {op} {arg!r}", _predicate(op, arg, subject)))
    if subject == "text" and len(test.operators) == 1:
        ((op, arg),) = test.operators.items()
        fast = _text_leaf(op, arg, parts[0][0], path)
        if fast is not None:
            return fast

    if len(parts) == 1:
        ((description, predicate),) = parts

        def single(ctx: EvalContext, trace: Trace) -> bool:
            value = getter(ctx)
            result = predicate(value)
            if trace is not None:
                trace.append(ConditionTrace(path, description, value, result))
            return result

        return single

    description = " and ".join(d for d, _ in parts)
    predicates = tuple(p for _, p in parts)

    def several(ctx: EvalContext, trace: Trace) -> bool:
        value = getter(ctx)
        result = all(p(value) for p in predicates)
        if trace is not None:
            trace.append(ConditionTrace(path, description, value, result))
        return result

    return several


def _all(parts: tuple[Compiled, ...]) -> Compiled:
    if len(parts) == 1:
        return parts[0]

    def all_of(ctx: EvalContext, trace: Trace) -> bool:
        for part in parts:  # noqa: SIM110 - a plain loop is the hot path's fastest form
            if not part(ctx, trace):
                return False
        return True

    return all_of


def compile_condition(cond: Condition, path: str = "if") -> Compiled:
    """One closure for a whole condition tree (keys of one mapping are ANDed)."""
    parts: list[Compiled] = []
    for subject in ("field", "contact", "conversation"):
        mapping: dict[str, Test] | None = getattr(cond, subject)
        for name, test in (mapping or {}).items():
            parts.append(_leaf(subject, name, test, f"{path}.{subject}.{name}"))
    for subject in (
        "channel",
        "inbox",
        "language",
        "button",
        "intent",
        "confidence",
        "time",
        "text",
    ):
        test = getattr(cond, subject)
        if test is not None:
            parts.append(_leaf(subject, None, test, f"{path}.{subject}"))
    if cond.all_:
        parts.append(
            _all(tuple(compile_condition(c, f"{path}.all[{i}]") for i, c in enumerate(cond.all_)))
        )
    if cond.any_:
        options = tuple(compile_condition(c, f"{path}.any[{i}]") for i, c in enumerate(cond.any_))

        def any_of(ctx: EvalContext, trace: Trace) -> bool:
            for option in options:  # noqa: SIM110 - see all_of
                if option(ctx, trace):
                    return True
            return False

        parts.append(any_of)
    if cond.not_ is not None:
        inner = compile_condition(cond.not_, f"{path}.not")
        not_path = f"{path}.not"

        def negate(ctx: EvalContext, trace: Trace) -> bool:
            result = not inner(ctx, trace)
            if trace is not None:
                trace.append(ConditionTrace(not_path, "not", None, result))
            return result

        parts.append(negate)
    if not parts:
        raise RuleCompileError(f"{path}: empty condition")
    return _all(tuple(parts))
