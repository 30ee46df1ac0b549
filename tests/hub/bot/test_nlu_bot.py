"""The NLU layer through the hub: FAQ answers in the web chat, "I don't know", the confirm
buttons as events for the rules, language detection, Dialogflow CX through a fake gRPC server,
and the demo configuration's FAQ after its language survey.

Every conversation goes through the real endpoints (web chat visitor API, signed API channel)
and is read back from the database: the customer's stored message carries the NLU result,
the bot's messages are what the outbox sends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from automations.nlu import CONFIRM_NO, CONFIRM_YES
from config.loader import load_config
from hub.bot.nlu import EMULATOR_ENV, confirm_button
from hub.store.automation_models import RuleRun
from hub.store.models import Contact, Conversation, EventStatus, InboundEvent, Message
from tests.automations.nlu.test_dialogflow import FakeSessions
from tests.automations.nlu.test_dialogflow import fake as fake  # the fake Sessions server
from tests.support.harness import BACKENDS, HubHarness
from tests.support.processes import ROOT

DEMO = ROOT / "config" / "demo"


def _intent(name: str, en: list[str], fr: list[str], answer: tuple[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "examples": {"en": en, "fr": fr},
        "answer": {"text": {"en": answer[0], "fr": answer[1]}},
    }


FAQ: dict[str, Any] = {
    "settings": {"provider": "local", "confirm_answer": True},
    "intents": [
        _intent(
            "pricing",
            [
                "How much does it cost?",
                "What are your prices?",
                "Price of the Pro plan",
                "How much is the subscription per month?",
                "Is there a cheaper plan?",
            ],
            [
                "Combien ça coûte ?",
                "Quels sont vos tarifs ?",
                "Prix de l'offre Pro",
                "Combien coûte l'abonnement par mois ?",
                "Y a-t-il une offre moins chère ?",
            ],
            ("Plans start at 9 euros a month.", "Les offres commencent à 9 euros par mois."),
        ),
        _intent(
            "reset_password",
            [
                "I forgot my password",
                "How do I reset my password?",
                "Change my password",
                "My password does not work",
                "I can't log in",
            ],
            [
                "J'ai oublié mon mot de passe",
                "Comment réinitialiser mon mot de passe ?",
                "Changer mon mot de passe",
                "Mon mot de passe ne marche pas",
                "Je n'arrive pas à me connecter",
            ],
            (
                "Reset it at https://example.test/reset",
                "Réinitialisez-le sur https://example.test/fr/reset",
            ),
        ),
        _intent(
            "opening_hours",
            [
                "What are your opening hours?",
                "When are you open?",
                "Are you open on Sunday?",
                "What time do you close?",
                "Are you open today?",
            ],
            [
                "Quels sont vos horaires ?",
                "Quand êtes-vous ouverts ?",
                "Êtes-vous ouverts le dimanche ?",
                "À quelle heure fermez-vous ?",
                "Êtes-vous ouverts aujourd'hui ?",
            ],
            (
                "We are open 9:00-18:00, Monday to Friday.",
                "Nous sommes ouverts de 9 h à 18 h, du lundi au vendredi.",
            ),
        ),
        _intent(
            "invoices",
            [
                "Where are my invoices?",
                "I need an invoice",
                "Download my invoice",
                "Send me the bill",
                "Can I get a receipt?",
            ],
            [
                "Où sont mes factures ?",
                "J'ai besoin d'une facture",
                "Télécharger ma facture",
                "Envoyez-moi la facture",
                "Puis-je avoir un reçu ?",
            ],
            (
                "Invoices are under Settings > Billing.",
                "Les factures sont dans Paramètres > Facturation.",
            ),
        ),
    ],
    "out_of_scope": {
        "en": [
            "What's the weather tomorrow?",
            "Who won the match?",
            "Tell me a joke",
            "Book me a flight",
        ],
        "fr": ["Quel temps fera-t-il demain ?", "Qui a gagné le match ?", "Raconte-moi une blague"],
    },
}
FAQ["intents"][0]["answer"]["buttons"] = [
    {"id": "free_trial", "title": {"en": "Start a free trial", "fr": "Essai gratuit"}}
]


def intents_yaml(**settings: Any) -> str:
    """The FAQ above as ``intents.yaml``, with ``settings`` replacing its settings."""
    data = {**FAQ, "settings": {**FAQ["settings"], **settings}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


INTENTS = intents_yaml()

#: "no" as an event a rule acts on (``button_pressed`` with a condition on the payload: see
#: the note in config/demo/rules.yaml on why not ``when: {button_pressed: nlu:answered:no}``)
RULES = """\
rules:
  - name: faq_not_helpful
    when: button_pressed
    if:
      button: {matches: "^nlu:answered:no$"}
    then:
      - add_label: faq_not_helpful
      - send:
          en: "Sorry about that. Tell us more and a person will pick it up."
          fr: "Désolé. Dites-nous en plus et quelqu'un prendra le relais."
