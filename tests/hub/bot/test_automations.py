"""Whole conversations through the hub with the demo's automations: the language survey,
routing to the language's team, the welcome buttons, escalation, explanations and queues.

The web chat and the API channel (a business's own system, whose callback receives what
the bot sends) carry the conversations; the demo's fields, surveys, rules and teams are
used as shipped, with the few edits a test needs spelled out where it makes them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from automations.rules import Event, EventKind, Facts
from config.loader import load_config
from hub.auth import create_api_token
from hub.bot.step import build_bot
from hub.bot.timers import pending_keys
from hub.store.automation_models import Notification, RuleRun, ScheduledTimer
from hub.store.models import Agent, AgentRole, Contact, Conversation, ConversationStatus, Message
from tests.support.harness import BACKENDS, HubHarness
from tests.support.processes import ROOT, HubProcess, free_port, run_cli, serve_env
from tests.support.wait import eventually

DEMO = ROOT / "config" / "demo"
QUESTION = "Which language do you prefer: English, Español, 中文, Français?"
RETRY = "Sorry, I didn't get that. Please pick one of the options."
WELCOME_EN = "Hi! 👋 Welcome to Demo Co. How can we help you today?"
WELCOME_ES = "¡Hola! 👋 Bienvenido a Demo Co. ¿Cómo podemos ayudarte?"
LANGUAGE_BUTTONS = [
    ("choice:en", "English"),
    ("choice:es", "Español"),
    ("choice:zh", "中文"),
    ("choice:fr", "Français"),
]

HUB_YAML = """\
name: Automations test hub
languages: [en, fr, es, zh]
default_language: en
timezone: Europe/Paris
inboxes:
  - {{slug: web, kind: webchat}}
  - slug: api
    kind: api
    callback_url: {callback_url}
    secrets: {{signing_secret: TEST_API_SECRET}}
outbox: {{max_attempts: 4, base_delay_s: 0.05, max_delay_s: 0.2}}
"""

#: the demo does not survey its back-office API inbox; these tests use that inbox as the
#: provider channel, so its customers get the survey too
SURVEY_THE_API = {
    "channel: {not_equals: api}  # the back-office API inbox is not a person to ask": (
        "channel: {not_equals: telegram}"
    )
}


def demo_files(
    rules: dict[str, str] | None = None, surveys: dict[str, str] | None = None
) -> dict[str, str]:
    """The demo's automation files, with ``old -> new`` text edits (each must apply)."""
    edits = {"rules.yaml": {**SURVEY_THE_API, **(rules or {})}, "surveys.yaml": surveys or {}}
    files = {}
    for name in ("fields.yaml", "surveys.yaml", "rules.yaml", "teams.yaml"):
        text = (DEMO / name).read_text(encoding="utf-8")
        for old, new in edits.get(name, {}).items():
            assert old in text, f"{name} no longer contains {old!r}"
            text = text.replace(old, new)
        files[name] = text
    return files


async def started(
    tmp_path: Path, backend: str = "sqlite", files: dict[str, str] | None = None
) -> HubHarness:
    harness = HubHarness(
        tmp_path, backend=backend, hub_yaml=HUB_YAML, extra_files=files or demo_files()
    )
    return await harness.start()


