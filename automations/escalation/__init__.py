"""Escalation: know when a human is needed, and what the human receives.

Pure, like the rest of ``automations``: the brain builds a :class:`DetectorInput` for each
customer input and calls :func:`assess` (:func:`detect` with the compiled settings of
``escalation.yaml`` from :func:`settings_for`, then :func:`evaluate_policy`) for the action;
when the conversation leaves the bot, :func:`build_handoff` makes the record the agent sees
and ``texts`` says what the customer reads. ``evaluate`` scores one signal on labelled messages.
"""

from automations.escalation.detect import detect, detect_one
from automations.escalation.dialogflow_handoff import (
    DialogflowHandoff,
    from_metadata,
    live_agent_handoff,
)
from automations.escalation.errors import EscalationError, EvaluationError, HandoffError
from automations.escalation.handoff import (
    SCHEMA_VERSION,
    HandoffInput,
    HandoffRecord,
    Identity,
    PastConversations,
    Suggestion,
    SurveyAnswer,
    Trigger,
    build_handoff,
    move,
)
from automations.escalation.handoff_json import activity, record_to_dict, status_event
from automations.escalation.policy import PastSignal, PolicyContext, PolicyOutcome, evaluate_policy
from automations.escalation.rollout import bucket, in_rollout
from automations.escalation.settings import DetectorSettings, build_settings, settings_for
from automations.escalation.signals import (
    ContactView,
    ConversationView,
    DetectorInput,
    Evidence,
    Signal,
    Turn,
)
from automations.escalation.step import Assessment, assess

__all__ = [
    "SCHEMA_VERSION",
    "Assessment",
    "ContactView",
    "ConversationView",
    "DetectorInput",
    "DetectorSettings",
    "DialogflowHandoff",
    "EscalationError",
    "EvaluationError",
    "Evidence",
    "HandoffError",
    "HandoffInput",
    "HandoffRecord",
    "Identity",
    "PastConversations",
    "PastSignal",
    "PolicyContext",
    "PolicyOutcome",
    "Signal",
    "Suggestion",
    "SurveyAnswer",
    "Trigger",
    "Turn",
    "activity",
    "assess",
    "bucket",
    "build_handoff",
    "build_settings",
    "detect",
    "detect_one",
    "evaluate_policy",
    "from_metadata",
    "in_rollout",
    "live_agent_handoff",
    "move",
    "record_to_dict",
    "settings_for",
    "status_event",
]