"""

EN_ANSWER = "Plans start at 9 euros a month."
FR_ANSWER = "Les offres commencent à 9 euros par mois."
CONFIRM_EN = "Did this answer your question?"
CONFIRM_FR = "Cette réponse vous a-t-elle aidé ?"
GREETING_EN = "Hello! How can we help?"
GREETING_FR = "Bonjour ! Comment pouvons-nous aider ?"


def faq_harness(tmp_path: Path, backend: str = "sqlite", **overrides: Any) -> HubHarness:
    files = {"intents.yaml": INTENTS, "rules.yaml": RULES}
    files.update(overrides.pop("extra_files", {}))
    return HubHarness(tmp_path, backend=backend, extra_files=files, **overrides)


@pytest.fixture(params=BACKENDS)
async def faq_hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await faq_harness(tmp_path, request.param).start()
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def faq_embedded(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await faq_harness(tmp_path).start()
    try:
        yield harness
    finally:
        await harness.close()


# -- talking and reading back ------------------------------------------------------------


class Visitor:
    """A web chat visitor; ``says``/``presses`` return once the hub has answered."""

    def __init__(self, hub: HubHarness, token: str, inbox: str) -> None:
        self.hub = hub
        self.token = token
        self.inbox = inbox

    @classmethod
    async def arrive(cls, hub: HubHarness, inbox: str = "web") -> Visitor:
        return cls(hub, await hub.visitor(inbox), inbox)

    async def says(self, text: str) -> Message:
        response = await self.hub.visitor_says(self.token, text=text, inbox=self.inbox)
        assert response.status == 202, await response.text()
        await self.hub.settled()
        return await last_customer_message()

    async def presses(self, button: str, title: str = "") -> Message:
        response = await self.hub.visitor_says(
            self.token, text=title or None, payload=button, inbox=self.inbox
        )
        assert response.status == 202, await response.text()
        await self.hub.settled()
        return await last_customer_message()


async def last_customer_message() -> Message:
    message = await Message.filter(direction="in").order_by("-id").first()
    assert message is not None
    return message


async def said_by_bot(after: Message | None = None) -> list[Message]:
    """The bot's messages (all, or those after the customer's message ``after``)."""
    query = Message.filter(direction="out")
    if after is not None:
        query = query.filter(id__gt=after.id)
    return list(await query.order_by("id"))


def texts(messages: list[Message]) -> list[str]:
    return [m.text for m in messages]


def buttons(message: Message) -> list[tuple[str, str]]:
    return [(b["id"], b["title"]) for b in message.buttons]


async def conversation_of(message: Message) -> Conversation:
    return await Conversation.get(id=message.conversation_id)


# -- FAQ answers ----------------------------------------------------------------------------


async def test_clear_question_is_answered_with_the_confirm_buttons(faq_hub: HubHarness) -> None:
    visitor = await Visitor.arrive(faq_hub)
    asked = await visitor.says("How much does it cost?")
    greeting, answer, confirm = await said_by_bot()
    assert greeting.text == GREETING_EN
    assert answer.text == EN_ANSWER
    assert buttons(answer) == [("free_trial", "Start a free trial")]
    assert confirm.text == CONFIRM_EN
    assert buttons(confirm) == [(CONFIRM_YES, "Yes"), (CONFIRM_NO, "No")]
    # the whole NLU result is kept on the customer's message
    nlu = asked.nlu
    assert nlu is not None
    assert nlu["intent"] == "pricing"
    assert nlu["provider"] == "local"
    assert nlu["language"] == "en"
    assert nlu["detected_language"] == "en"
    assert not nlu["out_of_scope"]
    assert nlu["answered"] is True
    assert nlu["answer"] == "intent"
    assert 0 < nlu["confidence"] <= 1
    assert nlu["runner_up"]["intent"] != "pricing"
    assert nlu["runner_up"]["confidence"] < nlu["confidence"]
    assert nlu["threshold"] is not None
    # and survives the JSON column as plain data
    assert json.loads(json.dumps(nlu)) == nlu
    runs = await RuleRun.filter(conversation_id=asked.conversation_id, source="nlu")
    assert [r.event for r in runs] == ["nlu(pricing)"]


async def test_french_question_is_answered_in_french(faq_embedded: HubHarness) -> None:
    visitor = await Visitor.arrive(faq_embedded)
    asked = await visitor.says("Combien ça coûte ?")
    # the language is detected before the greeting, so the greeting speaks it too
    assert texts(await said_by_bot()) == [GREETING_FR, FR_ANSWER, CONFIRM_FR]
    answer, confirm = (await said_by_bot())[1:]
    assert buttons(answer) == [("free_trial", "Essai gratuit")]
    assert buttons(confirm) == [(CONFIRM_YES, "Oui"), (CONFIRM_NO, "Non")]
    assert asked.nlu is not None
    assert asked.nlu["intent"] == "pricing"
    assert asked.nlu["language"] == "fr"
    conversation = await conversation_of(asked)
    assert conversation.language == "fr"
    # detection sets the conversation's language, never the contact's (that is a choice)
    assert (await Contact.get(id=conversation.contact_id)).language is None


async def test_the_next_question_in_the_same_conversation(faq_embedded: HubHarness) -> None:
    visitor = await Visitor.arrive(faq_embedded)
    await visitor.says("Hello there, I have a question")
    asked = await visitor.says("Where can I download my invoice?")
    assert texts(await said_by_bot(after=asked)) == [
        "Invoices are under Settings > Billing.",
        CONFIRM_EN,
    ]


async def test_question_outside_the_intents_is_not_answered(faq_embedded: HubHarness) -> None:
    visitor = await Visitor.arrive(faq_embedded)
    asked = await visitor.says("What is the capital of Peru?")
    assert texts(await said_by_bot()) == [GREETING_EN]  # nothing from the NLU
    nlu = asked.nlu
    assert nlu is not None
    assert nlu["out_of_scope"] is True
    assert nlu["intent"] is None
    assert nlu["answered"] is False
    assert nlu["answer"] is None
    assert nlu["candidates"], "the rejected candidates are kept for the inbox"


# -- did this answer your question? -----------------------------------------------------------


async def test_no_is_an_event_a_rule_acts_on(faq_hub: HubHarness) -> None:
    visitor = await Visitor.arrive(faq_hub)
    asked = await visitor.says("I forgot my password")
    pressed = await visitor.presses(CONFIRM_NO, "No")
    assert texts(await said_by_bot(after=pressed)) == [
        "Sorry about that. Tell us more and a person will pick it up."
    ]
    conversation = await conversation_of(pressed)
    assert "faq_not_helpful" in conversation.labels
    runs = await RuleRun.filter(conversation_id=conversation.id, source="rules")
    assert any("faq_not_helpful" in run.fired for run in runs)
    # the verdict is kept on the press and on the question it is about
    assert pressed.nlu == {"feedback": "no", "about_message": asked.id}
    question = await Message.get(id=asked.id)
    assert question.nlu is not None
    assert question.nlu["helpful"] is False


async def test_yes_gets_a_short_thanks(faq_embedded: HubHarness) -> None:
    visitor = await Visitor.arrive(faq_embedded)
    asked = await visitor.says("Quels sont vos horaires ?")
    pressed = await visitor.presses(CONFIRM_YES, "Oui")
    assert texts(await said_by_bot(after=pressed)) == ["Parfait, ravi d'avoir pu vous aider !"]
    conversation = await conversation_of(pressed)
    assert "faq_not_helpful" not in conversation.labels
    question = await Message.get(id=asked.id)
    assert question.nlu is not None
    assert question.nlu["helpful"] is True


async def test_a_rule_on_the_intent_answers_instead(tmp_path: Path) -> None:
    rules = RULES + (
        "  - name: invoices_by_hand\n"
        "    when: {intent_matched: invoices}\n"
        "    if: {confidence: {gte: 0.3}}\n"
        "    then:\n"
        "      - add_label: billing\n"
        "      - send: {en: Our billing team will send it today.}\n"
    )
    hub = await faq_harness(tmp_path, extra_files={"rules.yaml": rules}).start()
    try:
        visitor = await Visitor.arrive(hub)
        asked = await visitor.says("I need an invoice")
        # the rule replied: the FAQ answer and its confirm question stay unsent
        assert texts(await said_by_bot()) == [GREETING_EN, "Our billing team will send it today."]
        assert asked.nlu is not None
        assert asked.nlu["intent"] == "invoices"
        assert asked.nlu["answered"] is False
        assert asked.nlu["skipped"] == "a rule replied"
        assert "billing" in (await conversation_of(asked)).labels
    finally:
        await hub.close()


async def test_typed_no_after_the_confirm_question_counts_as_the_button(
    faq_embedded: HubHarness,
) -> None:
    """Where buttons are a numbered list (SMS) or the customer just types: "no" is "no"."""
    visitor = await Visitor.arrive(faq_embedded)
    asked = await visitor.says("I forgot my password")
    typed = await visitor.says("No.")
    assert texts(await said_by_bot(after=typed)) == [
        "Sorry about that. Tell us more and a person will pick it up."
    ]
    assert typed.nlu == {"feedback": "no", "about_message": asked.id}
    # a longer message after the question is a new question, not a verdict
    again = await visitor.says("no, I meant my invoices")
    assert again.nlu is not None
    assert again.nlu["intent"] == "invoices"


@pytest.mark.parametrize(
    ("text", "button"),
    [
        ("yes", CONFIRM_YES),
        ("Oui !", CONFIRM_YES),
        ("1", CONFIRM_YES),
        ("2", CONFIRM_NO),
        ("nope", CONFIRM_NO),
        ("Merci !", CONFIRM_YES),
        ("Non", CONFIRM_NO),
        ("no thanks, what about refunds?", None),
        ("3", None),
    ],
)
def test_confirm_button_typed(text: str, button: str | None) -> None:
    offered = [{"id": CONFIRM_YES, "title": "Oui"}, {"id": CONFIRM_NO, "title": "Non"}]
    assert confirm_button(text, offered) == button
    assert confirm_button(text, [{"id": "pricing", "title": "Pricing"}]) is None


async def test_reload_answers_with_the_new_config_and_reuses_the_cache(
    faq_embedded: HubHarness,
) -> None:
    runtime = faq_embedded.runtime
    assert runtime is not None
    cache = faq_embedded.tmp_path / "var" / "nlu-cache"
    assert list(cache.glob("nlu-local-*.pkl")), "the trained model is cached by config hash"
    config_dir = faq_embedded.tmp_path / "config"
    changed = INTENTS.replace("Plans start at 9 euros a month.", "Plans start at 12 euros.")
    (config_dir / "intents.yaml").write_text(changed, encoding="utf-8")
    await runtime.reload(load_config(config_dir))
    assert len(list(cache.glob("nlu-local-*.pkl"))) == 1  # the answer is not in the model
    visitor = await Visitor.arrive(faq_embedded)
    asked = await visitor.says("What are your prices?")
    assert texts(await said_by_bot(after=asked)) == [
        GREETING_EN,
        "Plans start at 12 euros.",
        CONFIRM_EN,
    ]


# -- language detection and the survey ---------------------------------------------------------


def demo_files(tmp_path: Path) -> dict[str, str]:
    """The demo configuration as shipped (hub.yaml included), knowledge articles too."""
    (tmp_path / "config" / "knowledge").mkdir(parents=True, exist_ok=True)
    files = {
        path.relative_to(DEMO).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(DEMO.rglob("*"))
        if path.is_file() and path.suffix in {".yaml", ".md"}
    }
    assert {"hub.yaml", "intents.yaml", "rules.yaml", "knowledge/export-data.md"} <= set(files)
    return files


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[HubHarness]:
    """``make run``'s configuration: every file of config/demo, the web chat inbox 'demo'."""
    harness = await HubHarness(tmp_path, extra_files=demo_files(tmp_path)).start()
    try:
        yield harness
    finally:
        await harness.close()


