"""The rules -> events -> rules loop over one :class:`Working` conversation.

Ported from the hub's bot step with its order kept: events are fed to the rules one by
one, each fired rule's actions run in order, and the events an action causes join the
queue (a survey started by an action runs its own events at once, draining the queue it
shares). At most :data:`MAX_EVENTS_PER_STEP` events per input; a loop beyond that is cut
short and logged. Every decision is kept as an explanation record.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable

from automations.actions import PlannedAction, StartSurvey
from automations.conversation.effects import carry_out
from automations.conversation.working import Record, Working
from automations.errors import AutomationError
from automations.rules import Decision, Event, Timer
from automations.surveys import SurveyStep, timeout_key

log = logging.getLogger(__name__)

#: events one step may handle; beyond this a rule loop is cut short and logged
MAX_EVENTS_PER_STEP = 64


class Step:
    """One input's worth of events over the working conversation."""

    def __init__(self, work: Working) -> None:
        self.work = work
        self.brain = work.brain
        self.pending: deque[Event] = deque()
        self.handled = 0
        #: timer keys (re)scheduled by this step
        self.scheduled: set[str] = set()
        #: the language detected in this step's customer text (detection runs once)
        self.detected: str | None = None
        self.done_detecting = False

    def schedule(self, planned: Iterable[Timer]) -> None:
        planned = tuple(planned)
        if planned:
            self.work.schedule(planned)
            self.scheduled.update(t.key for t in planned)

    def survey(self, step: SurveyStep, label: str) -> None:
        """Carry out a survey step: its state, its timeout, its actions, then its events."""
        work = self.work
        work.survey = step.state
        if step.timer is not None:
            self.schedule([step.timer])
        elif step.finished:
            work.cancel([timeout_key(step.state.survey)])
        state = step.state
        record = Record(
            "survey",
            label,
            work.now,
            explanation={
                "survey": state.survey,
                "status": state.status.value,
                "question": state.question,
                "attempts": state.attempts,
                "reason": state.reason,
                "skipped": list(state.skipped),
            },
        )
        if step.actions or step.events or step.finished:
            work.records.append(record)
        self.apply(step.actions, record)
        self.events(step.events)

    def events(self, events: Iterable[Event]) -> None:
        """Feed events to the rules, and the events their actions cause, until none is left."""
        work = self.work
        self.pending.extend(events)
        while self.pending:
            event = self.pending.popleft()
            self.handled += 1
            if self.handled > MAX_EVENTS_PER_STEP:
                log.warning(
                    "conversation %s: more than %d events in one step, the rest dropped",
                    work.conversation_id,
                    MAX_EVENTS_PER_STEP,
                )
                self.pending.clear()
                return
            decision = self.brain.engine.evaluate(event, work.facts())
            work.fired.update(decision.fired)
            # a customer event cancels what waited for the customer, but not what this very
            # step started (the welcome a conversation's first message opened)
            stale = [key for key in decision.cancel if key not in self.scheduled]
            work.cancel(stale)
            self.schedule(decision.schedule)
            record = self._record(decision)
            self.apply(decision.actions, record)

    def _record(self, decision: Decision) -> Record:
        explanation = decision.explanation
        kept = bool(explanation.rules or explanation.failures or decision.fired)
        record = Record(
            "rules",
            explanation.event,
            explanation.at,
            fired=decision.fired,
            # the JSON of a record nobody keeps is not worth building (most messages)
            explanation=explanation.to_dict() if kept else None,
        )
        record.failures.extend(
            {"rule": f.rule, "action": f.action, "error": f.error, "stage": "plan"}
            for f in explanation.failures
        )
        for failure in explanation.failures:
            log.warning("rule %s: action %s could not be planned", failure.rule, failure.action)
        if kept:
            self.work.records.append(record)
        return record

    def apply(self, actions: Iterable[PlannedAction], record: Record) -> None:
        """Run each action; a failing one is recorded with its rule and the others still run."""
        for action in actions:
            try:
                if isinstance(action, StartSurvey):
                    self._start_survey(action)
                    caused: tuple[Event, ...] = ()
                else:
                    caused = carry_out(self.work, action)
            except AutomationError as exc:
                self._failed(action, record, exc)
                continue
            except Exception as exc:  # a bug in one action must not cost the others
                log.debug("rule %s: action %s raised", action.rule, action.kind, exc_info=True)
                self._failed(action, record, exc)
                continue
            self.work.done.append(action)
            record.actions.append(
                {"rule": action.rule, "action": action.describe(), "ok": True, "error": None}
            )
            self.pending.extend(caused)

    def _failed(self, action: PlannedAction, record: Record, exc: Exception) -> None:
        log.warning(
            "rule %s: action %s failed in conversation %s (%s)",
            action.rule,
            action.kind,
            self.work.conversation_id,
            type(exc).__name__,
        )
        record.actions.append(
            {"rule": action.rule, "action": action.describe(), "ok": False, "error": str(exc)}
        )
        record.failures.append(
            {"rule": action.rule, "action": action.kind, "error": str(exc), "stage": "apply"}
        )

    def _start_survey(self, action: StartSurvey) -> None:
        work = self.work
        step = self.brain.surveys.start(
            action.survey, language=work.language, now=work.now, max_buttons=work.max_buttons
        )
        work.survey = step.state
        self.survey(step, f"survey_start({action.survey})")


__all__ = ["MAX_EVENTS_PER_STEP", "Step"]
