"""Turn pydantic validation errors into ``file:line: message`` problems."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from config.errors import Problem
from config.source import SourceFile

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for every config model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _describe(error: Any) -> str:
    loc = error.get("loc", ())
    kind = error.get("type", "")
    field = ".".join(str(p) for p in loc if not isinstance(p, int)) or "document"
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}'"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    return f"{field}: {message}"


def validate_source(model: type[ModelT], source: SourceFile) -> tuple[ModelT | None, list[Problem]]:
    """Validate a parsed file against a model; every error is located in the file."""
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error.get("loc", ()) if isinstance(p, str | int))
            # a missing key belongs to its parent mapping's line
            anchor = loc[:-1] if error.get("type") == "missing" else loc
            problems.append(source.problem(anchor, _describe(error)))
        return None, problems