DEMO_PRICING_EN = (
    "Demo Co. has three plans: Starter at 9 €/month, Pro at 29 €/month and Business at "
    "79 €/month per workspace. All prices: https://demo.example/pricing"
)
DEMO_PRICING_FR = (
    "Demo Co. propose trois offres : Starter à 9 €/mois, Pro à 29 €/mois et Business à "
    "79 €/mois par espace. Tous les tarifs : https://demo.example/fr/tarifs"
)


@pytest.mark.parametrize(
    ("choice", "title", "question", "answer", "confirm"),
    [
        ("choice:en", "English", "How much does it cost?", DEMO_PRICING_EN, CONFIRM_EN),
        ("choice:fr", "Français", "Combien ça coûte ?", DEMO_PRICING_FR, CONFIRM_FR),
    ],
)
async def test_demo_faq_after_the_language_survey(
    demo: HubHarness, choice: str, title: str, question: str, answer: str, confirm: str
) -> None:
    visitor = await Visitor.arrive(demo, "demo")
    hello = await visitor.says("Hi")
    first = await said_by_bot(after=hello)
    assert first[-1].text.startswith("Which language do you prefer")
    chosen = await visitor.presses(choice, title)
    welcome = await said_by_bot(after=chosen)
    assert [b for b, _ in buttons(welcome[-1])] == ["pricing", "free_trial", "human"]
    asked = await visitor.says(question)
    replies = await said_by_bot(after=asked)
    assert texts(replies) == [answer, confirm]
    assert [b for b, _ in buttons(replies[-1])] == [CONFIRM_YES, CONFIRM_NO]
    assert asked.nlu is not None
    assert asked.nlu["intent"] == "pricing"
    # "no" offers a person (the demo's faq_not_helpful rule); the button escalates
    pressed = await visitor.presses(CONFIRM_NO, "No")
    sorry = await said_by_bot(after=pressed)
    assert [b for b, _ in buttons(sorry[-1])] == ["human"]
    assert "faq_not_helpful" in (await conversation_of(pressed)).labels


