"""Automation views for agents and operators: rule explanations, team queues.

Explanations answer "why did the bot do that?" per conversation: each event, the rules it
woke with what their conditions evaluated to, the actions run and those that failed (a
failed action is logged with its rule's name only, so this is where operators read why).
Team queues list a team's open conversations for that team's agents, matched by email
between teams.yaml and the agents of ``hub agents add``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from hub.errors import Forbidden, InvalidRequest, NotFound
from hub.store.automation_models import RuleRun
from hub.store.models import AgentRole, Contact, Conversation, ConversationStatus
from hub.web.agent_api import (
    AGENT,
    authenticated,
    request_view,
    status_filter,
    visible_conversation,
)
from hub.web.apidoc import documented
from hub.web.keys import RUNTIME
from hub.web.schemas import ConversationOut
from hub.web.serialize import conversation_out

routes = web.RouteTableDef()
MAX_RUNS = 500
MAX_QUEUE = 200


class RuleRunOut(BaseModel):
    """One bot decision: ``source`` is ``rules`` (an event through the rule engine) or
    ``survey`` (a survey step). ``explanation`` holds the rules considered with their
    condition results (rules) or the survey's state (survey)."""

    id: int
    source: str
    event: str
    at: datetime
    fired: list[str]
    explanation: dict[str, Any]
    actions: list[dict[str, Any]]
    failures: list[dict[str, Any]]


class ExplanationsOut(BaseModel):
    conversation_id: int
    runs: list[RuleRunOut]


class TeamQueueOut(BaseModel):
    team: str
    title: str
    conversations: list[ConversationOut]


def _json(model: BaseModel) -> web.Response:
    return web.json_response(json.loads(model.model_dump_json()))


def _int(request: web.Request, name: str, default: int, ceiling: int) -> int:
    try:
        return min(ceiling, max(1, int(request.query.get(name, str(default)))))
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer") from None


@routes.get("/api/conversations/{id}/explanations")
@documented(
    "Rules fired per event, their condition results, actions run and failures", ExplanationsOut
)
@authenticated
async def explanations(request: web.Request) -> web.Response:
    """Oldest first; ``?failed=1`` keeps only runs with a failure."""
    conversation = await visible_conversation(request)
    limit = _int(request, "limit", MAX_RUNS, MAX_RUNS)
    rows = await RuleRun.filter(conversation_id=conversation.id).order_by("id").limit(limit)
    if request.query.get("failed") in ("1", "true"):
        rows = [r for r in rows if r.failures]
    runs = [
        RuleRunOut(
            id=r.id,
            source=r.source,
            event=r.event,
            at=r.at,
            fired=list(r.fired or []),
            explanation=dict(r.explanation or {}),
            actions=list(r.actions or []),
            failures=list(r.failures or []),
        )
        for r in rows
    ]
    return _json(ExplanationsOut(conversation_id=conversation.id, runs=runs))


@routes.get("/api/teams/{name}/conversations")
@documented("A team's queue (its agents, supervisors and admins)", TeamQueueOut)
@authenticated
async def team_queue(request: web.Request) -> web.Response:
    """The team's conversations that are not resolved (or ``?status=``), most urgent and
    then oldest first: the order agents should take them in."""
    ctx = request.app[RUNTIME].ctx
    agent = request[AGENT]
    teams = ctx.config.automation.teams
    team = teams.get(request.match_info["name"])
    if team is None:
        raise NotFound("no such team")
    member = agent.email.lower() in {a.lower() for a in team.agents}
    if not member and agent.role not in (AgentRole.SUPERVISOR, AgentRole.ADMIN):
        raise Forbidden("only this team's agents see its queue")
    query = Conversation.filter(request_view(request), team=team.name)
    status = status_filter(request)
    if status is not None:
        query = query.filter(status=status)
    else:
        query = query.exclude(status=ConversationStatus.RESOLVED)
    limit = _int(request, "limit", 50, MAX_QUEUE)
    rows = await query.order_by("-priority", "created_at", "id").limit(limit)
    contacts = {c.id: c for c in await Contact.filter(id__in={r.contact_id for r in rows})}
    title = team.title if isinstance(team.title, str) else _title(team.title, ctx)
    out = [
        conversation_out(r, contacts[r.contact_id], ctx.inboxes_by_id[r.inbox_id].slug)
        for r in rows
        if r.inbox_id in ctx.inboxes_by_id
    ]
    return _json(TeamQueueOut(team=team.name, title=title, conversations=out))


def _title(texts: dict[str, str], ctx: Any) -> str:
    default = ctx.config.hub.default_language
    return texts.get(default) or next(iter(texts.values()), "")
