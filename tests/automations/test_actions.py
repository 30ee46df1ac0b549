"""Every action of the registry, planned through the engine from a ``then`` step."""

from __future__ import annotations

from typing import Any

import pytest

from automations.actions import (
    ACTIONS,
    AddLabel,
    AssignAgent,
    AssignTeam,
    ClearField,
    Escalate,
    MessageButton,
    Notify,
    RemoveLabel,
    Resolve,
    SendMessage,
    SetField,
    SetLanguage,
    SetPriority,
    StartSurvey,
)
from automations.rules import Decision, Event, EventKind, RuleEngine
from config.fields import FieldsFile
from config.rules import ACTION_NAMES, RulesFile
from config.teams import TeamsFile
from tests.automations.conftest import facts, model_from_yaml

FIELDS = model_from_yaml(
    FieldsFile,
    """
fields:
  - name: size
    type: number
    min: 1
  - name: preferred_language
    type: single_choice
    choices:
      - {value: en, label: English}
      - {value: fr, label: Français}
      - {value: es, label: Español}
""",
)
TEAMS = model_from_yaml(
    TeamsFile,
    """
default_team: general
teams:
  - {name: general, languages: [en]}
  - {name: french, languages: [fr]}
""",
)


def decide(then: str, *, event: Event | None = None, **fact_overrides: Any) -> Decision:
    """Run a one-rule config whose ``then`` is the given YAML list body."""
    text = f"rules:\n  - name: r\n    when: conversation_opened\n    then:\n{then}"
    engine = RuleEngine(
        model_from_yaml(RulesFile, text),
        fields=FIELDS,
        teams=TEAMS,
        languages=("en", "fr", "es"),
        default_language="en",
    )
    return engine.evaluate(event or Event(EventKind.CONVERSATION_OPENED), facts(**fact_overrides))


def test_registry_covers_every_config_action() -> None:
    assert set(ACTIONS) == set(ACTION_NAMES)


def test_send_in_the_conversation_language_with_buttons() -> None:
    decision = decide(
        "      - send:\n"
        "          text: {en: 'Hi {{ contact.name }}', fr: 'Bonjour {{ contact.name }}'}\n"
        "          buttons:\n"
        "            - {id: pricing, title: {en: Pricing, fr: Tarifs}}\n",
        language="fr",
        contact={"name": "Chloé"},
    )
    assert decision.actions == (
        SendMessage(
            rule="r",
            text="Bonjour Chloé",
            language="fr",
            buttons=(MessageButton("pricing", "Tarifs"),),
        ),
    )


def test_send_falls_back_to_the_default_language() -> None:
    decision = decide("      - send: {en: Hello, fr: Bonjour}\n", language="es")
    assert decision.actions == (SendMessage(rule="r", text="Hello", language="es"),)


def test_send_snippet_is_left_to_the_hub() -> None:
    decision = decide("      - send: {snippet: opening_hours}\n")
    assert decision.actions == (
        SendMessage(rule="r", text="", language="en", snippet="opening_hours"),
    )


@pytest.mark.parametrize(
    "template", ["{{ contact.__class__.__mro__ }}", "{{ ''.__class__.__subclasses__() }}"]
)
def test_templates_are_sandboxed(template: str) -> None:
    decision = decide(f'      - send: "{template}"\n      - add_label: next\n')
    assert decision.actions == (AddLabel(rule="r", label="next"),)
    (failure,) = decision.explanation.failures
    assert (failure.rule, failure.action) == ("r", "send")
    assert failure.error.startswith("template error: access to attribute '__class__'")


def test_start_survey() -> None:
    assert decide("      - start_survey: language\n").actions == (
        StartSurvey(rule="r", survey="language"),
    )


def test_set_field_validates_and_normalises() -> None:
    assert decide("      - set_field: {size: '1 200'}\n").actions == (
        SetField(rule="r", field="size", value=1200),
    )


def test_set_field_from_a_template() -> None:
    decision = decide(
        "      - set_field: {preferred_language: '{{ contact.language }}'}\n",
        contact={"language": "fr"},
    )
    assert decision.actions == (SetField(rule="r", field="preferred_language", value="fr"),)


def test_set_field_refused_value_is_a_failure_not_a_crash() -> None:
    decision = decide("      - set_field: {size: 0}\n      - add_label: still_runs\n")
    assert decision.actions == (AddLabel(rule="r", label="still_runs"),)
    (failure,) = decision.explanation.failures
    assert (failure.rule, failure.action) == ("r", "set_field")
    assert failure.error == "field 'size' refused 0: Please give a value of at least 1."
    assert decision.fired == ("r",)


