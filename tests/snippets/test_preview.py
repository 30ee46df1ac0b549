"""Snippet previews: the text that would go out, with values that print nothing marked."""

from __future__ import annotations

import pytest

from snippets import RenderError, UnknownSnippet, Variables
from snippets.preview import Part, preview
from tests.snippets.conftest import library, one


def test_filled_variables_read_as_sent() -> None:
    shown = preview(library(), "greeting", "fr", Variables("7", contact_name="Zoé Martin"))
    assert shown.text == "Bonjour Zoé !"
    assert shown.parts == (Part("Bonjour Zoé !"),)
    assert shown.missing == ()
    assert shown.language == "fr"


def test_a_value_that_prints_nothing_is_marked_where_it_stands() -> None:
    shown = preview(library(), "ack-refund", "en", Variables("7"))
    assert shown.text == "Refund for  noted."  # what sending would send
    assert shown.parts == (Part("Refund for "), Part("", empty=True), Part(" noted."))
    assert shown.missing == ("contact.email",)


def test_a_fallback_the_template_writes_is_not_marked_but_the_gap_is_named() -> None:
    shown = preview(library(), "greeting", "en", Variables("7"))
    assert shown.text == "Hello there!"
    assert all(not part.empty for part in shown.parts)
    assert shown.missing == ("contact.first_name",)


def test_custom_fields_and_the_default_language() -> None:
    lib = one("Plan: {{ contact.fields.plan }}, size {{ contact.fields.size }}")
    shown = preview(lib, "s", "de", Variables("7", contact_fields={"plan": "pro"}))
    assert shown.language == "en"
    assert shown.parts == (Part("Plan: pro, size"), Part("", empty=True))
    assert shown.missing == ("contact.fields.size",)


def test_unknown_snippets_and_unsafe_templates_raise_the_packages_errors() -> None:
    with pytest.raises(UnknownSnippet):
        preview(library(), "nope", "en", Variables("7"))
    with pytest.raises(RenderError):
        preview(one("{{ contact.__class__ }}"), "s", "en", Variables("7"))


def test_the_parts_read_exactly_as_the_sent_text() -> None:
    lib = one("  {{ contact.email }} \n Hi {{ contact.name }}  \n")
    shown = preview(lib, "s", "en", Variables("7", contact_name="Ana"))
    assert "".join(p.text for p in shown.parts) == shown.text == "Hi Ana"
    assert shown.parts[0] == Part("", empty=True)
