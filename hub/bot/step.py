"""The bot step: what the hub does with a customer message while the bot has the conversation.

The pipeline calls :func:`run_bot_step` inside the message's transaction with a
:class:`BotTurn`; whatever it returns as replies becomes Message + Outbox rows in that same
transaction. :func:`build_bot` runs at start and on every reload, so per-config work (rule
indexes, compiled conditions) happens once, and a config the engine cannot compile fails
the reload before anything is swapped.

The order of operations is the one of ``tests/automations/conftest.py`` (``Chat``): a new
conversation raises ``conversation_opened`` first; a customer message cancels the
``no_reply`` timers, goes to the running survey if it was waiting for an answer, and
otherwise (or when the survey does not take it) to the rules as ``button_pressed`` or
``message_received``. Actions run in order, the events they cause are fed back, and every
decision is kept as a :class:`~hub.store.automation_models.RuleRun` for the explanations API.

With ``intents.yaml`` a customer's text that the survey did not take goes through the NLU
layer first (hub/bot/nlu.py): the detected language becomes the conversation's unless the
customer or an agent chose one, the result is stored on the message, the rules get
``message_received`` (with the intent and confidence) and ``intent_matched``, and the FAQ
answer goes out only when no rule replied, the bot still has the conversation and no survey
is waiting for an answer. The "did this answer your question?" buttons come back as
``button_pressed`` (``nlu:answered:yes`` / ``nlu:answered:no``) for the rules; "yes" gets a
short thanks when no rule says anything.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from automations.actions import PlannedAction, StartSurvey
from automations.errors import AutomationError, SurveyError
from automations.fields import FieldValidator
from automations.rules import Decision, Event, EventKind, RuleEngine, Sender, Timer
from automations.surveys import SurveyReply, SurveyRunner, SurveyStatus, SurveyStep, timeout_key
from channels.base import Button, InboundItem
from config.loader import AppConfig
from config.settings import Settings
from hub.bot import timers
from hub.bot.actions import (
    ActionResult,
    Working,
    apply,
    conversation_language,
    snippet_library,
    snippet_variables,
)
from hub.bot.nlu import (
    CONFIRM_NO,
    CONFIRM_YES,
    Nlu,
    SnippetRenderer,
    confirm_reply,
    localized,
    record_feedback,
    stored,
    thanks,
    typed_confirm,
)
from hub.bot.timers import DueTimer
from hub.context import HubContext, InboxRef
from hub.outbound.replies import Reply
from hub.store.automation_models import RuleRun
from hub.store.models import Contact, ContactIdentity, Conversation, ConversationStatus, Message
from snippets import SnippetLibrary

log = logging.getLogger(__name__)

#: events one step may handle; beyond this a rule loop is cut short and logged
MAX_EVENTS_PER_STEP = 64

__all__ = [
    "Bot",
    "BotTurn",
    "build_bot",
    "conversation_language",
    "localized",
    "on_agent_reply",
    "run_bot_step",
]


@dataclass(frozen=True)
class BotTurn:
    """One customer message, already stored, and everything the bot may need about it."""

    inbox: InboxRef
    conversation: Conversation
    contact: Contact
    identity: ContactIdentity
    message: Message
    item: InboundItem
    opened: bool  #: this message opened the conversation
    now: datetime


@dataclass(frozen=True)
class Bot:
    """Per-config state of the bot, built once per loaded config and shared by all tasks."""

    config: AppConfig
    engine: RuleEngine
    surveys: SurveyRunner
    validator: FieldValidator
    #: hub.yaml's greeting is sent on a new conversation (no rule listens to that event)
    greets: bool
    #: the trained NLU of ``intents.yaml``; None when the config has no such file
    nlu: Nlu | None = None
    #: ``snippets.yaml`` compiled, for FAQ answers and rules that send a snippet
    snippets: SnippetLibrary | None = None

    async def aclose(self) -> None:
        """Let go of what this config's bot holds open (a remote NLU provider's connection);
        a reload or shutdown replaces it."""
        if self.nlu is not None:
            await self.nlu.aclose()

    async def step(self, ctx: HubContext, conn: Any, turn: BotTurn) -> list[Reply]:
        work = await Working.load(
            ctx, conn, self.config, self.validator, turn.conversation, turn.contact, turn.now
        )
        run = _Step(ctx, self, work)
        survey = work.survey
        waiting = survey is not None and survey.status is SurveyStatus.ACTIVE
        if self.engine.no_reply_timers:  # the customer wrote: whatever waited for it is over
            await timers.cancel_prefix(conn, turn.conversation.id, "no_reply:")
        text = _nlu_text(self.nlu, turn.item)
        if turn.opened and text is not None:
            run.detect_language(text)  # so the greeting and a first survey speak it too
        if turn.opened:
            if self.greets:
                work.replies.append(self._greeting(work.language))
            else:
                await run.events([Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM)])
        if work.status is ConversationStatus.BOT:
            await run.customer(turn.item, turn.message, waiting)
        await run.finish()
        return work.replies

    async def fire(
        self,
        ctx: HubContext,
        conn: Any,
        conversation: Conversation,
        contact: Contact,
        due: DueTimer,
        now: datetime,
    ) -> list[Reply]:
        """A due timer (hub/bot/timers.py claimed it): expire the survey or raise its event."""
        work = await Working.load(
            ctx, conn, self.config, self.validator, conversation, contact, now
        )
        run = _Step(ctx, self, work)
        survey = work.survey
        if due.kind == "survey_timeout":
            if (
                survey is not None
                and survey.status is SurveyStatus.ACTIVE
                and timeout_key(survey.survey) == due.key
            ):
                try:
                    step = self.surveys.expire(survey, now=now)
                except SurveyError:
                    work.survey = None  # the survey left the config: forget it
                else:
                    await run.survey(step, f"survey_timeout({survey.survey})")
        elif due.event is not None:
            last = conversation.last_customer_message_at
            if last is None or last <= due.scheduled_at:  # else the customer wrote since
                await run.events([due.event])
        await run.finish()
        return work.replies

    async def raise_events(
        self,
        ctx: HubContext,
        conn: Any,
        conversation: Conversation,
        contact: Contact,
        events: Sequence[Event],
        now: datetime,
    ) -> list[Reply]:
        """Events from outside a customer message (e.g. an agent wrote a field)."""
        work = await Working.load(
            ctx, conn, self.config, self.validator, conversation, contact, now
        )
        run = _Step(ctx, self, work)
        await run.events(events)
        await run.finish()
        return work.replies

    def _greeting(self, language: str) -> Reply:
        greeting = self.config.hub.greeting
        assert greeting is not None
        default = self.config.hub.default_language
        return Reply(
            text=localized(greeting.text, language, default),
            buttons=tuple(
                Button(b.id, localized(b.title, language, default)) for b in greeting.buttons
            ),
        )


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
    automation = config.automation
    engine = RuleEngine.from_config(config.hub, automation)
    surveys = SurveyRunner(
        automation.surveys, automation.fields, default_language=config.hub.default_language
    )
    opened = engine.candidates(Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM))
    return Bot(
        config=config,
        engine=engine,
        surveys=surveys,
        validator=FieldValidator(automation.fields),
        greets=config.hub.greeting is not None and not opened,
        nlu=Nlu.build(config, settings, environ),
        snippets=SnippetLibrary.from_config(config.snippets, config.hub),
    )


def _nlu_text(nlu: Nlu | None, item: InboundItem) -> str | None:
    """The text the NLU reads: a typed customer message (a button press is not one)."""
    if nlu is None or item.payload or item.text is None or not item.text.strip():
        return None
    return item.text


def _bot(ctx: HubContext) -> Bot:
    if not isinstance(ctx.bot, Bot):  # the runtime builds it at start; this is a safety net
        ctx.bot = build_bot(ctx.config, ctx.settings, os.environ)
    bot: Bot = ctx.bot
    return bot


async def run_bot_step(ctx: HubContext, conn: Any, turn: BotTurn) -> list[Reply]:
    """Decide the bot's replies to ``turn`` (and write what it changes through ``conn``)."""
    return await _bot(ctx).step(ctx, conn, turn)


