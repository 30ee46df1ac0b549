"""Rendering a snippet: the variables, the language it is sent in, and the sandbox."""

from __future__ import annotations

import pytest

from config.snippets import FIELD, VARIABLES
from snippets import (
    Rendered,
    RenderedButton,
    RenderError,
    SnippetError,
    SnippetLibrary,
    UnknownSnippet,
    Variables,
)
from tests.snippets.conftest import one

ANA = Variables(
    conversation_id="42",
    contact_name="Ana María López",
    contact_email="ana@example.com",
    contact_fields={"plan": "pro", "interest": ["pricing", "billing"], "items": 3},
    agent_name="Chloé",
    inbox_name="Website chat",
)
NOBODY = Variables(conversation_id="7")


def test_greeting_uses_the_first_name_in_the_asked_language(
    demo_library: SnippetLibrary,
) -> None:
    assert demo_library.render("greeting", "en", ANA) == Rendered(
        name="greeting",
        language="en",
        text="Hello Ana!",
        buttons=(RenderedButton("pricing", "Pricing"), RenderedButton("human", "Talk to someone")),
    )
    french = demo_library.render("greeting", "fr", ANA)
    assert (french.language, french.text) == ("fr", "Bonjour Ana !")
    # a button title without French falls back to the default language
    assert french.buttons == (
        RenderedButton("pricing", "Tarifs"),
        RenderedButton("human", "Talk to someone"),
    )


def test_a_missing_value_is_empty_and_the_template_writes_its_fallback(
    demo_library: SnippetLibrary,
) -> None:
    assert demo_library.render("greeting", "en", NOBODY).text == "Hello there!"
    assert demo_library.render("ack-refund", "en", NOBODY).text == "Refund for  noted."
    assert demo_library.render("greeting", "fr", Variables("1", contact_name="  ")).text == (
        "Bonjour à vous !"
    )


def test_ticket_id_is_the_conversation_id_unless_given(demo_library: SnippetLibrary) -> None:
    assert demo_library.render("ticket-received", "en", NOBODY).text == "Your request is #7."
    with_ticket = Variables("7", ticket_id="T-19", agent_name="Chloé")
    # a block scalar's newlines and the empty {% if %} line are stripped at the ends only
    assert demo_library.render("ticket-received", "en", with_ticket).text == (
        "Your request is #T-19.\nChloé is on it."
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ contact.name }}", "Ana María López"),
        ("{{ contact.first_name }}", "Ana"),
        ("{{ contact.email }}", "ana@example.com"),
        ("{{ contact.fields.plan }}", "pro"),
        ("{{ contact.fields['plan'] | upper }}", "PRO"),
        ("{{ contact.fields.interest }}", "pricing, billing"),  # multi_choice
        ("{{ contact.fields.items }}", "3"),  # a field, not dict.items
        ("[{{ contact.fields.unset }}]", "[]"),
        ("{{ conversation.id }}", "42"),
        ("{{ ticket.id }}", "42"),
        ("{{ agent.name }}", "Chloé"),
        ("{{ inbox.name }}", "Website chat"),
        ("{% if contact.fields.plan == 'pro' %}VIP{% endif %}", "VIP"),
    ],
)
def test_every_documented_variable(template: str, expected: str) -> None:
    assert one(template).render("s", "en", ANA).text == expected


def test_the_context_offers_exactly_the_documented_variables() -> None:
    """config.snippets.VARIABLES is what `hub check` accepts; the context must match it."""

    def leaves(tree: dict[str, object], prefix: str = "") -> set[str]:
        found: set[str] = set()
        for key, value in tree.items():
            if isinstance(value, dict):
                found |= leaves(value, f"{prefix}{key}.")
            elif key == "fields":
                found.add(f"{prefix}fields.{FIELD}")
            else:
                found.add(f"{prefix}{key}")
        return found

    assert leaves(ANA.context()) == set(VARIABLES)
    for dotted in VARIABLES:
        if FIELD not in dotted:
            assert one("{{ " + dotted + " }}").render("s", "en", ANA).text, dotted


def test_customer_text_is_not_escaped_here() -> None:
    """Snippets are plain text for channels; HTML escaping is the displaying page's job."""
    rendered = one("{{ contact.name }}").render(
        "s", "en", Variables("1", contact_name="<b>A&B</b>")
    )
    assert rendered.text == "<b>A&B</b>"


@pytest.mark.parametrize("template", ["{{ contact.nmae }}", "{{ foo }}", "{{ agent.email }}"])
def test_an_unknown_variable_is_an_error_not_a_blank(template: str) -> None:
    with pytest.raises(RenderError, match=r"is undefined|has no attribute"):
        one(template).render("s", "en", ANA)


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ contact.fields._values }}",
        "{{ contact.name.__class__ }}",
    ],
)
def test_the_sandbox_blocks_private_attributes(template: str) -> None:
    with pytest.raises(RenderError, match="unsafe"):
        one(template).render("s", "en", ANA)


def test_language_falls_back_to_the_default_language() -> None:
    library = one("Hello", fr="Bonjour")
    assert library.render("s", "fr", ANA).text == "Bonjour"
    fallback = library.render("s", "zh", ANA)
    assert (fallback.language, fallback.text) == ("en", "Hello")
    assert library.language_for("s", "zh") == "en"


def test_a_hub_whose_default_is_french_falls_back_to_french() -> None:
    library = SnippetLibrary(one("Hello", fr="Bonjour").file, default_language="fr")
    assert library.render("s", "de", ANA).text == "Bonjour"


def test_an_unknown_snippet_is_a_snippet_error(demo_library: SnippetLibrary) -> None:
    with pytest.raises(UnknownSnippet, match="no snippet 'nope'") as info:
        demo_library.render("nope", "en", ANA)
    assert isinstance(info.value, SnippetError)
    assert "nope" not in demo_library
    assert demo_library.names == {"greeting", "ticket-received", "ack-refund", "closing"}


def test_a_template_that_does_not_compile_is_refused_when_built() -> None:
    with pytest.raises(RenderError, match="snippet 's': template error"):
        one("{{ contact.name ")