async def test_detection_does_not_override_the_survey_choice(demo: HubHarness) -> None:
    visitor = await Visitor.arrive(demo, "demo")
    await visitor.says("Hi")
    await visitor.presses("choice:en", "English")
    asked = await visitor.says("Combien ça coûte ?")
    assert asked.nlu is not None
    assert asked.nlu["detected_language"] == "fr"
    assert asked.nlu["language"] == "en"  # the customer chose English
    assert texts(await said_by_bot(after=asked)) == [DEMO_PRICING_EN, CONFIRM_EN]
    conversation = await conversation_of(asked)
    assert conversation.language == "en"
    assert (await Contact.get(id=conversation.contact_id)).language == "en"


async def test_demo_faq_waits_while_the_survey_asks(demo: HubHarness) -> None:
    """A question as the very first message: the survey has the floor, the FAQ waits."""
    visitor = await Visitor.arrive(demo, "demo")
    asked = await visitor.says("How much does it cost?")
    replies = await said_by_bot(after=asked)
    assert len(replies) == 1
    assert replies[0].text.startswith("Which language do you prefer")
    assert asked.nlu is not None
    assert asked.nlu["intent"] == "pricing"
    assert asked.nlu["answered"] is False
    assert asked.nlu["skipped"] == "a survey is waiting for an answer"


