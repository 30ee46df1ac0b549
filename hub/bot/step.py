"""The bot step: the brain's state loaded, ``decide`` called, its Decision written.

Nothing here decides. ``automations.conversation.decide`` is the whole decision of a
customer message, a timer, an agent's reply or an agent's field change; this module builds
its input from rows (``hub.bot.state``), calls the remote NLU provider first when the config
uses one (``hub.bot.nlu``), and writes the result in the caller's transaction
(``hub.bot.apply``). :func:`build_bot` runs at start and on every reload, in a thread, so
per-config work (rule indexes, NLU training) happens once, and a config the brain cannot
compile fails the reload before anything is swapped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from automations.conversation import (
    AgentRef,
    AgentReplied,
    AgentTookOver,
    Attachment,
    Brain,
    CustomerMessage,
    FieldsChanged,
    HandedBack,
    Input,
    RenderedSnippet,
    ResolvedByAgent,
    SnippetRenderer,
    SnippetValues,
    TimerFired,
    build_brain,
    decide,
    localized,
    nlu_request,
)
from automations.fields import FieldValidator
from automations.rules import RuleEngine
from automations.surveys import SurveyRunner
from channels.base import InboundItem
from config.loader import AppConfig
from config.settings import Settings
from hub.bot.actions import NOTIFIERS
from hub.bot.apply import write
from hub.bot.nlu import CACHE_DIR, Nlu
from hub.bot.state import Loaded, load_many, snapshot
from hub.bot.timers import DueTimer
from hub.context import HubContext, InboxRef
from hub.outbound.replies import Reply
from hub.store.models import Agent, Contact, ContactIdentity, Conversation, Message
from snippets import SnippetLibrary, Variables

__all__ = [
    "Bot",
    "BotTurn",
    "agent_ref",
    "bot_of",
    "build_bot",
    "localized",
    "on_agent_action",
    "on_agent_reply",
    "on_fields_changed",
    "run_bot_step",
    "snippet_renderer",
]


@dataclass(frozen=True)
class BotTurn:
    """One customer message, already stored, and everything the bot may need about it.

    ``loaded``: what the batch loader found for its conversation (None: load it now).
    """

    inbox: InboxRef
    conversation: Conversation
    contact: Contact
    identity: ContactIdentity
    message: Message
    item: InboundItem
    opened: bool  #: this message opened the conversation
    now: datetime
    loaded: Loaded | None = None


def snippet_renderer(library: SnippetLibrary) -> SnippetRenderer:
    """The brain's view of ``snippets.yaml``: render by name for one conversation."""

    def render(name: str, language: str, values: SnippetValues) -> RenderedSnippet:
        variables = Variables(
            conversation_id=values.conversation_id,
            contact_name=values.contact_name,
            contact_email=values.contact_email,
            contact_fields=values.contact_fields,
            agent_name=values.agent_name,
            inbox_name=values.inbox_name,
        )
        return library.render(name, language, variables)

    return render


@dataclass(frozen=True)
class Bot:
    """The brain of one loaded config and the hub's side of it (the remote NLU)."""

    brain: Brain
    snippets: SnippetLibrary
    #: the remote NLU provider's side; None without ``intents.yaml``
    nlu: Nlu | None = None

    @property
    def config(self) -> AppConfig:
        return self.brain.config

    @property
    def engine(self) -> RuleEngine:
        return self.brain.engine

    @property
    def surveys(self) -> SurveyRunner:
        return self.brain.surveys

    @property
    def validator(self) -> FieldValidator:
        return self.brain.validator

    async def aclose(self) -> None:
        """Let go of what this config's bot holds open (a remote NLU provider's connection);
        a reload or shutdown replaces it."""
        if self.nlu is not None:
            await self.nlu.aclose()

    async def load(
        self,
        ctx: HubContext,
        conn: Any,
        rows: Sequence[tuple[Conversation, Contact]],
        current: Sequence[Message] = (),
    ) -> dict[int, Loaded]:
        """What the states of ``rows`` need, in a few queries for the whole batch."""
        return await load_many(ctx, conn, self.brain, rows, current)

    async def run(
        self,
        ctx: HubContext,
        conn: Any,
        conversation: Conversation,
        contact: Contact,
        inputs: Input | Sequence[Input],
        now: datetime,
        *,
        loaded: Loaded | None = None,
        current: Sequence[Message] = (),
        guard: Mapping[str, Any] | None = None,
    ) -> list[Reply]:
        """Decide ``inputs`` for ``conversation`` and write the decision; returns its replies."""
        if loaded is None:
            found = await self.load(ctx, conn, [(conversation, contact)], current)
            loaded = found[conversation.id]
        state = snapshot(ctx, conversation, contact, loaded)
        if isinstance(inputs, CustomerMessage) and self.nlu is not None and self.brain.remote_nlu:
            request = nlu_request(state, inputs, self.brain, now)
            if request is not None:
                inputs = replace(inputs, remote_nlu=await self.nlu.remote(request))
        decision = decide(state, inputs, self.brain, now)
        return await write(ctx, conn, conversation, contact, decision, current, guard=guard)

    async def step(self, ctx: HubContext, conn: Any, turn: BotTurn) -> list[Reply]:
        item = turn.item
        message = CustomerMessage(
            turn.message.id,
            text=item.text,
            button=item.payload or None,
            attachments=tuple(Attachment(a.kind, a.url, a.mime_type) for a in item.attachments),
            opened=turn.opened,
        )
        return await self.run(
            ctx,
            conn,
            turn.conversation,
            turn.contact,
            message,
            turn.now,
            loaded=turn.loaded,
            current=[turn.message],
        )

    async def fire(
        self,
        ctx: HubContext,
        conn: Any,
        conversation: Conversation,
        contact: Contact,
        due: DueTimer,
        now: datetime,
    ) -> list[Reply]:
        """A due timer ``hub.bot.timers`` claimed."""
        fired = TimerFired(due.key, due.kind, due.scheduled_at, due.event, due.due_at)
        return await self.run(ctx, conn, conversation, contact, fired, now)


