"""The automation files (fields, surveys, rules, teams): loading, shorthands, and the
exact ``file:line: message`` of every class of mistake ``hub check`` reports.

Each directory under ``tests/config/broken/`` holds one class of mistake and, in
``expected.txt``, the exact problems it must produce.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config.automation_checks import check_automations, load_automation_files
from config.errors import Problem
from config.hub import HubFile
from config.loader import load_config
from config.rules import RulesFile
from config.source import load_yaml, parse_yaml
from config.validation import validate_source
from config.wait_texts import KEYS as WAIT_KEYS

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
DEMO = HERE.parents[1] / "config" / "demo"
SNIPPETS = frozenset({"pricing_details", "opening_hours"})
INTENTS = frozenset({"pricing", "refund", "talk_to_human"})
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def check_directory(directory: Path, display: str) -> list[Problem]:
    """What ``hub check`` will print for the automation files of ``directory``."""
    hub, hub_problems = validate_source(HubFile, load_yaml(directory / "hub.yaml"))
    assert hub is not None, hub_problems
    config, problems = load_automation_files(directory, display)
    if config is not None:
        problems += check_automations(hub, config, snippets=SNIPPETS, intents=INTENTS)
    return problems


def test_every_error_class_has_a_case() -> None:
    assert set(CASES) >= {
        "yaml_syntax",
        "unknown_key",
        "wrong_type",
        "unknown_field",
        "unknown_survey",
        "unknown_team",
        "unknown_snippet",
        "unknown_intent",
        "unknown_event",
        "unknown_action",
        "unknown_condition",
        "bad_operator",
        "unreachable",
        "languages",
        "duplicates",
        "invalid_regex",
        "choices",
        "bad_template",
        "unknown_button",
        "team_references",
        "hours",
        "inverted_hours",
        "capacity",
        "notice_secrets",
        "messages",
    }


@pytest.mark.parametrize("case", CASES)
def test_broken_config_reports_exact_problems(case: str) -> None:
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    problems = check_directory(BROKEN / case, f"broken/{case}")
    assert [str(p) for p in problems] == expected
    assert expected, "a broken case must expect at least one problem"
    assert all(p.severity == "error" for p in problems)


def test_the_demo_config_is_clean() -> None:
    config = load_config(DEMO)  # the whole directory, as `hub check` loads it
    assert [str(p) for p in config.warnings] == []


def test_rules_may_act_on_buttons_other_files_offer(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text("languages: [en]\n")
    (tmp_path / "rules.yaml").write_text(
        "rules:\n"
        "  - name: not_helpful\n"
        "    when: {button_pressed: 'nlu:answered:no'}\n"
        "    then: [{add_label: faq_not_helpful}]\n"
    )
    hub, _ = validate_source(HubFile, load_yaml(tmp_path / "hub.yaml"))
    assert hub is not None
    config, _ = load_automation_files(tmp_path, "d")
    assert config is not None
    assert [str(p) for p in check_automations(hub, config)] == [
        "d/rules.yaml:3: no message offers button 'nlu:answered:no'"
    ]
    assert check_automations(hub, config, extra_buttons={"nlu:answered:no"}) == []


def test_demo_configures_the_canonical_language_example() -> None:
    config, _ = load_automation_files(DEMO)
    assert config is not None
    survey = config.surveys.get("language")
    assert survey is not None
    question = survey.questions[0]
    assert question.field == "preferred_language"
    assert isinstance(question.text, dict)
    assert question.text["en"] == "Which language do you prefer: English, Español, 中文, Français?"
    field = config.fields.get("preferred_language")
    assert field is not None
    assert [c.value for c in field.choices] == ["en", "es", "zh", "fr"]
    assert [c.label for c in field.choices] == ["English", "Español", "中文", "Français"]
    for language in ("en", "es", "zh", "fr"):
        team = config.teams.for_language(language)
        assert team is not None
        assert language in team.languages


def test_missing_files_are_empty(tmp_path: Path) -> None:
    config, problems = load_automation_files(tmp_path)
    assert problems == []
    assert config is not None
    assert config.rules == RulesFile()
    assert config.fields.fields == ()
    assert config.surveys.surveys == ()
    assert config.teams.teams == ()


def test_empty_file_is_an_empty_model(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("# nothing yet\n")
    config, problems = load_automation_files(tmp_path)
    assert problems == []
    assert config is not None
    assert config.rules.rules == ()


def test_unknown_snippets_and_intents_are_not_checked_without_their_files() -> None:
    case = BROKEN / "unknown_snippet"
    hub, _ = validate_source(HubFile, load_yaml(case / "hub.yaml"))
    assert hub is not None
    config, _ = load_automation_files(case)
    assert config is not None
    assert check_automations(hub, config) == []


def test_unknown_notifier_is_refused_and_registered_ones_accepted(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text("languages: [en]\n")
    (tmp_path / "rules.yaml").write_text(
        "rules:\n"
        "  - name: tell\n"
        "    when: conversation_escalated\n"
        "    then:\n"
        "      - notify: {via: slak, text: escalated}\n"
    )
    hub, _ = validate_source(HubFile, load_yaml(tmp_path / "hub.yaml"))
    assert hub is not None
    config, _ = load_automation_files(tmp_path, "d")
    assert config is not None
    assert [str(p) for p in check_automations(hub, config)] == [
        "d/rules.yaml:5: unknown notifier 'slak'"
    ]
    assert [
        str(p) for p in check_automations(hub, config, notifiers={"inbox", "email", "slack"})
    ] == ["d/rules.yaml:5: unknown notifier 'slak' (did you mean 'slack'?)"]


def test_agent_outside_every_team_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text("languages: [en]\n")
    (tmp_path / "teams.yaml").write_text(
        "teams:\n  - name: support\n    agents: [alice@example.com]\n"
    )
    (tmp_path / "rules.yaml").write_text(
        "rules:\n"
        "  - name: vip\n"
        "    when: conversation_opened\n"
        "    then:\n"
        "      - assign_agent: Alice@example.com\n"
        "      - assign_agent: bob@example.com\n"
    )
    hub, _ = validate_source(HubFile, load_yaml(tmp_path / "hub.yaml"))
    assert hub is not None
    config, _ = load_automation_files(tmp_path, "d")
    assert config is not None
    assert [str(p) for p in check_automations(hub, config)] == [
        "d/rules.yaml:6: warning: agent 'bob@example.com' is not listed in any team of teams.yaml"
    ]


def rules(text: str) -> RulesFile:
    loaded, problems = validate_source(RulesFile, parse_yaml(text, "rules.yaml"))
    assert loaded is not None, [str(p) for p in problems]
    return loaded


def test_shorthands_expand_to_the_explicit_form() -> None:
    loaded = rules(
        "rules:\n"
        "  - name: r\n"
        "    when: {no_reply: 1h30m}\n"
        "    if:\n"
        "      language: fr\n"
        "      channel: [webchat, telegram]\n"
        "    then:\n"
        "      - send: {en: Hi}\n"
        "      - resolve\n"
        "      - set_field: {size: 3}\n"
        "      - assign_team: support\n"
        "      - escalate: angry\n"
    )
    rule = loaded.rules[0]
    assert rule.when.event == "no_reply"
    assert rule.when.after == timedelta(hours=1, minutes=30)
    assert rule.when.filter_value == "5400"
    assert rule.if_ is not None
    assert rule.if_.language is not None
    assert rule.if_.language.operators == {"equals": "fr"}
    assert rule.if_.channel is not None
    assert rule.if_.channel.operators == {"in": ("webchat", "telegram")}
    names = [step.name for step in rule.then]
    assert names == ["send", "resolve", "set_field", "assign_team", "escalate"]
    assert rule.then[0].send is not None
    assert rule.then[0].send.text == {"en": "Hi"}
    assert rule.then[2].set_field is not None
    assert (rule.then[2].set_field.field, rule.then[2].set_field.value) == ("size", 3)
    assert rule.then[3].assign_team is not None
    assert rule.then[3].assign_team.team == "support"
    assert rule.then[4].escalate is not None
    assert rule.then[4].escalate.reason == "angry"


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("90", 90), ("45s", 45), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1h30m", 5400)],
)
def test_durations(written: str, seconds: int) -> None:
    loaded = rules(f"rules:\n  - name: r\n    when: {{no_reply: {written}}}\n    then: [resolve]\n")
    assert loaded.rules[0].when.after == timedelta(seconds=seconds)


def test_notice_targets_name_their_environment_variables() -> None:
    config = load_config(DEMO)
    notices = config.automation.teams.notices
    assert notices.env_names == ("DEMO_SLACK_WEBHOOK_URL", "DEMO_SMTP_HOST")
    assert notices.missing_env({}) == ("DEMO_SLACK_WEBHOOK_URL", "DEMO_SMTP_HOST")
    environ = {"DEMO_SLACK_WEBHOOK_URL": "https://hooks.example/x", "DEMO_SMTP_HOST": " "}
    assert notices.missing_env(environ) == ("DEMO_SMTP_HOST",)


def test_a_teams_file_of_the_first_version_still_loads(tmp_path: Path) -> None:
    (tmp_path / "teams.yaml").write_text(
        "default_team: support\n"
        "teams:\n"
        "  - {name: support, languages: [en], agents: [a@x.example], capacity: 2,"
        " strategy: least_busy}\n"
    )
    config, problems = load_automation_files(tmp_path)
    assert problems == []
    assert config is not None
    team = config.teams.get("support")
    assert team is not None
    assert (team.strategy, team.capacity) == ("least_loaded", {"total": 2})
    assert config.teams.members("support") == ("a@x.example",)


def test_a_hub_language_without_default_wait_texts_is_a_warning_until_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "hub.yaml").write_text("languages: [en, de]\n")
    (tmp_path / "teams.yaml").write_text("teams: [{name: support, languages: [en, de]}]\n")
    hub, _ = validate_source(HubFile, load_yaml(tmp_path / "hub.yaml"))
    assert hub is not None
    config, _ = load_automation_files(tmp_path, "d")
    assert config is not None
    (warning,) = check_automations(hub, config)
    assert warning.severity == "warning"
    assert str(warning).startswith(
        "d/teams.yaml:1: warning: no default wait messages in 'de': customers writing in it "
        "get English for soon, within, by,"
    )
    texts = "".join(f"  {key}: {{de: '...'}}\n" for key in WAIT_KEYS)
    (tmp_path / "teams.yaml").write_text(
        "teams: [{name: support, languages: [en, de]}]\nmessages:\n" + texts
    )
    config, _ = load_automation_files(tmp_path, "d")
    assert config is not None
    assert check_automations(hub, config) == []