@pytest.fixture(params=BACKENDS)
async def demo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await started(tmp_path, request.param)
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def embedded_demo(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await started(tmp_path)
    try:
        yield harness
    finally:
        await harness.close()


# -- talking ------------------------------------------------------------------------------


class Visitor:
    """A web chat visitor; ``says``/``presses`` wait until the hub has answered."""

    def __init__(self, hub: HubHarness, token: str) -> None:
        self.hub = hub
        self.token = token

    @classmethod
    async def arrive(cls, hub: HubHarness) -> Visitor:
        return cls(hub, await hub.visitor())

    async def says(self, text: str) -> None:
        response = await self.hub.visitor_says(self.token, text=text)
        assert response.status == 202, await response.text()
        await self.hub.settled()

    async def presses(self, button: str, title: str = "") -> None:
        response = await self.hub.visitor_says(self.token, text=title or None, payload=button)
        assert response.status == 202, await response.text()
        await self.hub.settled()


class ApiCustomer:
    """A customer on the API channel: what the bot sends arrives at the signed callback."""

    _ids = count(1)

    def __init__(self, hub: HubHarness, sender: str = "cust-1") -> None:
        self.hub = hub
        self.sender = sender

    async def _post(self, **fields: str) -> None:
        body = {"id": f"m-{next(self._ids)}", "sender": {"id": self.sender}, **fields}
        response = await self.hub.post_api(body)
        assert response.status == 200, await response.text()
        await self.hub.settled()

    async def says(self, text: str) -> None:
        await self._post(text=text)

    async def presses(self, button: str) -> None:
        await self._post(payload=button)

    @property
    def received(self) -> list[dict[str, Any]]:
        return [d.body for d in self.hub.callback.received]

    @property
    def last(self) -> dict[str, Any]:
        return self.received[-1]


async def conversation() -> Conversation:
    return await Conversation.get()


async def bot_messages() -> list[Message]:
    return list(await Message.filter(direction="out").order_by("id"))


async def last_bot_message() -> Message:
    messages = await bot_messages()
    assert messages, "the bot said nothing"
    return messages[-1]


def buttons(message: Message) -> list[tuple[str, str]]:
    return [(b["id"], b["title"]) for b in message.buttons]


async def fired_rules() -> list[str]:
    runs = await RuleRun.all().order_by("id")
    return [name for run in runs for name in run.fired]


async def survey_state() -> dict[str, Any]:
    state = (await conversation()).bot_state.get("survey")
    assert isinstance(state, dict)
    return state


# -- the canonical example ------------------------------------------------------------------


async def test_web_chat_language_survey_by_button_routes_to_the_team(demo: HubHarness) -> None:
    visitor = await Visitor.arrive(demo)
    ws = await demo.http.ws_connect(f"/api/webchat/web/ws?token={visitor.token}")
    assert (await ws.receive_json())["type"] == "ready"
    await visitor.says("Hello, I have a question")
    pushed = await asyncio.wait_for(ws.receive_json(), 15)
    assert pushed["message"]["text"] == QUESTION
    assert [(b["id"], b["title"]) for b in pushed["message"]["buttons"]] == LANGUAGE_BUTTONS
    await ws.close()
    assert await fired_rules() == ["ask_language"]

    await visitor.presses("choice:es", "Español")
    contact = await Contact.get()
    assert contact.custom_fields == {"preferred_language": "es"}
    assert contact.language == "es"
    talk = await conversation()
    assert (talk.team, talk.language, talk.status) == ("spanish", "es", ConversationStatus.BOT)
    welcome = await last_bot_message()
    assert welcome.text == WELCOME_ES
    assert [title for _, title in buttons(welcome)] == [
        "Precios",
        "Prueba gratuita",
        "Hablar con alguien",
    ]
    assert (await survey_state())["status"] == "completed"
    assert await fired_rules() == ["ask_language", "route_by_language"]
    assert await pending_keys(talk.id) == ["no_reply:600", "no_reply:3600"]


async def test_api_channel_typed_number_answers_the_survey(demo: HubHarness) -> None:
    customer = ApiCustomer(demo)
    await customer.says("Hi")
    assert customer.last["text"] == QUESTION
    assert [(b["id"], b["title"]) for b in customer.last["buttons"]] == LANGUAGE_BUTTONS
    await customer.says("3")
    assert (await Contact.get()).custom_fields == {"preferred_language": "zh"}
    assert (await conversation()).team == "chinese"
    assert customer.last["text"] == "您好！👋 欢迎来到 Demo Co.，请问有什么可以帮您？"
    assert [b["title"] for b in customer.last["buttons"]] == ["价格", "免费试用", "联系人工"]


@pytest.mark.parametrize(
    ("typed", "value", "team"),
    [("Frnçais", "fr", "french"), ("  ESPAÑOL!! ", "es", "spanish"), ("Englsh", "en", "english")],
)
async def test_api_channel_typo_is_understood(
    embedded_demo: HubHarness, typed: str, value: str, team: str
) -> None:
    customer = ApiCustomer(embedded_demo)
    await customer.says("Hi")
    await customer.says(typed)
    assert (await Contact.get()).custom_fields == {"preferred_language": value}
    assert (await conversation()).team == team


async def test_invalid_answer_is_asked_again_then_accepted(embedded_demo: HubHarness) -> None:
    customer = ApiCustomer(embedded_demo)
    await customer.says("Hi")
    await customer.says("klingon")
    assert customer.last["text"] == f"{RETRY}\n\n{QUESTION}"
    assert len(customer.last["buttons"]) == 4
    assert (await Contact.get()).custom_fields == {}
    assert (await survey_state())["attempts"] == 1
    await customer.presses("choice:fr")
    assert (await Contact.get()).custom_fields == {"preferred_language": "fr"}
    assert (await conversation()).team == "french"
    assert customer.last["text"].startswith("Bonjour ! 👋 Bienvenue chez Demo Co.")


async def test_web_chat_gives_up_asking_after_the_attempt_limit(embedded_demo: HubHarness) -> None:
    visitor = await Visitor.arrive(embedded_demo)
    await visitor.says("Hello")
    for _ in range(3):
        await visitor.says("klingon")
    state = await survey_state()
    assert (state["status"], state["skipped"]) == ("completed", ["preferred_language"])
    assert (await conversation()).team == "english"
    assert "language_not_given" in await fired_rules()
    assert [m.text for m in await bot_messages()] == [QUESTION, *[f"{RETRY}\n\n{QUESTION}"] * 2]


async def test_survey_timeout_abandons_it_and_routes_to_the_default_team(tmp_path: Path) -> None:
    hub = await started(tmp_path, files=demo_files(surveys={"timeout: 30m": "timeout: 1s"}))
    try:
        customer = ApiCustomer(hub)
        await customer.says("Hi")
        talk = await conversation()
        assert await pending_keys(talk.id) == [
            "survey_timeout:language",
            "no_reply:600",
            "no_reply:3600",
        ]

        async def abandoned() -> bool:
            state = (await conversation()).bot_state.get("survey")
            return isinstance(state, dict) and state.get("status") == "abandoned"

        await eventually(abandoned, timeout=15)
        state = await survey_state()
        assert state["reason"] == "timeout"
        assert (await conversation()).team == "english"
        assert "language_survey_timed_out" in await fired_rules()
        assert "survey_timeout:language" not in await pending_keys(talk.id)
        await customer.says("English")  # too late: an ordinary message now
        assert (await Contact.get()).custom_fields == {}
    finally:
        await hub.close()


@pytest.mark.parametrize("message", ["I want to talk to a human", "转人工"])
async def test_asking_for_a_person_mid_survey_escalates(demo: HubHarness, message: str) -> None:
    visitor = await Visitor.arrive(demo)
    await visitor.says("Hello")
    await visitor.says(message)
    talk = await conversation()
    assert talk.status == ConversationStatus.QUEUED
    assert talk.escalated_at is not None
    assert talk.handoff is not None
    assert talk.handoff["reason"] == "asked for a person during survey 'language'"
    state = await survey_state()
    assert (state["status"], state["reason"]) == ("abandoned", "human")
    assert "survey_timeout:language" not in await pending_keys(talk.id)
    await visitor.says("English")  # not trapped in the survey: nothing is stored
    assert (await Contact.get()).custom_fields == {}


async def test_talk_to_someone_button_during_the_survey_escalates(
    embedded_demo: HubHarness,
) -> None:
    customer = ApiCustomer(embedded_demo)
    await customer.says("Hi")
    await customer.presses("human")
    talk = await conversation()
    assert talk.status == ConversationStatus.QUEUED
    assert (await survey_state())["reason"] == "human"


# -- after the survey: the welcome buttons --------------------------------------------------


async def test_welcome_buttons_are_events_rules_act_on(embedded_demo: HubHarness) -> None:
    visitor = await Visitor.arrive(embedded_demo)
    await visitor.says("Hello")
    await visitor.presses("choice:en", "English")
    welcome = await last_bot_message()
    assert welcome.text == WELCOME_EN
    assert buttons(welcome) == [
        ("pricing", "Pricing"),
        ("free_trial", "Free trial"),
        ("human", "Talk to someone"),
    ]
    await visitor.presses("pricing", "Pricing")
    assert (await last_bot_message()).text.startswith("Our plans start at €29/month.")
    assert (await conversation()).labels == ["pricing"]
    assert (await Contact.get()).custom_fields == {
        "preferred_language": "en",
        "interest": ["pricing"],
    }
    await visitor.presses("free_trial", "Free trial")  # a second survey starts
    assert (await last_bot_message()).text == "How many people work at your company?"
    await visitor.says("about 40")
    assert (await last_bot_message()).text == (
        "Please answer with a number.\n\nHow many people work at your company?"
    )
    await visitor.says("40")
    assert (await last_bot_message()).text == "What is your work email?"
    assert (await Contact.get()).custom_fields["company_size"] == 40
    assert (await conversation()).labels == ["pricing", "trial"]


async def test_talk_to_someone_button_escalates(embedded_demo: HubHarness) -> None:
    visitor = await Visitor.arrive(embedded_demo)
    await visitor.says("Hello")
    await visitor.presses("choice:en", "English")
    await visitor.presses("human", "Talk to someone")
    talk = await conversation()
    assert talk.status == ConversationStatus.QUEUED
    assert talk.handoff is not None
    assert talk.handoff["rule"] == "talk_to_someone"
    assert "talk_to_someone" in await fired_rules()


async def test_refund_message_raises_priority_and_labels(embedded_demo: HubHarness) -> None:
    customer = ApiCustomer(embedded_demo)
    await customer.says("Hi")
    await customer.presses("choice:en")
    await customer.says("I want my money back")
    talk = await conversation()
    assert (talk.priority, talk.labels) == (1, ["refund"])


# -- loop guards, failures, explanations ----------------------------------------------------

ECHO_RULES = """\
rules:
  - name: echo
    when: message_received
    if: {text: {contains_any: [ping]}}
    max_fires: 10
    then:
      - send: "ping? pong! ping!"
"""


async def test_rules_never_fire_on_the_hubs_own_messages(tmp_path: Path) -> None:
    hub = await started(tmp_path, files={"rules.yaml": ECHO_RULES})
    try:
        customer = ApiCustomer(hub)
        await customer.says("ping")
        assert [m["text"] for m in customer.received] == ["ping? pong! ping!"]
        runs = await RuleRun.all()
        assert [(r.event, r.fired) for r in runs] == [("message_received", ["echo"])]
        # an agent's reply is not a customer message either
        agent = await Agent.create(email="ana@demo.example", name="Ana")
        token = await create_api_token(agent)
        talk = await conversation()
        response = await hub.http.post(
            f"/api/conversations/{talk.id}/messages",
            json={"text": "ping from a person"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 201
        await hub.settled()
        assert await RuleRun.all().count() == 1
        assert [m["text"] for m in customer.received] == ["ping? pong! ping!", "ping from a person"]
    finally:
        await hub.close()


FAILING_RULES = """\
rules:
  - name: careless
    when: message_received
    then:
      - set_field: {company_size: "{{ event.text }}"}
      - assign_agent: ghost@demo.example
      - add_label: seen
      - notify: {via: log, text: "New message"}
      - send: "Thanks, noted."
"""


async def test_a_failing_action_does_not_stop_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = {**demo_files(), "rules.yaml": FAILING_RULES}
    hub = await started(tmp_path, files=files)
    try:
        agent = await Agent.create(email="lead@demo.example", name="Lead", role=AgentRole.ADMIN)
        token = await create_api_token(agent)
        customer = ApiCustomer(hub)
        with caplog.at_level(logging.INFO):
            await customer.says("secret order details")
        assert [m["text"] for m in customer.received] == ["Thanks, noted."]
        talk = await conversation()
        assert talk.labels == ["seen"]
        assert talk.status == ConversationStatus.BOT
        assert (await Contact.get()).custom_fields == {}
        assert await Notification.filter(rule="careless", via="log").count() == 1
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert any("careless" in w and "assign_agent" in w for w in warnings), warnings
        assert any("careless" in w and "set_field" in w for w in warnings), warnings
        above_debug = [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG]
        assert not any("secret order details" in line for line in above_debug)

        response = await hub.http.get(
            f"/api/conversations/{talk.id}/explanations",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200
        [run] = (await response.json())["runs"]
        assert (run["source"], run["event"], run["fired"]) == (
            "rules",
            "message_received",
            ["careless"],
        )
        failures = {(f["rule"], f["action"], f["stage"]) for f in run["failures"]}
        assert failures == {
            ("careless", "set_field", "plan"),
            ("careless", "assign_agent", "apply"),
        }
        assert "refused" in next(f["error"] for f in run["failures"] if f["stage"] == "plan")
        ran = [(a["action"].split("(")[0], a["ok"]) for a in run["actions"]]
        assert ran == [
            ("assign_agent", False),
            ("add_label", True),
            ("notify", True),
            ("send", True),
        ]
        failed_only = await hub.http.get(
            f"/api/conversations/{talk.id}/explanations?failed=1",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert len((await failed_only.json())["runs"]) == 1
    finally:
        await hub.close()


async def test_explanations_show_conditions_and_actions(embedded_demo: HubHarness) -> None:
    agent = await Agent.create(email="chloe@demo.example", name="Chloé")
    token = await create_api_token(agent)
    visitor = await Visitor.arrive(embedded_demo)
    await visitor.says("Bonjour")
    await visitor.says("français")
    talk = await conversation()
    response = await embedded_demo.http.get(
        f"/api/conversations/{talk.id}/explanations", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    runs = (await response.json())["runs"]
    events = [(r["source"], r["event"]) for r in runs]
    assert events[:3] == [
        ("rules", "conversation_opened"),
        ("survey", "survey_start(language)"),
        ("rules", "message_received"),
    ]
    assert ("survey", "survey_answer(language)") in events
    routed = next(r for r in runs if r["fired"] == ["route_by_language"])
    assert routed["event"] == "survey_answered(language)"
    considered = {r["rule"]: r for r in routed["explanation"]["rules"]}
    assert considered["route_by_language"]["fired"] is True
    assert considered["route_by_language"]["conditions"][0]["actual"] == "'fr'"
    assert considered["language_not_given"]["fired"] is False
    assert [a["action"].split("(")[0] for a in routed["actions"]] == [
        "set_language",
        "assign_team",
        "send",
    ]
    assert all(a["ok"] for a in routed["actions"])
    unauthenticated = await embedded_demo.http.get(f"/api/conversations/{talk.id}/explanations")
    assert unauthenticated.status == 401
    missing = await embedded_demo.http.get(
        "/api/conversations/999/explanations", headers={"Authorization": f"Bearer {token}"}
    )
    assert missing.status == 404


EVERY_ACTION = """\
rules:
  - name: tidy
    when: message_received
    if: {text: {contains_any: [tidy]}}
    then:
      - add_label: first
      - add_label: second
      - remove_label: first
      - set_field: {newsletter: "yes"}
      - clear_field: company_size
      - set_priority: low
      - set_language: fr
      - notify: {via: inbox, to: team@demo.example, text: "{{ contact.name }} tidied up"}
      - send: "Rangé."
  - name: to_alice
    when: message_received
    if: {text: {contains_any: [alice]}}
    then:
      - escalate: {reason: wants Alice, priority: urgent}
      - assign_agent: Alice@demo.example
"""


async def test_every_action_reaches_the_database(tmp_path: Path) -> None:
    hub = await started(tmp_path, files={**demo_files(), "rules.yaml": EVERY_ACTION})
    try:
        alice = await Agent.create(email="alice@demo.example", name="Alice")
        customer = ApiCustomer(hub)
        await customer.says("hello")
        contact = await Contact.get()
        await Contact.filter(id=contact.id).update(name="Ana", custom_fields={"company_size": 12})
        await customer.says("please tidy")
        talk = await conversation()
        assert (talk.labels, talk.priority, talk.language) == (["second"], -1, "fr")
        assert (await Contact.get()).custom_fields == {"newsletter": True}
        note = await Notification.get()
        assert (note.rule, note.via, note.recipient, note.text) == (
            "tidy",
            "inbox",
            "team@demo.example",
            "Ana tidied up",
        )
        assert customer.last["text"] == "Rangé."
        await customer.says("I want alice")
        talk = await conversation()
        assert talk.status == ConversationStatus.ASSIGNED
        assert (talk.assignee_id, talk.priority) == (alice.id, 2)
        assert talk.escalated_at is not None
        assert talk.assigned_at is not None
        assert talk.handoff is not None
        assert talk.handoff["reason"] == "wants Alice"
    finally:
        await hub.close()


# -- team queues ----------------------------------------------------------------------------


async def test_team_queue_shows_the_teams_conversations_to_its_agents(demo: HubHarness) -> None:
    chloe = await create_api_token(await Agent.create(email="Chloe@demo.example", name="Chloé"))
    alice = await create_api_token(await Agent.create(email="alice@demo.example", name="Alice"))
    boss = await create_api_token(
        await Agent.create(email="boss@demo.example", name="Boss", role=AgentRole.SUPERVISOR)
    )
    french, english = ApiCustomer(demo, "cust-fr"), ApiCustomer(demo, "cust-en")
    await french.says("Salut")
    await french.says("Français")
    await english.says("Hi")
    await english.presses("choice:en")

    async def queue(team: str, token: str) -> tuple[int, Any]:
        response = await demo.http.get(
            f"/api/teams/{team}/conversations", headers={"Authorization": f"Bearer {token}"}
        )
        return response.status, await response.json()

    status, body = await queue("french", chloe)
    assert status == 200
    assert body["team"] == "french"
    assert body["title"] == "French support"
    assert [c["contact"]["custom_fields"] for c in body["conversations"]] == [
        {"preferred_language": "fr"}
    ]
    assert (await queue("french", alice))[0] == 403
    assert [c["team"] for c in (await queue("english", alice))[1]["conversations"]] == ["english"]
    assert len((await queue("french", boss))[1]["conversations"]) == 1
    assert (await queue("klingon", boss))[0] == 404
    assert (await queue("french", "hub_not-a-token"))[0] == 401


# -- timers -------------------------------------------------------------------------------


async def test_no_reply_reminder_then_close(tmp_path: Path) -> None:
    files = demo_files(rules={"no_reply: 10m": "no_reply: 1s", "no_reply: 1h": "no_reply: 2s"})
    hub = await started(tmp_path, files=files)
    try:
        customer = ApiCustomer(hub)
        await customer.says("Hi")
        await customer.presses("choice:en")

        async def resolved() -> bool:
            return (await conversation()).status == ConversationStatus.RESOLVED

        await eventually(resolved, timeout=15)
        await hub.settled()
        assert customer.last["text"] == "Are you still there? Reply any time, we're here."
        assert (await fired_rules())[-2:] == ["still_there", "close_idle_bot_chats"]
        assert await ScheduledTimer.all().count() == 0
    finally:
        await hub.close()


async def test_a_customer_reply_cancels_the_no_reply_timers(embedded_demo: HubHarness) -> None:
    customer = ApiCustomer(embedded_demo)
    await customer.says("Hi")
    await customer.presses("choice:en")
    talk = await conversation()
    assert await pending_keys(talk.id) == ["no_reply:600", "no_reply:3600"]
    await customer.says("just looking")
    assert await pending_keys(talk.id) == []


async def test_an_agent_reply_stops_the_survey_and_waits_for_the_customer(
    embedded_demo: HubHarness,
) -> None:
    token = await create_api_token(await Agent.create(email="ana@demo.example", name="Ana"))
    customer = ApiCustomer(embedded_demo)
    await customer.says("Hi")
    talk = await conversation()
    response = await embedded_demo.http.post(
        f"/api/conversations/{talk.id}/messages",
        json={"text": "Hello, Ana here"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 201
    state = await survey_state()
    assert (state["status"], state["reason"]) == ("abandoned", "agent")
    assert await pending_keys(talk.id) == ["no_reply:600", "no_reply:3600"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_timers_survive_a_restart(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await started(tmp_path, backend)
    customer = ApiCustomer(first)
    await customer.says("Hi")
    await customer.presses("choice:en")
    talk = await conversation()
    assert await pending_keys(talk.id) == ["no_reply:600", "no_reply:3600"]
    # make the ten-minute timer due while no hub runs: its alarm died with the process
    await first.close()
    from hub.store import db
    from tests.support.harness import backend_settings

    settings = backend_settings(backend, tmp_path / "var")
    await db.init_db(settings)
    timer = await ScheduledTimer.get(key="no_reply:600")
    await ScheduledTimer.filter(id=timer.id).update(due_at=timer.scheduled_at)
    hour = await ScheduledTimer.get(key="no_reply:3600")
    await db.close_db()

    async def keep_data(backend: str) -> None:
        """The second hub must find the first one's database as it was left."""

    monkeypatch.setattr("tests.support.harness.reset_backend", keep_data)
    second = await started(tmp_path, backend)
    try:

        async def reminded() -> bool:
            texts = [m.text for m in await bot_messages()]
            return "Are you still there? Reply any time, we're here." in texts

        await eventually(reminded, timeout=15)
        assert "still_there" in await fired_rules()
        # the hour still counts from the first wait (the reminder does not restart it)
        assert (await ScheduledTimer.get(key="no_reply:3600")).due_at == hour.due_at
    finally:
        await second.close()


WELCOME_ON_OPEN = """\
rules:
  - name: welcome
    when: conversation_opened
    then:
      - send: "Welcome! What can we do for you?"
  - name: nudge
    when: {no_reply: 1s}
    max_fires: 1
    then:
      - send: "Still there?"
"""


async def test_the_opening_message_does_not_cancel_the_wait_its_welcome_started(
    tmp_path: Path,
) -> None:
    hub = await started(tmp_path, files={"rules.yaml": WELCOME_ON_OPEN})
    try:
        customer = ApiCustomer(hub)
        await customer.says("Hi")
        assert [m["text"] for m in customer.received] == ["Welcome! What can we do for you?"]

        async def nudged() -> bool:
            await hub.settled()
            return len(customer.received) == 2

        await eventually(nudged, timeout=15)
        assert customer.last["text"] == "Still there?"
    finally:
        await hub.close()


def test_every_notifier_hub_check_accepts_is_registered() -> None:
    from config.automation_checks import DEFAULT_NOTIFIERS
    from hub.bot.actions import NOTIFIERS

    assert set(DEFAULT_NOTIFIERS) <= set(NOTIFIERS)


# -- legacy greeting -------------------------------------------------------------------------

GREETING_HUB_YAML = HUB_YAML.replace(
    "inboxes:",
    "greeting:\n  text: {{en: Hello there}}\n  buttons: [{{id: pricing, title: {{en: Pricing}}}}]\n"
    "inboxes:",
)
PRICING_ONLY = """\
rules:
  - name: pricing
    when: {button_pressed: pricing}
    then:
      - send: "Plans start at 29 euros."
"""


async def test_greeting_stays_while_no_rule_replaces_it(tmp_path: Path) -> None:
    hub = HubHarness(tmp_path, hub_yaml=GREETING_HUB_YAML, extra_files={"rules.yaml": PRICING_ONLY})
    await hub.start()
    try:
        customer = ApiCustomer(hub)
        await customer.says("Hi")
        assert customer.last["text"] == "Hello there"
        await customer.presses("pricing")
        assert customer.last["text"] == "Plans start at 29 euros."
    finally:
        await hub.close()


def test_explanations_are_plain_json() -> None:
    """What RuleRun stores must survive the JSON column on both databases."""
    bot = build_bot(load_config(DEMO))
    decision = bot.engine.evaluate(
        Event(EventKind.MESSAGE_RECEIVED, text="refund please"),
        Facts(
            conversation_id="1",
            inbox="demo",
            channel="webchat",
            language="en",
            now=datetime(2025, 3, 3, 9, tzinfo=UTC),
        ),
    )
    explained = json.loads(json.dumps(decision.explanation.to_dict()))
    assert explained["event"] == "message_received"
    assert [r["rule"] for r in explained["rules"] if r["fired"]] == ["refund_is_urgent"]


# -- the demo under `hub serve`, and reloads ---------------------------------------------------


async def _first_bot_message(http: Any, base: str) -> dict[str, Any]:
    """A new web chat visitor says hello; returns the first message the bot sends back."""
    async with http.post(f"{base}/api/webchat/demo/sessions") as response:
        token = (await response.json())["token"]
    auth = {"Authorization": f"Bearer {token}"}
    async with http.post(
        f"{base}/api/webchat/demo/messages", json={"client_id": "c1", "text": "Hello"}, headers=auth
    ) as response:
        assert response.status == 202

    async def answered() -> dict[str, Any]:
        async with http.get(f"{base}/api/webchat/demo/messages", headers=auth) as response:
            messages = (await response.json())["messages"]
        out: dict[str, Any] = next((m for m in messages if m["direction"] == "out"), {})
        return out

    return await eventually(answered, timeout=20)


@pytest.mark.slow
async def test_demo_under_hub_serve_and_a_broken_reload_keeps_the_old_config(
    tmp_path: Path,
) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(DEMO, config_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = serve_env(tmp_path, config_dir, port, HUB_DEMO_API_SECRET="demo")
    log = tmp_path / "serve.log"
    server = await HubProcess(["serve"], env, log).start()
    try:
        await server.wait_http(f"{base}/healthz")
        # what startup built (the demo's NLU model too) is out of the collector's sight
        assert await _logged(log, "objects from startup exempted from garbage collection")
        async with aiohttp.ClientSession() as http:
            first = await _first_bot_message(http, base)
            assert first["text"] == QUESTION
            assert [(b["id"], b["title"]) for b in first["buttons"]] == LANGUAGE_BUTTONS

            rules = config_dir / "rules.yaml"
            good_rules = rules.read_text(encoding="utf-8")
            rules.write_text(good_rules.replace("start_survey: language", "start_survey: langage"))
            await run_cli(["reload"], env)
            await eventually(lambda: _logged(log, "reload refused"), timeout=20)
            assert "rules.yaml" in log.read_text(encoding="utf-8")
            assert (await _first_bot_message(http, base))["text"] == QUESTION  # old config runs

            rules.write_text(good_rules)
            surveys = config_dir / "surveys.yaml"
            surveys.write_text(
                surveys.read_text(encoding="utf-8").replace(
                    'en: "Which language do you prefer:', 'en: "Pick a language:'
                )
            )
            await run_cli(["reload"], env)
            await eventually(lambda: _logged(log, "config reloaded"), timeout=20)
            assert (await _first_bot_message(http, base))["text"] == (
                "Pick a language: English, Español, 中文, Français?"
            )
    finally:
        await server.stop()


async def _logged(path: Path, text: str) -> bool:
    return text in path.read_text(encoding="utf-8", errors="replace")
