"""``snippets.yaml``: loading with the rest of the config, and the exact ``file:line:
message`` of each class of mistake, including references from intents and rules.

Each directory under ``tests/config/broken_snippets/`` holds one class of mistake and, in
``expected.txt``, every problem ``load_config`` (what ``hub check`` runs) must report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from config.errors import ConfigError
from config.loader import load_config
from config.snippets import VARIABLES, SnippetsFile, check_template
from hub.cli.main import main

HERE = Path(__file__).parent
BROKEN = HERE / "broken_snippets"
DEMO = HERE.parents[1] / "config" / "demo"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())

HUB = "languages: [en, fr]\ndefault_language: en\n"
GREETING = """\
snippets:
  - name: greeting
    shortcut: /hi
    title: Greeting
    tags: [welcome]
    text:
      en: "Hi {{ contact.first_name or 'there' }}!"
      fr: "Bonjour {{ contact.first_name }} !"
    buttons:
      - {id: pricing, title: {en: Pricing, fr: Tarifs}}
"""


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(directory)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("case", CASES)
def test_broken_snippets_report_exact_problems(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)  # so problems name `broken_snippets/CASE/FILE`
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert expected, "a broken case must expect at least one problem"
    assert problems_of(Path("broken_snippets") / case) == expected


def test_every_class_of_mistake_has_a_case() -> None:
    assert set(CASES) >= {
        "variables",
        "duplicates",
        "languages",
        "unknown_key",
        "references",
        "yaml_syntax",
    }


def test_the_demo_snippets_load_and_an_intent_answers_with_one() -> None:
    config = load_config(DEMO)
    assert config.warnings == ()
    assert {"greeting", "ticket-received", "closing"} <= config.snippets.names
    for snippet in config.snippets.snippets:
        assert set(snippet.text) >= {"en", "fr"}, snippet.name
    assert config.intents is not None
    by_snippet = [i.name for i in config.intents.intents if i.answer.snippet is not None]
    assert by_snippet, "at least one demo intent answers through a snippet"
    for name in by_snippet:
        intent = next(i for i in config.intents.intents if i.name == name)
        assert intent.answer.snippet in config.snippets.names


def test_a_snippet_loads_with_its_defaults(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "snippets.yaml").write_text(GREETING + "  - name: closing\n    text: {en: Bye}\n")
    snippets = load_config(tmp_path).snippets
    greeting = snippets.get("greeting")
    assert greeting is not None
    assert (greeting.shortcut, greeting.command) == ("hi", "hi")  # the slash is not kept
    assert (greeting.title, greeting.tags) == ("Greeting", ("welcome",))
    closing = snippets.get("closing")
    assert closing is not None
    assert (closing.shortcut, closing.command, closing.title, closing.buttons) == (
        None,
        "closing",
        "",
        (),
    )


def test_without_the_file_there_are_no_snippets(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    assert load_config(tmp_path).snippets == SnippetsFile()
    (tmp_path / "snippets.yaml").write_text("# none yet\n")
    assert load_config(tmp_path).snippets == SnippetsFile()


def test_without_the_file_a_reference_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - name: hi\n    when: conversation_opened\n"
        "    then: [{send: {snippet: hello}}]\n"
    )
    assert problems_of(tmp_path) == [f"{tmp_path}/rules.yaml:4: unknown snippet 'hello'"]


def test_a_broken_snippets_file_does_not_flood_the_references(tmp_path: Path) -> None:
    """References into a file that did not load are not checked (they would all fail)."""
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "snippets.yaml").write_text("snippets:\n  - name: hello\n    txt: {en: Hi}\n")
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - name: hi\n    when: conversation_opened\n"
        "    then: [{send: {snippet: hello}}]\n"
    )
    assert problems_of(tmp_path) == [
        f"{tmp_path}/snippets.yaml:2: missing required key 'text'",
        f"{tmp_path}/snippets.yaml:3: unknown key 'txt'",
    ]


def test_rules_may_act_on_a_button_a_snippet_offers(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    rules = "rules:\n  - name: p\n    when: {button_pressed: pricing}\n    then: [{add_label: p}]\n"
    (tmp_path / "rules.yaml").write_text(rules)
    assert problems_of(tmp_path) == [f"{tmp_path}/rules.yaml:3: no message offers button 'pricing'"]
    (tmp_path / "snippets.yaml").write_text(GREETING)
    assert load_config(tmp_path).snippets.names == {"greeting"}


def test_field_names_are_checked_only_when_fields_yaml_loaded(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "snippets.yaml").write_text(
        "snippets:\n  - name: s\n    text: {en: '{{ contact.fields.plan }}'}\n"
    )
    assert problems_of(tmp_path) == [
        f"{tmp_path}/snippets.yaml:3: unknown field 'plan' in 'contact.fields.plan'"
    ]
    (tmp_path / "fields.yaml").write_text("fields:\n  - {name: plan, type: text}\n")
    assert load_config(tmp_path).snippets.names == {"s"}
    # fields.yaml broken: its own problem is reported, not one per snippet reference
    (tmp_path / "fields.yaml").write_text("fields:\n  - {name: plan, type: txt}\n")
    problems = problems_of(tmp_path)
    assert all("fields.yaml" in p for p in problems), problems


@pytest.mark.parametrize(
    "template",
    [
        "{{ contact.first_name or 'there' }}",
        "{{ contact.name | default('there', true) | title }}",
        "{% if agent.name %}{{ agent.name }}, {% endif %}{{ inbox.name }}",
        "{% set n = conversation.id %}#{{ n }}",
        "{{ contact.fields.plan }} {{ contact.fields['plan'] }}",
        "{{ ticket.id }} {{ contact.email }}",
    ],
)
def test_templates_over_known_variables_pass(template: str) -> None:
    assert check_template(template, ["plan"]) == []


def test_a_method_of_a_value_is_refused_use_a_filter() -> None:
    assert check_template("{{ contact.name.upper() }}", None) == [
        "unknown variable 'contact.name.upper' (did you mean 'contact.name'?)"
    ]
    assert check_template("{{ contact.name | upper }}", None) == []


def test_an_unknown_root_lists_the_variables() -> None:
    assert check_template("{{ customer.name }}", None) == [
        f"unknown variable 'customer.name' (use one of {', '.join(VARIABLES)})"
    ]


def test_hub_check_prints_snippet_problems_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "snippets.yaml").write_text(
        "snippets:\n  - name: s\n    text:\n      en: 'Hi {{ contact.nam }}'\n"
    )
    result = CliRunner().invoke(main, ["check", "--config", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"{tmp_path}/snippets.yaml:4: unknown variable 'contact.nam' (did you mean 'contact.name'?)"
    )
