"""Snippets built from YAML text the way ``snippets.yaml`` is written."""

from __future__ import annotations

import pytest

from config.snippets import SnippetsFile
from config.source import parse_yaml
from config.validation import validate_source
from snippets import SnippetLibrary

SNIPPETS = """\
snippets:
  - name: greeting
    shortcut: /hi
    title: Greeting
    tags: [welcome]
    text:
      en: "Hello {{ contact.first_name or 'there' }}!"
      fr: "Bonjour {{ contact.first_name or 'à vous' }} !"
    buttons:
      - {id: pricing, title: {en: Pricing, fr: Tarifs}}
      - {id: human, title: {en: Talk to someone}}
  - name: ticket-received
    shortcut: ack
    title: Ticket acknowledgement
    tags: [ticket, follow-up]
    text:
      en: |
        Your request is #{{ ticket.id }}.
        {% if agent.name %}{{ agent.name }} is on it.{% endif %}
  - name: ack-refund
    title: Refund acknowledgement
    text: {en: "Refund for {{ contact.email }} noted."}
  - name: closing
    title: Closing the conversation
    tags: [goodbye]
    text: {en: "Bye from {{ inbox.name }}.", fr: "Au revoir de la part de {{ inbox.name }}."}
"""


def snippets_file(text: str = SNIPPETS) -> SnippetsFile:
    """Validated like the loader does (without the load-time template checks)."""
    loaded, problems = validate_source(SnippetsFile, parse_yaml(text, "snippets.yaml"))
    assert loaded is not None, problems
    return loaded


def library(text: str = SNIPPETS, default_language: str = "en") -> SnippetLibrary:
    return SnippetLibrary(snippets_file(text), default_language)


def one(template: str, **languages: str) -> SnippetLibrary:
    """A library of one snippet ``s`` whose English text is ``template``."""
    texts = {"en": template, **languages}
    return SnippetLibrary(
        SnippetsFile.model_validate({"snippets": [{"name": "s", "text": texts}]}), "en"
    )


@pytest.fixture
def demo_library() -> SnippetLibrary:
    return library()