async def test_demo_offers_a_knowledge_article(demo: HubHarness) -> None:
    visitor = await Visitor.arrive(demo, "demo")
    await visitor.says("Hi")
    await visitor.presses("choice:en", "English")
    asked = await visitor.says("How do I export my projects as CSV?")
    replies = await said_by_bot(after=asked)
    assert "https://demo.example/help/export" in replies[0].text
    assert asked.nlu is not None
    assert asked.nlu["provider"] == "knowledge"
    assert asked.nlu["answer"] == "article"
    assert asked.nlu["article"]["url"] == "https://demo.example/help/export"


async def test_detected_language_follows_the_customer_until_one_is_chosen(
    faq_embedded: HubHarness,
) -> None:
    visitor = await Visitor.arrive(faq_embedded)
    first = await visitor.says("Bonjour, j'ai oublié mon mot de passe")
    assert (await conversation_of(first)).language == "fr"
    unclear = await visitor.says("ok")  # too short to say: the language stays
    assert unclear.nlu is not None
    assert unclear.nlu["detected_language"] is None
    assert (await conversation_of(unclear)).language == "fr"
    asked = await visitor.says("What are your opening hours please?")
    assert (await conversation_of(asked)).language == "en"
    assert texts(await said_by_bot(after=asked)) == [
        "We are open 9:00-18:00, Monday to Friday.",
        CONFIRM_EN,
    ]