def build_bot(
    config: AppConfig,
    settings: Settings | None = None,
    environ: Mapping[str, str] | None = None,
) -> Bot:
    """Compile the automation files and train the NLU once; raises when they cannot run
    (reload keeps the old).

    Training takes seconds the first time a config is seen (then the model comes from
    ``settings.data_dir/nlu-cache``): callers on the event loop run this in a thread. It
    touches neither the database nor the loop. ``environ`` holds the NLU provider's
    credentials (the runtime's environment); without ``settings`` nothing is cached.
    """
    library = SnippetLibrary.from_config(config.snippets, config.hub)
    brain = build_brain(
        config,
        cache_dir=settings.data_dir / CACHE_DIR if settings is not None else None,
        snippets=snippet_renderer(library),
        notifiers=frozenset(NOTIFIERS),
    )
    nlu = None
    if brain.nlu is not None and config.intents is not None:
        nlu = Nlu(brain.nlu, config.intents.settings, environ)
    return Bot(brain=brain, snippets=library, nlu=nlu)


def bot_of(ctx: HubContext) -> Bot:
    if not isinstance(ctx.bot, Bot):  # the runtime builds it at start; this is a safety net
        ctx.bot = build_bot(ctx.config, ctx.settings, os.environ)
    bot: Bot = ctx.bot
    return bot


async def run_bot_step(ctx: HubContext, conn: Any, turn: BotTurn) -> list[Reply]:
    """Decide the bot's replies to ``turn`` (and write what it changes through ``conn``)."""
    return await bot_of(ctx).step(ctx, conn, turn)


async def on_agent_reply(
    ctx: HubContext, conn: Any, conversation: Conversation, agent: Agent, text: str
) -> list[Reply]:
    """An agent's reply, in its transaction: replying takes over from the bot, the hub now
    waits for the customer, a survey stops asking; returns the reply to send."""
    contact = await Contact.get(id=conversation.contact_id, using_db=conn)
    reply = AgentReplied(agent_ref(agent), text)
    return await bot_of(ctx).run(ctx, conn, conversation, contact, reply, datetime.now(UTC))


async def on_fields_changed(
    ctx: HubContext,
    conn: Any,
    conversation: Conversation,
    contact: Contact,
    changes: dict[str, tuple[object, object]],
) -> list[Reply]:
    """An agent changed custom fields: rules on ``field_changed`` see it like a survey write."""
    changed = FieldsChanged(dict(changes))
    return await bot_of(ctx).run(ctx, conn, conversation, contact, changed, datetime.now(UTC))


async def on_agent_action(
    ctx: HubContext,
    conn: Any,
    conversation: Conversation,
    action: AgentTookOver | HandedBack | ResolvedByAgent,
) -> list[Reply]:
    """An agent takes the conversation, hands it back or resolves it, in its transaction.

    The row is written only while it still has the status and assignee read here
    (:class:`~hub.errors.ConversationChanged` otherwise: two agents taking it at once);
    returns what rules say about it (e.g. on ``conversation_resolved``)."""
    contact = await Contact.get(id=conversation.contact_id, using_db=conn)
    guard = {"status": conversation.status, "assignee_id": conversation.assignee_id}
    now = datetime.now(UTC)
    return await bot_of(ctx).run(ctx, conn, conversation, contact, action, now, guard=guard)


def agent_ref(agent: Agent) -> AgentRef:
    return AgentRef(agent.id, agent.email, agent.name)
