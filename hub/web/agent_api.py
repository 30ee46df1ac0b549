"""Agent REST API (minimal): list and read conversations, post replies through the outbox."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta

from aiohttp import web
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from automations.errors import FieldValueError, UnknownFieldError
from automations.fields import FieldValidator
from automations.fields import to_json as field_json
from hub.auth import agent_for_token
from hub.bot.step import on_agent_reply, on_fields_changed
from hub.conversation import customer_lane, is_open
from hub.errors import Forbidden, InvalidRequest, NotFound
from hub.outbound.replies import create_replies, enqueue_sends
from hub.store.models import (
    Agent,
    AgentRole,
    Contact,
    ContactIdentity,
    Conversation,
    ConversationStatus,
    Message,
)
from hub.web.apidoc import documented
from hub.web.errors import read_json
from hub.web.keys import RATE_LIMITS, RUNTIME
from hub.web.params import path_id, query_id
from hub.web.schemas import (
    AgentOut,
    ContactOut,
    ConversationDetailOut,
    ConversationListOut,
    FieldsIn,
    MessageOut,
    ReplyIn,
    parse_body,
)
from hub.web.serialize import contact_out, conversation_out, message_out

routes = web.RouteTableDef()
AGENT = web.RequestKey("agent", Agent)
MAX_LIST = 200


def authenticated(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Bearer-token auth; the agent is then available as ``request[AGENT]``."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        if AGENT in request:  # signed in by the inbox's session, CSRF checked (hub/web/inbox)
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        days = request.app[RUNTIME].settings.token_ttl_days
        ttl = timedelta(days=days) if days else None
        agent = await agent_for_token(token.strip(), ttl) if scheme.lower() == "bearer" else None
        if agent is None:
            raise web.HTTPUnauthorized(
                text="missing or invalid API token", headers={"WWW-Authenticate": "Bearer"}
            )
        request[AGENT] = agent
        request.app[RATE_LIMITS].check([("agent_requests", str(agent.id))])
        return await handler(request)

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


def visible_to(agent: Agent, teams: Collection[str]) -> Q:
    """Supervisors and admins see everything; agents their own conversations and the
    unassigned ones of their ``teams`` or of no team yet (the bot's, not escalated). A
    team's unassigned conversations are its members' to take: an agent outside it cannot
    list, read, reply to (take over) or write the fields of them."""
    if agent.role in (AgentRole.SUPERVISOR, AgentRole.ADMIN):
        return Q()
    pool = Q(team__isnull=True) | Q(team__in=list(teams)) if teams else Q(team__isnull=True)
    return Q(assignee_id=agent.id) | (Q(assignee_id__isnull=True) & pool)


def request_view(request: web.Request) -> Q:
    """:func:`visible_to` for the request's agent, with their teams from ``teams.yaml``."""
    return agent_view(request.app, request[AGENT])


def agent_view(app: web.Application, agent: Agent) -> Q:
    """:func:`visible_to` for ``agent`` with their teams from the running config (the
    inbox's socket asks it without a request of the agent API)."""
    return visible_to(agent, app[RUNTIME].ctx.config.automation.teams.teams_of(agent.email))


def status_filter(request: web.Request) -> ConversationStatus | None:
    """The ``?status=`` of a listing, or a 400 naming the allowed values."""
    status = request.query.get("status")
    if not status:
        return None
    try:
        return ConversationStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in ConversationStatus)
        raise InvalidRequest(f"status must be one of {allowed}") from None


def _json(model: object) -> web.Response:
    return web.json_response(json.loads(model.model_dump_json()))  # type: ignore[attr-defined]


async def visible_conversation(request: web.Request) -> Conversation:
    """The ``{id}`` conversation if the agent may see it, else 404 (never 403: no probing)."""
    conversation_id = path_id(request.match_info["id"], "conversation")
    conversation = await Conversation.filter(request_view(request), id=conversation_id).first()
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation


@routes.get("/api/me")
@documented("The authenticated agent", AgentOut)
@authenticated
async def me(request: web.Request) -> web.Response:
    agent = request[AGENT]
    return _json(AgentOut(id=agent.id, email=agent.email, name=agent.name, role=agent.role))


@routes.get("/api/conversations")
@documented("List visible conversations", ConversationListOut)
@authenticated
async def list_conversations(request: web.Request) -> web.Response:
    """Newest activity first; filter with ?status= and page with ?before_id=."""
    ctx = request.app[RUNTIME].ctx
    query = Conversation.filter(request_view(request))
    status = status_filter(request)
    if status is not None:
        query = query.filter(status=status)
    try:
        limit = min(MAX_LIST, max(1, int(request.query.get("limit", "50"))))
        before = request.query.get("before_id")
        if before:
            query = query.filter(id__lt=query_id(before, "before_id"))
    except ValueError:
        raise InvalidRequest("limit and before_id must be integers") from None
    rows = await query.order_by("-updated_at", "-id").limit(limit)
    contacts = {c.id: c for c in await Contact.filter(id__in={r.contact_id for r in rows})}
    out = [
        conversation_out(r, contacts[r.contact_id], ctx.inboxes_by_id[r.inbox_id].slug)
        for r in rows
        if r.inbox_id in ctx.inboxes_by_id
    ]
    return _json(ConversationListOut(conversations=out))


