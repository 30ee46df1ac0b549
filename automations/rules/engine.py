"""The rule engine: rules indexed by event, conditions compiled once, actions planned.

Pure: :meth:`RuleEngine.evaluate` takes an :class:`Event` and the :class:`Facts` of its
conversation and returns a :class:`Decision`; it never touches storage or the network.
"""

from __future__ import annotations

from datetime import timedelta

from automations.actions import ActionEnv, PlanContext, PlannedAction, compile_action
from automations.fields import FieldValidator
from automations.rules.conditions import ConditionTrace, EvalContext, compile_condition
from automations.rules.explain import ActionFailure, Decision, Explanation, RuleTrace
from automations.rules.facts import CUSTOMER_EVENTS, Event, EventKind, Facts, Sender, Timer
from automations.rules.index import Bucket, CompiledRule, RuleIndex
from automations.rules.text_gate import text_gate
from config.automation_checks import AutomationConfig
from config.fields import FieldsFile
from config.hub import HubFile
from config.rules import Rule, RulesFile
from config.teams import TeamsFile

#: actions after which the hub is waiting for the customer (no_reply timers start)
_AWAITING_REPLY = frozenset({"send", "start_survey"})


def no_reply_key(seconds: int) -> str:
    return f"no_reply:{seconds}"