# -- Dialogflow CX -----------------------------------------------------------------------------


def dialogflow_intents(timeout_s: float = 2.0, **dialogflow: str) -> str:
    agent = {"project": "p", "location": "europe-west1", "agent": "a", "timeout_s": timeout_s}
    return intents_yaml(provider="dialogflow_cx", dialogflow={**agent, **dialogflow})


async def dialogflow_hub(tmp_path: Path, address: str, timeout_s: float = 2.0) -> HubHarness:
    return await faq_harness(
        tmp_path,
        extra_files={"intents.yaml": dialogflow_intents(timeout_s)},
        environ={EMULATOR_ENV: address},
    ).start()


async def test_dialogflow_match_is_answered_from_intents_yaml(
    fake: tuple[FakeSessions, str], tmp_path: Path
) -> None:
    sessions, address = fake
    hub = await dialogflow_hub(tmp_path, address)
    try:
        visitor = await Visitor.arrive(hub)
        asked = await visitor.says("Combien coûte l'offre pro ?")
        assert texts(await said_by_bot(after=asked)) == [GREETING_FR, FR_ANSWER, CONFIRM_FR]
        assert asked.nlu is not None
        assert asked.nlu["provider"] == "dialogflow_cx"
        assert asked.nlu["intent"] == "pricing"
        assert asked.nlu["confidence"] == pytest.approx(0.87)
        request = sessions.requests[-1]
        assert request.query_input.language_code == "fr"
        # one session per conversation: a second message reuses it
        again = await visitor.says("Et l'offre Business ?")
        assert again.nlu is not None
        assert sessions.requests[-1].session == request.session
    finally:
        await hub.close()


