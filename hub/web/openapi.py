"""The OpenAPI document, generated from the same pydantic models that validate the bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from hub.web import automation_api as automation
from hub.web import schemas as s

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    response: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    auth: str | None = "agent"  #: "agent" (bearer API token), "visitor", "provider" or None


OPERATIONS = (
    Operation("get", "/api/me", "The authenticated agent", s.AgentOut),
    Operation("get", "/api/conversations", "List visible conversations", s.ConversationListOut),
    Operation(
        "get",
        "/api/conversations/{id}",
        "One conversation with its messages",
        s.ConversationDetailOut,
    ),
    Operation(
        "post",
        "/api/conversations/{id}/messages",
        "Reply to the customer",
        s.MessageOut,
        201,
        s.ReplyIn,
    ),
    Operation(
        "patch",
        "/api/contacts/{id}/fields",
        "Write custom fields (validated like survey answers; null clears)",
        s.ContactOut,
        200,
        s.FieldsIn,
    ),
    Operation(
        "get",
        "/api/conversations/{id}/explanations",
        "Rules fired per event, their condition results, actions run and failures",
        automation.ExplanationsOut,
    ),
    Operation(
        "get",
        "/api/teams/{name}/conversations",
        "A team's queue (its agents, supervisors and admins)",
        automation.TeamQueueOut,
    ),
    Operation(
        "get",
        "/api/messages/{id}/attachments/{index}",
        "Download an inbound attachment (fetched from the provider on request)",
        None,
    ),
    Operation(
        "post",
        "/api/webchat/{inbox}/sessions",
        "Start or renew a visitor session",
        s.VisitorSessionOut,
        201,
        None,
        None,
    ),
    Operation(
        "get",
        "/api/webchat/{inbox}/messages",
        "The visitor's history",
        s.VisitorHistoryOut,
        200,
        None,
        "visitor",
    ),
    Operation(
        "post",
        "/api/webchat/{inbox}/messages",
        "Send a visitor message",
        s.VisitorMessageAccepted,
        202,
        s.VisitorMessageIn,
        "visitor",
    ),
    Operation(
        "post",
        "/webhooks/{inbox}",
        "Provider webhook (signature checked per inbox kind)",
        None,
        200,
        None,
        "provider",
    ),
    Operation("get", "/healthz", "Liveness", None, 200, None, None),
    Operation("get", "/readyz", "Readiness (database, Redis)", None, 200, None, None),
)


def document() -> dict[str, Any]:
    models = {m for op in OPERATIONS for m in (op.response, op.body) if m is not None}
    models.add(s.ErrorOut)
    mode: Literal["validation"] = "validation"
    keyed = [(m, mode) for m in sorted(models, key=lambda m: m.__name__)]
    refs, schema = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {}
        if op.response is not None:
            responses[str(op.status)] = {
                "description": op.summary,
                "content": {"application/json": {"schema": refs[(op.response, "validation")]}},
            }
        else:
            responses[str(op.status)] = {"description": op.summary}
        error = {"content": {"application/json": {"schema": refs[(s.ErrorOut, "validation")]}}}
        responses["400"] = {"description": "invalid request", **error}
        if op.auth:
            responses["401"] = {"description": "not authenticated", **error}
        entry: dict[str, Any] = {"summary": op.summary, "responses": responses}
        params = [p.strip("{}") for p in op.path.split("/") if p.startswith("{")]
        if params:
            entry["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in params
            ]
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        if op.auth in ("agent", "visitor"):
            entry["security"] = [{"bearer": []}]
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Messaging hub API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())