def test_clear_field() -> None:
    assert decide("      - clear_field: size\n").actions == (ClearField(rule="r", field="size"),)


def test_labels() -> None:
    decision = decide("      - add_label: vip\n      - remove_label: new\n")
    assert decision.actions == (AddLabel(rule="r", label="vip"), RemoveLabel(rule="r", label="new"))


def test_set_priority() -> None:
    assert decide("      - set_priority: urgent\n").actions == (
        SetPriority(rule="r", priority="urgent"),
    )


def test_assign_team_by_name() -> None:
    assert decide("      - assign_team: french\n").actions == (AssignTeam(rule="r", team="french"),)


@pytest.mark.parametrize(
    ("fields", "team"),
    [
        ({"preferred_language": "fr"}, "french"),
        ({"preferred_language": "es"}, "general"),
        ({}, "general"),
    ],
)
def test_assign_team_by_language_falls_back_to_default_team(
    fields: dict[str, str], team: str
) -> None:
    decision = decide("      - assign_team: {language_from: preferred_language}\n", fields=fields)
    assert decision.actions == (AssignTeam(rule="r", team=team),)


def test_assign_agent() -> None:
    assert decide("      - assign_agent: alice@demo.example\n").actions == (
        AssignAgent(rule="r", agent="alice@demo.example"),
    )


def test_escalate_with_reason() -> None:
    assert decide("      - escalate: {reason: angry customer, priority: high}\n").actions == (
        Escalate(rule="r", reason="angry customer", priority="high"),
    )


def test_resolve() -> None:
    assert decide("      - resolve: {note: done}\n").actions == (Resolve(rule="r", note="done"),)


def test_notify_renders_its_text() -> None:
    decision = decide(
        "      - notify: {via: email, to: team@demo.example, text: 'VIP {{ contact.name }}'}\n",
        contact={"name": "Ana"},
    )
    assert decision.actions == (
        Notify(rule="r", via="email", to="team@demo.example", text="VIP Ana"),
    )


def test_set_language_then_send_speaks_the_new_language() -> None:
    decision = decide(
        "      - set_language: {from_field: preferred_language}\n"
        "      - send: {en: Hello, fr: Bonjour}\n",
        fields={"preferred_language": "fr"},
    )
    assert decision.actions == (
        SetLanguage(rule="r", language="fr"),
        SendMessage(rule="r", text="Bonjour", language="fr"),
    )


def test_set_field_then_template_sees_the_new_value() -> None:
    decision = decide("      - set_field: {size: 5}\n      - send: 'size={{ fields.size }}'\n")
    assert decision.actions[1] == SendMessage(rule="r", text="size=5", language="en")


def test_set_language_refuses_a_language_the_hub_does_not_speak() -> None:
    decision = decide("      - set_language: {from_field: size}\n", fields={"size": 3})
    assert decision.actions == ()
    assert decision.explanation.failures[0].error == "language '3' is not one of ['en', 'fr', 'es']"


def test_actions_describe_themselves_for_explanations() -> None:
    assert AssignTeam(rule="r", team="french").describe() == "assign_team(team='french')"
    assert Resolve(rule="r").describe() == "resolve()"
    assert SetField(rule="r", field="size", value=3).to_dict() == {
        "kind": "set_field",
        "rule": "r",
        "field": "size",
        "value": 3,
    }


CONTEXT = {"contact": {"name": "Ana", "phone": None}, "fields": {"interest": ("pricing",)}}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain text, no tags", "plain text, no tags"),
        ("Hi {{ contact.name }}!", "Hi Ana!"),
        ("{{contact.name}}/{{ fields.interest }}", "Ana/('pricing',)"),
        ("[{{ contact.missing }}|{{ nothing.at.all }}|{{ contact.phone }}]", "[||None]"),
        ("{{ contact.name | upper }}", "ANA"),
        ("{% if contact.name %}named{% else %}anonymous{% endif %}", "named"),
        ("a }} b {{ contact.name }}", "a }} b Ana"),
    ],
)
def test_template_fast_path_prints_what_jinja_prints(source: str, expected: str) -> None:
    from jinja2 import ChainableUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from automations.templates import Template

    assert Template(source).render(CONTEXT) == expected
    reference = SandboxedEnvironment(undefined=ChainableUndefined).from_string(source)
    assert reference.render(CONTEXT) == expected


def test_template_syntax_error_is_an_action_error() -> None:
    from automations.errors import ActionError
    from automations.templates import Template

    with pytest.raises(ActionError, match="No filter named 'no_such_filter'"):
        Template("{{ contact.name | no_such_filter }}")