@routes.get("/api/conversations/{id}")
@documented("One conversation with its messages", ConversationDetailOut)
@authenticated
async def get_conversation(request: web.Request) -> web.Response:
    ctx = request.app[RUNTIME].ctx
    conversation = await visible_conversation(request)
    contact = await Contact.get(id=conversation.contact_id)
    messages = await Message.filter(conversation_id=conversation.id).order_by("id")
    summary = conversation_out(conversation, contact, ctx.inboxes_by_id[conversation.inbox_id].slug)
    detail = ConversationDetailOut(
        **summary.model_dump(), messages=[message_out(m) for m in messages]
    )
    return _json(detail)


@routes.post("/api/conversations/{id}/messages")
@documented("Reply to the customer", MessageOut, status=201, body=ReplyIn)
@authenticated
async def reply(request: web.Request) -> web.Response:
    """The agent's reply goes out through the outbox; replying takes over from the bot."""
    ctx = request.app[RUNTIME].ctx
    agent = request[AGENT]
    body = parse_body(ReplyIn, await read_json(request))
    conversation = await visible_conversation(request)
    if not is_open(conversation.status):
        raise Forbidden("this conversation is resolved")
    async with in_transaction() as conn:
        conversation = await Conversation.filter(id=conversation.id).using_db(conn).get()
        identity = await ContactIdentity.get(id=conversation.identity_id, using_db=conn)
        # the brain takes the conversation over for the agent and stops the bot's survey
        replies = await on_agent_reply(ctx, conn, conversation, agent, body.text)
        rows = await create_replies(conn, conversation, identity.source_id, replies)
    await enqueue_sends(ctx, rows)
    message = await Message.get(id=rows[0].message_id)
    return web.json_response(json.loads(message_out(message).model_dump_json()), status=201)


@routes.patch("/api/contacts/{id}/fields")
@documented(
    "Write custom fields (validated like survey answers; null clears)", ContactOut, body=FieldsIn
)
@authenticated
async def set_contact_fields(request: web.Request) -> web.Response:
    """Write custom fields through the same validation as surveys and rules; all or nothing."""
    ctx = request.app[RUNTIME].ctx
    contact_id = path_id(request.match_info["id"], "contact")
    visible = await Conversation.filter(request_view(request), contact_id=contact_id).exists()
    contact = await Contact.get_or_none(id=contact_id) if visible else None
    if contact is None:
        raise NotFound("no such contact")
    body = parse_body(FieldsIn, await read_json(request))
    validator = getattr(ctx.bot, "validator", None) or FieldValidator(ctx.config.automation.fields)
    writes: dict[str, object] = {}  # validated storage values; None clears
    problems = []
    for name, raw in body.fields.items():
        try:
            if raw is None:
                validator.spec(name)
                writes[name] = None
            else:
                writes[name] = field_json(validator.validate(name, raw))
        except FieldValueError as exc:
            problems.append(f"{name}: {exc.message(contact.language or 'en')}")
        except UnknownFieldError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidRequest("; ".join(problems))
    conversation = (
        await Conversation.filter(contact_id=contact.id)
        .exclude(status=ConversationStatus.RESOLVED)
        .order_by("-id")
        .first()
    )
    if conversation is None:
        async with in_transaction() as conn:
            contact = await Contact.get(id=contact.id, using_db=conn)
            _apply_field_writes(contact, writes)
            await contact.save(using_db=conn, update_fields=["custom_fields", "updated_at"])
        return _json(contact_out(contact))
    # rules on field_changed run in the conversation's lane, like a survey's write
    identity = await ContactIdentity.get(id=conversation.identity_id)
    lane = ctx.locks.lane(customer_lane(conversation.inbox_id, identity.source_id))
    async with lane, in_transaction() as conn:
        contact = await Contact.get(id=contact.id, using_db=conn)
        changes = _apply_field_writes(contact, writes)
        await contact.save(using_db=conn, update_fields=["custom_fields", "updated_at"])
        conversation = await Conversation.get(id=conversation.id, using_db=conn)
        replies = (
            await on_fields_changed(ctx, conn, conversation, contact, changes) if changes else []
        )
        rows = await create_replies(conn, conversation, identity.source_id, replies)
    await enqueue_sends(ctx, rows)
    return _json(contact_out(await Contact.get(id=contact.id)))


def _apply_field_writes(
    contact: Contact, writes: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Apply validated writes to the row as it is now; returns what actually changed."""
    before = dict(contact.custom_fields or {})
    after = dict(before)
    for name, value in writes.items():
        if value is None:
            after.pop(name, None)
        else:
            after[name] = value
    contact.custom_fields = after
    return {
        name: (before.get(name), after.get(name))
        for name in writes
        if before.get(name) != after.get(name)
    }
