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


def _document_loc(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The error location as a path in the document: union tags pydantic inserts
    (e.g. the ``api`` of ``inboxes.0.api.secrets``) are not keys of the file, so skip them."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            if part in node:
                path.append(part)
                node = node[part]
            elif part == loc[-1]:
                path.append(part)  # an unknown or missing key: keep it, it is the subject
                node = None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif not isinstance(part, str | int):
            continue
    return tuple(path)


def _describe(error: Any, loc: tuple[str | int, ...]) -> str:
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
            loc = _document_loc(source.data, tuple(error.get("loc", ())))
            # a missing key belongs to its parent mapping's line
            anchor = loc[:-1] if error.get("type") == "missing" else loc
            problems.append(source.problem(anchor, _describe(error, loc)))
        return None, problems
