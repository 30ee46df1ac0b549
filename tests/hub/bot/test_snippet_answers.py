"""Snippets through the hub: an FAQ intent and a rule answer with a snippet rendered for the
conversation (contact name, ticket id, custom field, language), and a reload swaps them.

Customers write through the real endpoints (the signed API channel, whose senders carry a
name, and the web chat); what the bot said is read back from the database and, for the API
channel, from the signed callback that received it.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.loader import load_config
from hub.store.automation_models import RuleRun
from hub.store.models import Contact, Message
from tests.hub.bot.test_nlu_bot import (
    CONFIRM_EN,
    CONFIRM_FR,
    FAQ,
    GREETING_EN,
    GREETING_FR,
    RULES,
    Visitor,
    buttons,
    conversation_of,
    last_customer_message,
    said_by_bot,
    texts,
)
from tests.support.harness import BACKENDS, HubHarness

SNIPPETS = """\
snippets:
  - name: plans
    shortcut: prices
    title: Plans and prices
    text:
      en: "Hi {{ contact.first_name or 'there' }}, plans start at 9 euros a month (ref #{{ ticket.id }})."
      fr: "Bonjour{% if contact.first_name %} {{ contact.first_name }}{% endif %}, les offres commencent à 9 euros par mois (réf. #{{ ticket.id }})."
    buttons:
      - {id: compare, title: {en: Compare plans, fr: Comparer les offres}}
  - name: password
    text:
      en: "Reset it at https://example.test/reset, {{ contact.first_name or 'friend' }}."
  - name: compared
    text:
      en: "You are on the {{ contact.fields.plan }} plan, {{ contact.name }}. Write to {{ inbox.name }} any time."
"""  # noqa: E501
FIELDS = "fields:\n  - {name: plan, type: text}\n"
COMPARE_RULE = """\
  - name: compare
    when: {button_pressed: compare}
    then:
      - set_field: {plan: pro}
      - send: {snippet: compared}
"""


def faq_with_snippets() -> str:
    faq = copy.deepcopy(FAQ)
    by_name = {intent["name"]: intent for intent in faq["intents"]}
    # the intent keeps its own button: it comes after the snippet's
    by_name["pricing"]["answer"] = {
        "snippet": "plans",
        "buttons": by_name["pricing"]["answer"]["buttons"],
    }
    by_name["reset_password"]["answer"] = {"snippet": "password"}
    return yaml.safe_dump(faq, allow_unicode=True, sort_keys=False)


def files(snippets: str = SNIPPETS) -> dict[str, str]:
    return {
        "intents.yaml": faq_with_snippets(),
        "rules.yaml": RULES + COMPARE_RULE,
        "fields.yaml": FIELDS,
        "snippets.yaml": snippets,
    }


@pytest.fixture(params=BACKENDS)
async def snippet_hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await HubHarness(tmp_path, backend=request.param, extra_files=files()).start()
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def snippet_embedded(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await HubHarness(tmp_path, extra_files=files()).start()
    try:
        yield harness
    finally:
        await harness.close()


class NamedCustomer:
    """A customer of the business's own system (API channel), who has a name."""

    _ids = count(1)

    def __init__(self, hub: HubHarness, name: str, sender: str = "cust-1") -> None:
        self.hub = hub
        self.sender = {"id": sender, "name": name}

    async def _post(self, **fields: Any) -> Message:
        body = {"id": f"m-{next(self._ids)}", "sender": self.sender, **fields}
        response = await self.hub.post_api(body)
        assert response.status == 200, await response.text()
        await self.hub.settled()
        return await last_customer_message()

    async def says(self, text: str) -> Message:
        return await self._post(text=text)

    async def presses(self, button: str) -> Message:
        return await self._post(payload=button)


async def test_an_intent_answered_with_a_snippet_sends_the_rendered_text(
    snippet_hub: HubHarness,
) -> None:
    ada = NamedCustomer(snippet_hub, "Ada Lovelace")
    asked = await ada.says("How much does it cost?")
    conversation = await conversation_of(asked)
    assert (await Contact.get(id=conversation.contact_id)).name == "Ada Lovelace"
    greeting, answer, confirm = await said_by_bot(after=asked)
    assert greeting.text == GREETING_EN  # hub.yaml's greeting opens the conversation
    expected = f"Hi Ada, plans start at 9 euros a month (ref #{conversation.id})."
    assert answer.text == expected
    # the snippet's buttons, then the intent's own
    assert buttons(answer) == [("compare", "Compare plans"), ("free_trial", "Start a free trial")]
    assert confirm.text == CONFIRM_EN
    assert asked.nlu is not None
    assert (asked.nlu["intent"], asked.nlu["answered"], asked.nlu["answer"]) == (
        "pricing",
        True,
        "intent",
    )
    # and that is what the business's system received
    assert expected in [d.body["text"] for d in snippet_hub.callback.received]


async def test_a_french_visitor_gets_the_french_text_without_a_name(
    snippet_embedded: HubHarness,
) -> None:
    visitor = await Visitor.arrive(snippet_embedded)
    asked = await visitor.says("Combien ça coûte ?")
    greeting, answer, confirm = await said_by_bot(after=asked)
    assert greeting.text == GREETING_FR
    assert answer.text == (
        f"Bonjour, les offres commencent à 9 euros par mois (réf. #{asked.conversation_id})."
    )
    assert buttons(answer) == [("compare", "Comparer les offres"), ("free_trial", "Essai gratuit")]
    assert confirm.text == CONFIRM_FR


async def test_a_snippet_without_the_language_is_sent_in_the_default_one(
    snippet_embedded: HubHarness,
) -> None:
    visitor = await Visitor.arrive(snippet_embedded)
    asked = await visitor.says("J'ai oublié mon mot de passe")
    assert asked.nlu is not None
    assert (asked.nlu["intent"], asked.nlu["language"]) == ("reset_password", "fr")
    # English text, and the confirm question in the language of the answer it follows
    assert texts(await said_by_bot(after=asked)) == [
        GREETING_FR,
        "Reset it at https://example.test/reset, friend.",
        CONFIRM_EN,
    ]


async def test_a_rule_sends_a_snippet_that_sees_the_field_it_just_set(
    snippet_embedded: HubHarness,
) -> None:
    ada = NamedCustomer(snippet_embedded, "Ada Lovelace")
    await ada.says("How much does it cost?")
    pressed = await ada.presses("compare")
    assert texts(await said_by_bot(after=pressed)) == [
        "You are on the pro plan, Ada Lovelace. Write to Test hub any time."
    ]
    runs = await RuleRun.filter(conversation_id=pressed.conversation_id, source="rules")
    fired = [run for run in runs if "compare" in run.fired]
    assert len(fired) == 1
    assert fired[0].failures == []
    assert [a["action"] for a in fired[0].actions] == [
        "set_field(field='plan', value='pro')",
        "send(language='en', snippet='compared')",
    ]


async def test_a_reload_swaps_the_snippets(snippet_embedded: HubHarness) -> None:
    runtime = snippet_embedded.runtime
    assert runtime is not None
    config_dir = snippet_embedded.tmp_path / "config"
    changed = SNIPPETS.replace("plans start at 9 euros", "plans now start at 12 euros")
    (config_dir / "snippets.yaml").write_text(changed, encoding="utf-8")
    await runtime.reload(load_config(config_dir))
    ada = NamedCustomer(snippet_embedded, "Ada Lovelace")
    asked = await ada.says("What are your prices?")
    answer = (await said_by_bot(after=asked))[1]
    assert answer.text == (
        f"Hi Ada, plans now start at 12 euros a month (ref #{asked.conversation_id})."
    )