async def test_dialogflow_no_match_is_out_of_scope(
    fake: tuple[FakeSessions, str], tmp_path: Path
) -> None:
    sessions, address = fake
    sessions.mode = "no_match"
    hub = await dialogflow_hub(tmp_path, address)
    try:
        visitor = await Visitor.arrive(hub)
        asked = await visitor.says("Who painted the Mona Lisa?")
        assert texts(await said_by_bot(after=asked)) == [GREETING_EN]
        assert asked.nlu is not None
        assert asked.nlu["provider"] == "dialogflow_cx"
        assert asked.nlu["out_of_scope"] is True
        assert asked.nlu["answered"] is False
    finally:
        await hub.close()


async def test_dialogflow_timeout_falls_back_to_the_local_model(
    fake: tuple[FakeSessions, str], tmp_path: Path
) -> None:
    sessions, address = fake
    sessions.delay = 1.0
    hub = await dialogflow_hub(tmp_path, address, timeout_s=0.2)
    try:
        visitor = await Visitor.arrive(hub)
        asked = await visitor.says("I forgot my password")
        assert sessions.requests, "Dialogflow was asked first"
        assert texts(await said_by_bot(after=asked)) == [
            GREETING_EN,
            "Reset it at https://example.test/reset",
            CONFIRM_EN,
        ]
        assert asked.nlu is not None
        assert asked.nlu["provider"] == "local"
        assert asked.nlu["intent"] == "reset_password"
        assert asked.nlu["fallback_reason"] == "timeout"
        assert hub.runtime is not None
        assert hub.runtime.ctx.bot.nlu.fallbacks()["timeout"] == 1
    finally:
        await hub.close()


async def test_dialogflow_without_credentials_answers_locally(tmp_path: Path) -> None:
    intents = dialogflow_intents(credentials_file_env="DF_CREDENTIALS")
    hub = await faq_harness(tmp_path, extra_files={"intents.yaml": intents}).start()
    try:
        visitor = await Visitor.arrive(hub)
        asked = await visitor.says("What are your prices?")
        assert texts(await said_by_bot(after=asked)) == [GREETING_EN, EN_ANSWER, CONFIRM_EN]
        assert asked.nlu is not None
        assert asked.nlu["provider"] == "local"
        assert asked.nlu["fallback_reason"] == "unconfigured"
    finally:
        await hub.close()


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "x" * 20_000, "word " * 4_000, "😀🎉👍🔥", "Prix 价格 цена ¿precio?"],
    ids=["empty", "whitespace", "20000-chars", "20000-words", "emoji", "mixed-script"],
)
async def test_bad_text_never_breaks_processing(faq_embedded: HubHarness, text: str) -> None:
    body = {"id": f"m-{uuid.uuid4().hex}", "sender": {"id": "cust-1"}, "text": text}
    response = await faq_embedded.post_api(body)
    assert response.status == 200, await response.text()
    await faq_embedded.settled()
    event = await InboundEvent.get()
    assert event.status == EventStatus.PROCESSED, event.error
    message = await Message.filter(direction="in").get()
    assert message.text == text
    said = texts(await said_by_bot())
    assert said[0] == GREETING_EN
    if not any(ch.isalpha() for ch in text):
        # blank text is not classified at all; emoji are, and are nobody's FAQ
        assert message.nlu is None or message.nlu["out_of_scope"] is True
        assert said == [GREETING_EN]


async def test_reload_lets_go_of_the_old_remote_provider(faq_embedded: HubHarness) -> None:
    runtime = faq_embedded.runtime
    assert runtime is not None
    old = runtime.ctx.bot.nlu
    closed: list[str] = []

    class Provider:  # stands in for a Dialogflow CX client holding a gRPC channel
        async def aclose(self) -> None:
            closed.append("closed")

    old._provider = Provider()
    await runtime.reload(load_config(faq_embedded.tmp_path / "config"))
    assert closed == ["closed"]
    assert runtime.ctx.bot.nlu is not old
