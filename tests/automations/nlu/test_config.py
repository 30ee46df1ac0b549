"""intents.yaml and knowledge articles: validation and the warnings ``hub check`` prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.hub import HubFile
from config.intents import load_intents
from config.knowledge import load_knowledge, parse_article

HUB = HubFile(languages=("en", "fr"), default_language="en")

INTENT = """
  - name: {name}
    examples:
      en: {examples}
    answer:
      text: {{en: "answer"}}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "intents.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def load(path: Path):
    return load_intents(path, "intents.yaml", HUB)


def test_demo_intents_are_clean():
    from config.loader import load_config

    demo = Path(__file__).resolve().parents[3] / "config" / "demo"
    hub = load_config(demo).hub
    intents, problems, _ = load_intents(demo / "intents.yaml", "intents.yaml", hub)
    assert intents is not None
    assert problems == []
    articles, problems = load_knowledge(demo, "config/demo", hub)
    assert problems == []
    assert len(articles) >= 2


def test_single_intent_is_a_warning(tmp_path):
    path = write(tmp_path, "intents:" + INTENT.format(name="pricing", examples='["how much?"]'))
    intents, problems, _ = load(path)
    assert intents is not None
    assert [p.severity for p in problems] == ["warning"]
    assert "only one intent" in problems[0].message
    assert str(problems[0]).startswith("intents.yaml:1: warning: ")


def test_duplicate_example_across_intents_is_a_warning_on_its_line(tmp_path):
    body = (
        "intents:"
        + INTENT.format(name="pricing", examples='["How much?", prices]')
        + INTENT.format(name="plans", examples="[plans, how much]")
    )
    intents, problems, _ = load(write(tmp_path, body))
    assert intents is not None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.severity == "warning"
    assert "also an example of intent 'pricing'" in problem.message
    assert problem.line == 10  # the second intent's `en:` examples line


def test_language_not_declared_in_hub_is_an_error(tmp_path):
    body = """intents:
  - name: pricing
    examples:
      en: [how much]
      de: [wie viel]
    answer:
      text: {en: "answer", es: "respuesta"}
  - name: hours
    examples: {en: [when are you open]}
    answer: {text: {en: "9 to 5"}}
"""
    _, problems, _ = load(write(tmp_path, body))
    errors = sorted((p.line, p.message) for p in problems if p.severity == "error")
    assert errors == [
        (5, "language 'de' is not in languages ['en', 'fr']"),
        (7, "language 'es' is not in languages ['en', 'fr']"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("intents: []", "intents: Tuple should have at least 1 item"),
        (
            "intents:\n  - name: a\n    examples: {en: [x]}\n    answer: {}\n",
            "exactly one of 'text' or 'snippet'",
        ),
        (
            "intents:\n  - name: a\n    examples: {en: [x]}\n"
            "    answer: {snippet: s}\n    bad: 1\n",
            "unknown key 'bad'",
        ),
        ("settings: {provider: dialogflow_cx}\nintents: []\n", "needs a 'dialogflow' section"),
    ],
)
def test_invalid_files_are_located_errors(tmp_path, body, message):
    intents, problems, _ = load(write(tmp_path, body))
    assert intents is None
    assert any(message in p.message for p in problems), problems


def test_article_needs_front_matter_title_and_url():
    article, problems = parse_article("just text", "kb/a.md", HUB)
    assert article is None
    assert "front matter" in problems[0].message
    article, problems = parse_article("---\ntitle: T\n---\nbody", "kb/a.md", HUB)
    assert article is None
    assert problems[0].message == "missing required key 'url'"
    article, problems = parse_article(
        "---\ntitle: T\nurl: https://x.example/a\nlanguage: de\n---\nbody", "kb/a.md", HUB
    )
    assert article is None
    assert problems[0].line == 4
    article, problems = parse_article(
        "---\ntitle: T\nurl: https://x.example/a\n---\n# H\n\nbody", "kb/a.md", HUB
    )
    assert problems == []
    assert article is not None
    assert (article.title, article.url, article.language) == ("T", "https://x.example/a", "en")
