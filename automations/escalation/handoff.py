"""The handoff record: everything the agent receives when a conversation leaves the bot.

Built purely from what the brain already holds (transcript, profile, signals, NLU results),
whatever the cause: a detector, a rule, a button, a survey escape or Dialogflow CX's
``liveAgentHandoff``. Its JSON (``handoff_json.record_to_dict``) is versioned by
:data:`SCHEMA_VERSION` and documented in the README; ``handoff_json.activity`` wraps it in
Bot Framework's ``handoff.initiate``
event shape (context in ``value``, the transcript as an attachment) so tools that speak
that protocol can read it. Status follows Bot Framework's handoff states: initiated, then
accepted and completed, or returned to the bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from automations.escalation.dialogflow_handoff import DialogflowHandoff
from automations.escalation.entities import Entity, collect
from automations.escalation.errors import HandoffError
from automations.escalation.frustration import mood
from automations.escalation.settings import DetectorSettings, build_settings
from automations.escalation.signals import ContactView, ConversationView, Evidence, Signal, Turn
from automations.escalation.text import entries, fold, words
from config.rules import Priority

SCHEMA_VERSION = 1
HandoffStatus = Literal["initiated", "accepted", "completed", "returned_to_bot"]
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "initiated": frozenset({"accepted", "completed", "returned_to_bot"}),
    "accepted": frozenset({"completed", "returned_to_bot"}),
    "completed": frozenset(),
    "returned_to_bot": frozenset(),
}
QUOTE_CHARS = 500
MIN_WORDS = 3
NEGATIVE_MEAN = 0.3
#: one turn this angry makes the conversation negative whatever the mean
NEGATIVE_PEAK = 0.6
_GREETINGS = frozenset(
    entries(
        """
        hi, hello, hey, bonjour, salut, bonsoir, hola, buenas, buenos, dias, tardes, good, morning,
        evening, afternoon, there, thanks, merci, gracias, ok, okay, yes, no, oui, non, si, please,
        svp
        """
    )
)
_QUESTION_WORDS = frozenset(
    entries(
        """
        how, what, why, when, where, which, who, can, could, is, are, do, does, did, will, would,
        should, comment, pourquoi, quand, ou, quel, quelle, quels, quelles, combien, est, peux,
        pouvez, como, que, por, cuando, donde, cual, puedo, puede
        """
    )
)
_ZH_QUESTION = ("吗", "什么", "怎么", "为什么", "哪", "多少", "能不能", "可以吗", "呢")


@dataclass(frozen=True, slots=True)
class Trigger:
    """Why the conversation left the bot: a signal, a rule, a button, a survey escape..."""

    kind: str
    score: float | None = None
    evidence: tuple[Evidence, ...] = ()
    detail: str = ""

    @classmethod
    def from_signal(cls, signal: Signal) -> Trigger:
        return cls(signal.kind, round(signal.score, 4), signal.evidence)


@dataclass(frozen=True, slots=True)
class Quote:
    message_id: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Summary:
    first_message: Quote | None
    last_question: Quote | None
    entities: tuple[Entity, ...]


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    survey: str
    question: str
    answer: str | None


@dataclass(frozen=True)
class BotTried:
    answers: tuple[str, ...]
    articles: tuple[str, ...]
    surveys: tuple[SurveyAnswer, ...]
    buttons: tuple[str, ...]
    #: ids of the customer turns that said "no" to "did this help?"
    negative_feedback: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Identity:
    channel: str
    inbox: str
    source_id: str


@dataclass(frozen=True)
class PastConversations:
    count: int = 0
    #: outcome -> how many (resolved_by_bot, resolved_by_agent, abandoned...)
    outcomes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: str | None
    language: str
    tier: str | None
    fields: Mapping[str, object]
    identities: tuple[Identity, ...]
    past: PastConversations


@dataclass(frozen=True)
class Sentiment:
    """Frustration per customer turn in [0, 1] (0 calm), oldest first, and its reading."""

    per_turn: tuple[float, ...]
    mean: float
    last: float
    label: Literal["negative", "neutral"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    team: str | None = None
    topic: str | None = None
    priority: Priority | None = None


@dataclass(frozen=True)
class HandoffInput:
    conversation: ConversationView
    transcript: tuple[Turn, ...]
    contact: ContactView
    language: str
    now: datetime
    signals: tuple[Signal, ...] = ()
    #: triggers that are not detector signals (a rule's escalate, a button, a survey escape)
    triggers: tuple[Trigger, ...] = ()
    surveys: tuple[SurveyAnswer, ...] = ()
    identities: tuple[Identity, ...] = ()
    past: PastConversations = PastConversations()
    suggested: Suggestion = Suggestion()
    dialogflow: DialogflowHandoff | None = None
    #: since when the customer waits for a person (default: now)
    waiting_since: datetime | None = None
    #: region for national phone numbers ("FR"); None reads only +international ones
    phone_region: str | None = None


@dataclass(frozen=True)
class HandoffRecord:
    schema_version: int
    conversation_id: str
    status: HandoffStatus
    triggers: tuple[Trigger, ...]
    summary: Summary
    bot_tried: BotTried
    profile: Profile
    sentiment: Sentiment
    suggested: Suggestion
    initiated_at: datetime
    waiting_since: datetime
    status_at: datetime
    dialogflow: Mapping[str, Any] | None = None

    def waiting_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.waiting_since).total_seconds())


def _substantive(turn: Turn) -> bool:
    tokens = words(fold(turn.text))
    content = [w for w in tokens if w not in _GREETINGS]
    cjk = sum(1 for ch in turn.text if "\u3400" <= ch <= "\u9fff")
    return turn.button is None and (len(content) >= MIN_WORDS or cjk >= 4)


def _is_question(turn: Turn) -> bool:
    text = turn.text.strip()
    if "?" in text or "？" in text or any(q in text for q in _ZH_QUESTION):
        return True
    tokens = words(fold(text))
    return bool(tokens) and tokens[0] in _QUESTION_WORDS


def _quote(turn: Turn | None) -> Quote | None:
    return None if turn is None else Quote(turn.id, turn.text[:QUOTE_CHARS], turn.at)


def summarise(transcript: tuple[Turn, ...], inp: HandoffInput) -> Summary:
    customer = [t for t in transcript if t.sender == "customer" and t.text]
    substantive = [t for t in customer if _substantive(t)]
    first = substantive[0] if substantive else (customer[0] if customer else None)
    questions = [t for t in customer if _is_question(t) and t.button is None]
    last = questions[-1] if questions else (substantive[-1] if substantive else None)
    contact = inp.contact
    found = collect(transcript, contact.fields, contact.email, contact.phone, inp.phone_region)
    return Summary(_quote(first), _quote(last), found)


def bot_tried(transcript: tuple[Turn, ...], surveys: tuple[SurveyAnswer, ...]) -> BotTried:
    bot = [t for t in transcript if t.sender == "bot" and t.answer_id]
    answers = tuple(
        dict.fromkeys(t.answer_id for t in bot if t.bot_kind == "answer" and t.answer_id)
    )
    articles = tuple(
        dict.fromkeys(t.answer_id for t in bot if t.bot_kind == "article" and t.answer_id)
    )
    buttons = tuple(t.button for t in transcript if t.sender == "customer" and t.button)
    noes = tuple(t.id for t in transcript if t.sender == "customer" and t.feedback == "no")
    return BotTried(answers, articles, surveys, buttons, noes)


def sentiment(transcript: tuple[Turn, ...], language: str, settings: DetectorSettings) -> Sentiment:
    packs = settings.languages_for(language)
    scores = tuple(
        round(mood(t.text, packs).score, 3)
        for t in transcript
        if t.sender == "customer" and t.text and t.button is None
    )
    if not scores:
        return Sentiment((), 0.0, 0.0, "neutral")
    mean = round(sum(scores) / len(scores), 3)
    negative = mean >= NEGATIVE_MEAN or max(scores) >= NEGATIVE_PEAK
    return Sentiment(scores, mean, scores[-1], "negative" if negative else "neutral")


def _suggestion(inp: HandoffInput) -> Suggestion:
    s, df = inp.suggested, inp.dialogflow
    if df is None:
        return s
    return Suggestion(s.team or df.team, s.topic or df.topic, s.priority or df.priority)


def build_handoff(inp: HandoffInput, settings: DetectorSettings | None = None) -> HandoffRecord:
    """The record for a conversation leaving the bot now (status ``initiated``)."""
    settings = settings or build_settings()
    triggers = tuple(Trigger.from_signal(s) for s in inp.signals if s.strong) + inp.triggers
    if inp.dialogflow is not None:
        triggers += (Trigger("dialogflow", None, (), inp.dialogflow.reason),)
    if not triggers:
        raise HandoffError("a handoff needs at least one trigger (signal, rule, button...)")
    contact = inp.contact
    profile = Profile(
        name=contact.name,
        language=contact.language or inp.language,
        tier=contact.tier,
        fields=dict(contact.fields),
        identities=inp.identities,
        past=inp.past,
    )
    return HandoffRecord(
        schema_version=SCHEMA_VERSION,
        conversation_id=inp.conversation.id,
        status="initiated",
        triggers=triggers,
        summary=summarise(inp.transcript, inp),
        bot_tried=bot_tried(inp.transcript, inp.surveys),
        profile=profile,
        sentiment=sentiment(inp.transcript, inp.language, settings),
        suggested=_suggestion(inp),
        initiated_at=inp.now,
        waiting_since=inp.waiting_since or inp.now,
        status_at=inp.now,
        dialogflow=dict(inp.dialogflow.metadata) if inp.dialogflow is not None else None,
    )


def move(record: HandoffRecord, status: HandoffStatus, at: datetime) -> HandoffRecord:
    """The record in its next state; a move the protocol does not allow is refused."""
    if status not in TRANSITIONS[record.status]:
        allowed = ", ".join(sorted(TRANSITIONS[record.status])) or "none"
        raise HandoffError(f"a handoff {record.status} cannot become {status} (allowed: {allowed})")
    return replace(record, status=status, status_at=at)