async def on_agent_reply(ctx: HubContext, conn: Any, conversation: Conversation) -> None:
    """Called in the transaction of an agent's reply: the hub now waits for the customer
    (``no_reply`` timers start unless already waiting), and a survey stops asking."""
    bot = _bot(ctx)
    now = datetime.now(UTC)
    await timers.schedule(ctx, conn, conversation.id, bot.engine.timers_after_outbound(), now)
    raw = dict(conversation.bot_state or {})
    survey = raw.get("survey")
    if isinstance(survey, dict) and survey.get("status") == SurveyStatus.ACTIVE.value:
        raw["survey"] = {**survey, "status": SurveyStatus.ABANDONED.value, "reason": "agent"}
        await timers.cancel(conn, conversation.id, [timeout_key(str(survey.get("survey")))])
        await Conversation.filter(id=conversation.id).using_db(conn).update(bot_state=raw)
        conversation.bot_state = raw


@dataclass
class _Record:
    """One entry of the explanation log, filled while its actions run."""

    source: str
    event: str
    at: datetime
    fired: tuple[str, ...]
    explanation: dict[str, object]
    failures: list[dict[str, object]]
    actions: list[dict[str, object]]


class _Step:
    """One bot step: the event loop over a :class:`Working` conversation."""

    def __init__(self, ctx: HubContext, bot: Bot, work: Working) -> None:
        self.ctx = ctx
        self.bot = bot
        self.work = work
        self.pending: deque[Event] = deque()
        self.records: list[_Record] = []
        self.handled = 0
        #: timer keys (re)scheduled by this step
        self.scheduled: set[str] = set()
        #: the language detected in this step's customer text (detection runs once)
        self.detected: str | None = None
        self.done_detecting = False

    @property
    def conversation_id(self) -> int:
        return self.work.conversation.id

    async def schedule(self, planned: Iterable[Timer]) -> None:
        planned = tuple(planned)
        if planned:
            await timers.schedule(
                self.ctx, self.work.conn, self.conversation_id, planned, self.work.now
            )
            self.scheduled.update(t.key for t in planned)

    async def customer(self, item: InboundItem, message: Message, survey_waiting: bool) -> None:
        work = self.work
        survey = work.survey
        if survey_waiting and survey is not None and survey.status is SurveyStatus.ACTIVE:
            reply = SurveyReply(text=item.text, button=item.payload)
            try:
                step = self.bot.surveys.answer(
                    survey,
                    reply,
                    language=work.language,
                    now=work.now,
                    max_buttons=work.max_buttons,
                )
            except SurveyError:
                log.warning("conversation %s: its survey left the config", self.conversation_id)
                work.survey = None
            else:
                if step.consumed:
                    await self.survey(step, f"survey_answer({survey.survey})")
                    return
        message_id = str(message.id)
        if item.payload:
            await self.pressed(item.payload, message)
            return
        nlu = self.bot.nlu
        text = _nlu_text(nlu, item)
        if nlu is None or text is None:
            await self.events(
                [Event(EventKind.MESSAGE_RECEIVED, text=item.text, message_id=message_id)]
            )
            return
        if nlu.confirm:
            button = await typed_confirm(work.conn, self.conversation_id, text)
            if button is not None:
                await self.pressed(button, message)
                return
        await self.understand(nlu, text, message)

    # -- NLU ------------------------------------------------------------------------------

    def detect_language(self, text: str) -> str | None:
        """Make the language detected in ``text`` the conversation's, unless somebody chose.

        A choice (the language survey through ``set_language``, later an agent) is stored on
        the contact; detection only ever writes the conversation, so while the contact has
        no language each clear message may set it again, and once it has one nothing here
        overrides it. Returns what this text says (None when it does not say).
        """
        nlu = self.bot.nlu
        if nlu is None or self.done_detecting:
            return self.detected
        self.done_detecting = True
        self.detected = nlu.detect_language(text)
        work = self.work
        if (
            self.detected is not None
            and not work.contact.language
            and work.conversation.language != self.detected
        ):
            work.set_conversation(language=self.detected)
        return self.detected

    async def understand(self, nlu: Nlu, text: str, message: Message) -> None:
        """Classify, tell the rules, answer if they did not, and keep the result."""
        work = self.work
        detected = self.detect_language(text)
        result = await nlu.classify(text, str(self.conversation_id), work.language)
        matched = result.intent is not None and not result.out_of_scope
        message_id = str(message.id)
        events = [
            Event(
                EventKind.MESSAGE_RECEIVED,
                text=text,
                message_id=message_id,
                intent=result.intent if matched else None,
                confidence=result.confidence,
            )
        ]
        if matched:
            events.append(
                Event(
                    EventKind.INTENT_MATCHED,
                    text=text,
                    message_id=message_id,
                    intent=result.intent,
                    confidence=result.confidence,
                )
            )
        before = len(work.replies)
        await self.events(events)
        answer = None
        skipped = None
        if len(work.replies) > before:
            skipped = "a rule replied"
        elif work.status is not ConversationStatus.BOT:
            skipped = f"conversation {work.status.value}"
        elif work.survey is not None and work.survey.status is SurveyStatus.ACTIVE:
            skipped = "a survey is waiting for an answer"
        else:
            answer = nlu.answer(
                result, work.language, work.max_buttons, await self.snippet_renderer()
            )
        if answer is not None:
            work.replies.extend(answer.replies)
            if answer.confirm:
                work.replies.append(confirm_reply(answer.language))
            # like a rule's send: the bot now waits for the customer
            await self.schedule(self.bot.engine.timers_after_outbound())
        data = stored(
            result,
            answered=answer is not None,
            answer=answer.kind if answer is not None else None,
            detected_language=detected,
            skipped=skipped,
        )
        await Message.filter(id=message.id).using_db(work.conn).update(nlu=data)
        message.nlu = data
        log.debug(
            "conversation %s: intent %s (%.3f, %s), answered: %s",
            self.conversation_id,
            result.intent,
            result.confidence,
            result.provider,
            answer is not None,
        )
        summary = result.intent or ("article" if result.article else "out_of_scope")
        self.records.append(
            _Record(
                source="nlu",
                event=f"nlu({summary})",
                at=work.now,
                fired=(),
                explanation=data,
                failures=[],
                actions=[],
            )
        )

    async def snippet_renderer(self) -> SnippetRenderer:
        """Renders a snippet for this conversation (the NLU answers with one)."""
        library = self.bot.snippets if self.bot.snippets is not None else snippet_library(self.work)
        variables = await snippet_variables(self.work)
        return lambda name, language: library.render(name, language, variables)

    async def pressed(self, button: str, message: Message) -> None:
        """A button: the rules hear it; "yes, that answered it" gets thanks if they are quiet."""
        work = self.work
        before = len(work.replies)
        await self.events(
            [Event(EventKind.BUTTON_PRESSED, button=button, message_id=str(message.id))]
        )
        if self.bot.nlu is None or button not in (CONFIRM_YES, CONFIRM_NO):
            return
        helpful = button == CONFIRM_YES
        if helpful and len(work.replies) == before and work.status is ConversationStatus.BOT:
            work.replies.append(thanks(work.language))
        await record_feedback(work.conn, self.conversation_id, message, helpful)

    async def survey(self, step: SurveyStep, label: str) -> None:
        """Carry out a survey step: its state, its timeout, its actions, then its events."""
        work = self.work
        work.survey = step.state
        if step.timer is not None:
            await self.schedule([step.timer])
        elif step.finished:
            await timers.cancel(work.conn, self.conversation_id, [timeout_key(step.state.survey)])
        state = step.state
        record = _Record(
            source="survey",
            event=label,
            at=work.now,
            fired=(),
            explanation={
                "survey": state.survey,
                "status": state.status.value,
                "question": state.question,
                "attempts": state.attempts,
                "reason": state.reason,
                "skipped": list(state.skipped),
            },
            failures=[],
            actions=[],
        )
        if step.actions or step.events or step.finished:
            self.records.append(record)
        await self.apply(step.actions, record)
        await self.events(step.events)

    async def events(self, events: Iterable[Event]) -> None:
        """Feed events to the rules, and the events their actions cause, until none is left."""
        self.pending.extend(events)
        while self.pending:
            event = self.pending.popleft()
            self.handled += 1
            if self.handled > MAX_EVENTS_PER_STEP:
                log.warning(
                    "conversation %s: more than %d events in one step, the rest dropped",
                    self.conversation_id,
                    MAX_EVENTS_PER_STEP,
                )
                self.pending.clear()
                return
            decision = self.bot.engine.evaluate(event, self.work.facts())
            self.work.fired.update(decision.fired)
            # a customer event cancels what waited for the customer, but not what this very
            # step started (the welcome a conversation's first message opened)
            stale = [key for key in decision.cancel if key not in self.scheduled]
            await timers.cancel(self.work.conn, self.conversation_id, stale)
            await self.schedule(decision.schedule)
            record = self._record(decision)
            await self.apply(decision.actions, record)

    def _record(self, decision: Decision) -> _Record:
        explanation = decision.explanation
        record = _Record(
            source="rules",
            event=explanation.event,
            at=explanation.at,
            fired=decision.fired,
            explanation=explanation.to_dict(),
            failures=[
                {"rule": f.rule, "action": f.action, "error": f.error, "stage": "plan"}
                for f in explanation.failures
            ],
            actions=[],
        )
        for failure in explanation.failures:
            log.warning("rule %s: action %s could not be planned", failure.rule, failure.action)
        if explanation.rules or explanation.failures or decision.fired:
            self.records.append(record)
        return record

    async def apply(self, actions: Iterable[PlannedAction], record: _Record) -> None:
        """Run each action; a failing one is logged with its rule and the others still run."""
        for action in actions:
            try:
                if isinstance(action, StartSurvey):
                    await self._start_survey(action)
                    caused: tuple[Event, ...] = ()
                else:
                    caused = await apply(self.work, action)
            except AutomationError as exc:
                self._failed(action, record, exc)
                continue
            except Exception as exc:  # a bug in one action must not cost the others
                # the traceback may quote customer data: DEBUG only
                log.debug("rule %s: action %s raised", action.rule, action.kind, exc_info=True)
                self._failed(action, record, exc)
                continue
            record.actions.append(ActionResult(action.rule, action.describe(), True).to_dict())
            self.pending.extend(caused)

    def _failed(self, action: PlannedAction, record: _Record, exc: Exception) -> None:
        log.warning(
            "rule %s: action %s failed in conversation %s (%s)",
            action.rule,
            action.kind,
            self.conversation_id,
            type(exc).__name__,
        )
        log.debug("rule %s: action %s failed: %s", action.rule, action.kind, exc)
        result = ActionResult(action.rule, action.describe(), False, str(exc))
        record.actions.append(result.to_dict())
        record.failures.append(
            {"rule": action.rule, "action": action.kind, "error": str(exc), "stage": "apply"}
        )

    async def _start_survey(self, action: StartSurvey) -> None:
        work = self.work
        step = self.bot.surveys.start(
            action.survey, language=work.language, now=work.now, max_buttons=work.max_buttons
        )
        work.survey = step.state
        await self.survey(step, f"survey_start({action.survey})")

    async def finish(self) -> None:
        """Write the conversation back and keep the explanations."""
        work = self.work
        await work.save()
        if work.status is ConversationStatus.RESOLVED:
            await timers.cancel_all(work.conn, self.conversation_id)
        if self.records:
            await RuleRun.bulk_create(
                [
                    RuleRun(
                        conversation_id=self.conversation_id,
                        source=r.source,
                        event=r.event[:255],
                        at=r.at,
                        fired=list(r.fired),
                        explanation=r.explanation,
                        actions=r.actions,
                        failures=r.failures,
                    )
                    for r in self.records
                ],
                using_db=work.conn,
            )


async def on_fields_changed(
    ctx: HubContext,
    conn: Any,
    conversation: Conversation,
    contact: Contact,
    changes: dict[str, tuple[object, object]],
) -> list[Reply]:
    """An agent changed custom fields: rules on ``field_changed`` see it like a survey write."""
    events = [
        Event(
            kind=EventKind.FIELD_CHANGED,
            sender=Sender.AGENT,
            field=name,
            old_value=old,
            new_value=new,
        )
        for name, (old, new) in changes.items()
    ]
    return await _bot(ctx).raise_events(ctx, conn, conversation, contact, events, datetime.now(UTC))
