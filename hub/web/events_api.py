"""``GET /api/events/failed``: what processing gave up on, for supervisors and admins.

Only the facts an operator decides on (kind, attempts, reason, when), never the payload:
it holds customer text. Retry and discard are ``hub events retry|discard ID``.
"""

from __future__ import annotations

import json
from datetime import datetime

from aiohttp import web
from pydantic import BaseModel

from hub.errors import Forbidden, InvalidRequest
from hub.inbound.failed_events import list_failed
from hub.store.models import AgentRole
from hub.web.agent_api import AGENT, authenticated
from hub.web.apidoc import documented
from hub.web.keys import RUNTIME

routes = web.RouteTableDef()
MAX_LIST = 500


class FailedEventOut(BaseModel):
    id: str
    inbox: str | None
    kind: str
    attempts: int
    error: str
    received_at: datetime


class FailedEventListOut(BaseModel):
    events: list[FailedEventOut]


@routes.get("/api/events/failed")
@documented("Failed inbound events, newest first (supervisors and admins)", FailedEventListOut)
@authenticated
async def failed_events(request: web.Request) -> web.Response:
    """Page with ``?limit=`` (at most 500) and ``?before=`` (an ISO time)."""
    if request[AGENT].role not in (AgentRole.SUPERVISOR, AgentRole.ADMIN):
        raise Forbidden("only supervisors and admins see failed events")
    try:
        limit = min(MAX_LIST, max(1, int(request.query.get("limit", "100"))))
        before_raw = request.query.get("before")
        before = datetime.fromisoformat(before_raw) if before_raw else None
    except ValueError:
        raise InvalidRequest("limit must be an integer and before an ISO date-time") from None
    inboxes = request.app[RUNTIME].ctx.inboxes_by_id
    events = [
        FailedEventOut(
            id=e.id,
            inbox=inboxes[e.inbox_id].slug if e.inbox_id in inboxes else None,
            kind=e.kind,
            attempts=e.attempts,
            error=e.error,
            received_at=e.received_at,
        )
        for e in await list_failed(limit, before)
    ]
    body = FailedEventListOut(events=events)
    return web.json_response(json.loads(body.model_dump_json()))
