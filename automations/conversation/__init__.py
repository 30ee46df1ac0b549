"""The conversation brain: ``decide(state, inputs, brain, now) -> Decision``, pure.

Everything the hub decides about a conversation is one call: given a frozen snapshot
(:class:`ConversationState`), typed inputs (a customer message or button, a timer, an
agent action, a field change) and the compiled config (:class:`Brain`, from
:func:`build_brain`), :func:`decide` returns every effect as a frozen :class:`Decision`.
The live hub, the tests' ``Chat`` and replays all run this same function; the hub only
loads the state and writes the decision (I/O such as a remote NLU provider is called
before, its result passed in: :func:`nlu_request` says what to ask).
"""

from automations.conversation import memory
from automations.conversation.brain import (
    DEFAULT_NOTIFIERS,
    PRIORITIES,
    Brain,
    RenderedSnippet,
    SnippetRenderer,
    SnippetValues,
    build_brain,
    localized,
    priority_name,
)
from automations.conversation.customer import NluRequest
from automations.conversation.decide import decide, nlu_request
from automations.conversation.decision import (
    ContactChanges,
    ConversationChanges,
    Decision,
    ExplanationRecord,
    NluAnnotation,
    NotificationRecord,
    OutgoingMessage,
    ReportingEvent,
    Signal,
    TimerCancel,
    TimerSet,
)
from automations.conversation.inputs import (
    AgentReplied,
    AgentTookOver,
    Attachment,
    ConversationOpened,
    CustomerMessage,
    FieldsChanged,
    HandedBack,
    Input,
    ResolvedByAgent,
    TimerFired,
)
from automations.conversation.state import (
    AgentRef,
    BotState,
    Channel,
    ContactSnapshot,
    ConversationSnapshot,
    ConversationState,
    Identity,
    PendingTimer,
    TranscriptMessage,
)
from automations.conversation.step import MAX_EVENTS_PER_STEP
from automations.conversation.transitions import TRANSITIONS, Cause, Status, next_status

__all__ = [
    "DEFAULT_NOTIFIERS",
    "MAX_EVENTS_PER_STEP",
    "PRIORITIES",
    "TRANSITIONS",
    "AgentRef",
    "AgentReplied",
    "AgentTookOver",
    "Attachment",
    "BotState",
    "Brain",
    "Cause",
    "Channel",
    "ContactChanges",
    "ContactSnapshot",
    "ConversationChanges",
    "ConversationOpened",
    "ConversationSnapshot",
    "ConversationState",
    "CustomerMessage",
    "Decision",
    "ExplanationRecord",
    "FieldsChanged",
    "HandedBack",
    "Identity",
    "Input",
    "NluAnnotation",
    "NluRequest",
    "NotificationRecord",
    "OutgoingMessage",
    "PendingTimer",
    "RenderedSnippet",
    "ReportingEvent",
    "ResolvedByAgent",
    "Signal",
    "SnippetRenderer",
    "SnippetValues",
    "Status",
    "TimerCancel",
    "TimerFired",
    "TimerSet",
    "TranscriptMessage",
    "build_brain",
    "decide",
    "localized",
    "memory",
    "next_status",
    "nlu_request",
    "priority_name",
]
