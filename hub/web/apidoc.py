"""What the OpenAPI document says of a route, kept on the route's own handler.

A handler is documented where it is defined (``@documented(...)`` under its route), and
:mod:`hub.web.openapi` walks the app's route table: a route cannot be added without the
test of the document noticing it is neither documented nor listed as undocumented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel

Auth = Literal["agent", "visitor", "provider"]
F = TypeVar("F", bound=Callable[..., object])
_ATTRIBUTE = "__apidoc__"


@dataclass(frozen=True, slots=True)
class Doc:
    summary: str
    response: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    #: "agent" (bearer API token), "visitor" (visitor token), "provider" (signed webhook)
    auth: Auth | None = "agent"
    #: for a route of every method (``*``), the one method documented
    method: str | None = None


def documented(
    summary: str,
    response: type[BaseModel] | None = None,
    *,
    status: int = 200,
    body: type[BaseModel] | None = None,
    auth: Auth | None = "agent",
    method: str | None = None,
) -> Callable[[F], F]:
    """Attach the documentation of the route this handler serves."""
    doc = Doc(summary, response, status, body, auth, method)

    def mark(handler: F) -> F:
        setattr(handler, _ATTRIBUTE, doc)
        return handler

    return mark


def doc_of(handler: object) -> Doc | None:
    found = getattr(handler, _ATTRIBUTE, None)
    return found if isinstance(found, Doc) else None