class RuleEngine:
    """Compiled ``rules.yaml``; safe to share between tasks (it holds no mutable state)."""

    def __init__(
        self,
        rules: RulesFile,
        *,
        fields: FieldsFile | None = None,
        teams: TeamsFile | None = None,
        languages: tuple[str, ...] = ("en",),
        default_language: str = "en",
    ) -> None:
        self.env = ActionEnv(
            validator=FieldValidator(fields or FieldsFile()),
            teams=teams or TeamsFile(),
            languages=languages,
            default_language=default_language,
        )
        default_max = rules.settings.max_fires_per_conversation
        compiled = [
            self._compile(order, rule, default_max)
            for order, rule in enumerate(rules.rules)
            if rule.enabled
        ]
        self._index = RuleIndex(compiled)
        delays = sorted(
            {
                int(rule.when.after.total_seconds())
                for rule in rules.rules
                if rule.enabled and rule.when.event == "no_reply" and rule.when.after is not None
            }
        )
        self.no_reply_timers: tuple[Timer, ...] = tuple(
            Timer(
                kind="no_reply",
                key=no_reply_key(seconds),
                after=timedelta(seconds=seconds),
                event=Event(EventKind.NO_REPLY, sender=Sender.SYSTEM, after_s=seconds),
            )
            for seconds in delays
        )
        self._no_reply_keys = tuple(t.key for t in self.no_reply_timers)

    @classmethod
    def from_config(cls, hub: HubFile, automation: AutomationConfig) -> RuleEngine:
        return cls(
            automation.rules,
            fields=automation.fields,
            teams=automation.teams,
            languages=tuple(hub.languages),
            default_language=hub.default_language,
        )

    def _compile(self, order: int, rule: Rule, default_max: int) -> CompiledRule:
        condition = compile_condition(rule.if_, "if") if rule.if_ is not None else None
        gate = text_gate(rule.if_) if rule.if_ is not None else None
        steps = tuple(
            (step.name, compile_action(step.name, step.params, self.env)) for step in rule.then
        )
        return CompiledRule(
            order=order,
            name=rule.name,
            kind=EventKind(rule.when.event),
            filter_value=rule.when.filter_value,
            condition=condition,
            steps=steps,
            max_fires=rule.max_fires or default_max,
            stop=rule.stop,
            gate=gate.keywords if gate is not None else None,
            gate_trace=RuleTrace(rule.name, False, False, gate.traces) if gate else None,
        )

    def candidates(self, event: Event) -> tuple[CompiledRule, ...]:
        """Every rule that listens to ``event`` (kind and filter), in file order."""
        return self._index.bucket(event).rules

    def evaluate(self, event: Event, facts: Facts, *, explain: bool = True) -> Decision:
        """Decide what to do about ``event``.

        The explanation lists the rules whose conditions ran (in file order, with each
        evaluated leaf), then the rules the keyword index left out (with the keyword leaf
        that excluded them). ``explain=False`` skips both (the simulation's bulk mode);
        fired rules and failures are reported either way.
        """
        if event.kind in CUSTOMER_EVENTS and event.sender is not Sender.CONTACT:
            return Decision(
                actions=(),
                explanation=Explanation(
                    event.summary(),
                    facts.now,
                    ignored=f"sent by {event.sender.value}: rules only react to the customer",
                    text=event.text,
                ),
            )
        ctx = EvalContext(event, facts)
        bucket = self._index.bucket(event)
        positions, chosen = bucket.select(ctx.normalised_text if event.text is not None else None)
        actions: list[PlannedAction] = []
        traces: list[RuleTrace] = []
        failures: list[ActionFailure] = []
        fired: list[str] = []
        plan: PlanContext | None = None
        counts = facts.fired
        stopped_at = len(bucket.rules)
        for position in positions:
            rule = bucket.rules[position]
            if counts and counts.get(rule.name, 0) >= rule.max_fires:
                if explain:
                    traces.append(_limit_trace(rule))
                continue
            condition = rule.condition
            trace: list[ConditionTrace] | None = None
            if condition is not None:
                if explain:
                    trace = []
                if not condition(ctx, trace):
                    if trace is not None:
                        traces.append(RuleTrace(rule.name, False, False, tuple(trace)))
                    continue
            if plan is None:
                plan = PlanContext(
                    rule=rule.name,
                    language=facts.language,
                    fields=dict(facts.fields),
                    template_context=_template_context(event, facts),
                )
            planned = self._plan(rule, plan, failures)
            actions += planned
            fired.append(rule.name)
            if explain:
                traces.append(RuleTrace(rule.name, True, True, tuple(trace or ()), planned))
            if rule.stop:
                stopped_at = position
                break
        if explain and bucket.gated:
            traces += bucket.left_out(chosen, stopped_at)
        return Decision(
            actions=tuple(actions),
            explanation=Explanation(
                event.summary(), facts.now, tuple(traces), tuple(failures), text=event.text
            ),
            fired=tuple(fired),
            schedule=self._schedule(actions),
            cancel=self._no_reply_keys if event.kind in CUSTOMER_EVENTS else (),
        )

    @staticmethod
    def _plan(
        rule: CompiledRule, plan: PlanContext, failures: list[ActionFailure]
    ) -> tuple[PlannedAction, ...]:
        """Plan a fired rule's actions in order; a failing one is recorded, not fatal."""
        plan.rule = rule.name
        planned: list[PlannedAction] = []
        for name, planner in rule.steps:
            try:
                planned.append(planner(plan))
            except Exception as exc:  # one broken action must not stop the others
                failures.append(ActionFailure(rule.name, name, str(exc)))
        return tuple(planned)

    def _schedule(self, actions: list[PlannedAction]) -> tuple[Timer, ...]:
        for action in actions:
            if action.kind in _AWAITING_REPLY:
                return self.no_reply_timers
        return ()

    def timers_after_outbound(self) -> tuple[Timer, ...]:
        """Timers to start when anyone (bot or agent) writes to the customer."""
        return self.no_reply_timers


def _limit_trace(rule: CompiledRule) -> RuleTrace:
    return RuleTrace(
        rule.name,
        False,
        False,
        skipped=f"fired {rule.max_fires} time(s) already in this conversation",
    )


def _template_context(event: Event, facts: Facts) -> dict[str, object]:
    return {
        "contact": facts.contact,
        "conversation": facts.conversation,
        "inbox": facts.inbox,
        "channel": facts.channel,
        "event": {
            "kind": event.kind.value,
            "text": event.text,
            "button": event.button,
            "intent": event.intent,
            "survey": event.survey,
        },
    }


__all__ = ["Bucket", "CompiledRule", "RuleEngine", "no_reply_key"]
