"""The inbox's conversation list: views with counts, a status filter, urgent first.

Views: ``mine`` (assigned to me), ``unassigned`` (queued for a person, nobody has it)
and ``all`` (supervisors and admins only), always inside the agent API's ``visible_to``.
Order: priority (high first), then SLA due time (soonest first, none last), then waiting
since (the escalation; none last), then id: the order agents should take them in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from tortoise.expressions import Case, Q, When
from tortoise.queryset import QuerySet

from hub.errors import Forbidden, InvalidRequest
from hub.store.models import Agent, AgentRole, Conversation, ConversationStatus
from hub.web.agent_api import AGENT, request_view
from hub.web.inbox import keyset
from hub.web.inbox.rows import conversation_rows
from hub.web.inbox.sessions import SESSION, signed_in
from hub.web.keys import RUNTIME

routes = web.RouteTableDef()
VIEWS = ("mine", "unassigned", "all")
STATUSES = ("open", "any", *(s.value for s in ConversationStatus))
MAX_PAGE = 100
KEYS = (
    keyset.Key("priority", descending=True),
    keyset.Key("sla_due_at", nullable=True),
    keyset.Key("escalated_at", nullable=True),
    keyset.Key("id"),
)
DATETIMES = frozenset({"sla_due_at", "escalated_at"})


def sees_all(agent: Agent) -> bool:
    return agent.role in (AgentRole.SUPERVISOR, AgentRole.ADMIN)


def view_filter(agent: Agent, view: str) -> Q:
    if view == "mine":
        return Q(assignee_id=agent.id)
    if view == "unassigned":
        return Q(assignee_id__isnull=True, status=ConversationStatus.QUEUED)
    if view == "all":
        if not sees_all(agent):
            raise Forbidden("only supervisors and admins see all conversations")
        return Q()
    raise InvalidRequest(f"view must be one of {', '.join(VIEWS)}")


def status_q(status: str) -> Q:
    if status == "open":
        return ~Q(status=ConversationStatus.RESOLVED)
    if status == "any":
        return Q()
    if status in STATUSES:
        return Q(status=status)
    raise InvalidRequest(f"status must be one of {', '.join(STATUSES)}")


def ordered(query: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """``KEYS``' order with nulls last on both databases (SQLite sorts nulls first); the
    flags are the string constants '0' and '1', which sort like the numbers."""
    return query.annotate(
        sla_none=Case(When(sla_due_at__isnull=True, then="1"), default="0"),
        esc_none=Case(When(escalated_at__isnull=True, then="1"), default="0"),
    ).order_by("-priority", "sla_none", "sla_due_at", "esc_none", "escalated_at", "id")


def cursor_of(conversation: Conversation) -> str:
    return keyset.encode(
        [conversation.priority, conversation.sla_due_at, conversation.escalated_at, conversation.id]
    )


async def page_of(
    agent: Agent, scope: Q, view: str, status: str, limit: int, after: str | None
) -> tuple[list[Conversation], str | None]:
    """One page of a view and the cursor of the next (None on the last page); ``scope``
    is what the agent may see (the agent API's ``visible_to``, teams included)."""
    query = Conversation.filter(scope, view_filter(agent, view), status_q(status))
    if after:
        query = query.filter(keyset.after_cursor(KEYS, keyset.decode(after, KEYS, DATETIMES)))
    rows = list(await ordered(query).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, cursor_of(rows[-1]) if more and rows else None


async def counts(agent: Agent, scope: Q, status: str) -> dict[str, int]:
    views = VIEWS if sees_all(agent) else VIEWS[:2]
    return {
        view: await Conversation.filter(
            scope, view_filter(agent, view), status_q(status)
        ).count()
        for view in views
    }


def _limit(request: web.Request) -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.query.get("limit", "50"))))
    except ValueError:
        raise InvalidRequest("limit must be an integer") from None


@routes.get("/inbox/api/me")
@signed_in
async def me(request: web.Request) -> web.Response:
    """Who is signed in, and the CSRF token this page must send with every change."""
    agent = request[AGENT]
    return web.json_response(
        {
            "id": agent.id,
            "email": agent.email,
            "name": agent.name,
            "role": agent.role,
            "sees_all": sees_all(agent),
            "csrf_token": request[SESSION].csrf_token,
        }
    )


@routes.get("/inbox/api/conversations")
@signed_in
async def list_conversations(request: web.Request) -> web.Response:
    agent = request[AGENT]
    view = request.query.get("view", "mine")
    status = request.query.get("status", "open")
    scope = request_view(request)
    rows, next_cursor = await page_of(
        agent, scope, view, status, _limit(request), request.query.get("after") or None
    )
    body: dict[str, Any] = {
        "view": view,
        "status": status,
        "conversations": await conversation_rows(request.app[RUNTIME].ctx, rows),
        "next": next_cursor,
        "counts": await counts(agent, scope, status),
        "at": datetime.now().astimezone().isoformat(),
    }
    return web.json_response(body)


@routes.get("/inbox/api/counts")
@signed_in
async def view_counts(request: web.Request) -> web.Response:
    status = request.query.get("status", "open")
    status_q(status)
    return web.json_response(await counts(request[AGENT], request_view(request), status))
