"""The inbox in Chromium against a real `hub serve` on the demo config, from the keyboard.

Screenshots of the list and the conversation (desktop 1280×800, phone 390×844) are taken
on every run; with HUB_UPDATE_SCREENSHOTS=1 they replace the ones the README shows
(tests/hub/web/inbox_screenshots/).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.hub.test_browser import CHROMIUM_ARGS, Demo
from tests.support import services
from tests.support.processes import run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[1] / "inbox_screenshots"
PASSWORD = "demo-password-1"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


#: a member of the demo's English team, where an English-speaking customer's handoff goes
ADD_ALICE = ("agents", "add", "--email", "alice@demo.example", "--name", "Alice")


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    server = Demo(tmp_path)
    await server.start()
    await run_cli(
        [*ADD_ALICE, "--password", PASSWORD],
        server.env,
    )
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    services.need("browser")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=str(services.CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


def _shot(tmp_path: Path, name: str) -> str:
    return str(tmp_path / name)


def _keep(tmp_path: Path, names: list[str]) -> None:
    if os.environ.get("HUB_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        for name in names:
            shutil.copyfile(tmp_path / name, SHOTS / name)


async def _customer_asks_for_a_person(page: Any, base: str, name: str, text: str) -> None:
    await page.goto(f"{base}/chat/demo")
    await page.wait_for_selector(".hub-chat-status:text('online')")
    await page.fill(".hub-chat-input", "Hello, I need help with my order")
    await page.press(".hub-chat-input", "Enter")
    await page.locator(".hub-btn", has_text="English").click()
    await page.locator(".hub-msg.out", has_text="Welcome to Demo Co.").wait_for()
    # the embedding site passes the customer's name with a message (the visitor API's
    # ``name``), as a shop that knows its signed-in customer would
    sent = await page.evaluate(
        """async ([name, text]) => {
            const token = localStorage.getItem("hub.webchat.demo.token");
            const response = await fetch("/api/webchat/demo/messages", {
                method: "POST",
                headers: {"Content-Type": "application/json", Authorization: `Bearer ${token}`},
                body: JSON.stringify({client_id: "named-1", name, text}),
            });
            return response.status;
        }""",
        [name, text],
    )
    assert sent == 202
    await page.locator(".hub-btn", has_text="Talk to someone").last.click()


async def _sign_in(page: Any, base: str) -> None:
    await page.goto(f"{base}/inbox")
    await page.wait_for_url(f"{base}/inbox/login")
    await page.keyboard.type("alice@demo.example")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/inbox")
    await page.wait_for_selector("#live[data-state='up']")


async def test_an_agent_takes_over_and_answers_with_a_snippet_from_the_keyboard(
    demo: Demo, browser: Any, tmp_path: Path
) -> None:
    base = demo.base
    customer = await (await browser.new_context()).new_page()
    await _customer_asks_for_a_person(customer, base, "Zoé Martin", "My order is late")

    context = await browser.new_context(viewport=DESKTOP)
    agent = await context.new_page()
    await _sign_in(agent, base)
    await agent.keyboard.press("2")  # the Unassigned view
    row = agent.locator(".conversation", has_text="Zoé Martin")
    await row.wait_for()
    assert "Web chat" in await row.inner_text()
    assert "queued" in await row.inner_text()
    assert "1" in await agent.locator(".view.current .count").inner_text()
    await agent.screenshot(path=_shot(tmp_path, "list-desktop.png"))

    await agent.keyboard.press("Enter")  # open the selected (first) conversation
    await agent.locator("#conv-name", has_text="Zoé Martin").wait_for()
    handoff = agent.locator("#handoff")
    await handoff.wait_for()
    assert 'customer pressed "Talk to someone"' in await handoff.inner_text()
    assert "My order is late" in await agent.locator("#transcript").inner_text()
    assert await agent.locator(".msg.from-bot .chip", has_text="Talk to someone").count() >= 1

    await agent.keyboard.press("t")  # take over
    await agent.locator("#conv-meta", has_text="with Alice").wait_for()
    # it left the Unassigned view (the feed's event), and Mine counts it
    await row.wait_for(state="detached")
    await agent.locator(".view:not(.current) .count", has_text="1").wait_for()

    await agent.keyboard.press("/")  # the composer, with the palette open
    await agent.keyboard.type("ack")
    chosen = agent.locator(".hit.chosen .command")
    await chosen.wait_for()
    assert await chosen.inner_text() == "/ack"
    preview = agent.locator(".preview-text")
    assert "Thanks Zoé!" in await preview.inner_text()
    await agent.screenshot(path=_shot(tmp_path, "conversation-desktop.png"))
    await agent.keyboard.press("Enter")  # take the snippet
    reply = await agent.locator("#reply").input_value()
    assert reply.startswith("Thanks Zoé! We have logged your request as #")
    await agent.keyboard.press("Enter")  # send
    await agent.locator(".msg.from-agent", has_text="Thanks Zoé!").wait_for()
    await customer.locator(".hub-msg.out", has_text="Thanks Zoé! We have logged").wait_for()
    tick = agent.locator(".msg.from-agent .tick").last
    await agent.wait_for_function(
        "() => !document.querySelector('.msg.from-agent:last-child .tick-queued')"
    )
    assert await tick.inner_text() in ("✓", "✓✓", "✓✓ read")

    # a dropped socket resumes: what the customer wrote meanwhile arrives, no reload
    await agent.evaluate("window.__same_page = true; window.inbox.live.drop()")
    await customer.fill(".hub-chat-input", "Thank you, Alice")
    await customer.press(".hub-chat-input", "Enter")
    await agent.locator(".msg.from-contact", has_text="Thank you, Alice").wait_for()
    assert await agent.evaluate("window.__same_page") is True

    # the phone layout, signed in as the same agent
    phone = await (
        await browser.new_context(viewport=PHONE, storage_state=await context.storage_state())
    ).new_page()
    await phone.goto(f"{base}/inbox")
    await phone.locator(".conversation", has_text="Zoé Martin").wait_for()
    await phone.screenshot(path=_shot(tmp_path, "list-phone.png"))
    await phone.keyboard.press("Enter")
    await phone.locator(".msg.from-agent", has_text="Thanks Zoé!").wait_for()
    assert not await phone.locator("#list-pane").is_visible()
    await phone.screenshot(path=_shot(tmp_path, "conversation-phone.png"))

    # help, then resolve: it leaves Mine
    await agent.keyboard.press("Escape")  # out of the composer
    await agent.keyboard.press("?")
    await agent.locator("#help").wait_for()
    assert "take over" in await agent.locator("#help").inner_text()
    await agent.keyboard.press("Escape")
    await agent.keyboard.press("r")
    await agent.locator("#conv-meta", has_text="resolved").wait_for()
    await agent.locator(".conversation", has_text="Zoé Martin").wait_for(state="detached")
    _keep(
        tmp_path,
        [
            "list-desktop.png",
            "conversation-desktop.png",
            "list-phone.png",
            "conversation-phone.png",
        ],
    )


async def test_customer_text_is_shown_literally_and_never_runs(demo: Demo, browser: Any) -> None:
    base = demo.base
    name = '<img src=x onerror="window.__xss=1">Eve'
    text = "<script>window.__xss=2</script><b>bold?</b>"
    customer = await (await browser.new_context()).new_page()
    await _customer_asks_for_a_person(customer, base, name, text)
    agent = await (await browser.new_context(viewport=DESKTOP)).new_page()
    await _sign_in(agent, base)
    await agent.keyboard.press("2")
    row = agent.locator(".conversation").first
    await row.wait_for()  # queued: the bot is done with it
    assert name in await row.locator(".name").inner_text()
    # a stored custom field with markup (the demo's text fields all have a pattern, so
    # it is written straight into the database, as an older survey could have stored it)
    with sqlite3.connect(demo.tmp_path / "var" / "hub.sqlite3") as db:
        db.execute(
            "UPDATE contact SET custom_fields = ?",
            (json.dumps({"order_ref": '<svg onload="window.__xss=3">'}),),
        )

    await agent.keyboard.press("Enter")
    await agent.locator("#conv-name").wait_for()
    assert await agent.locator("#conv-name").inner_text() == name
    assert text in await agent.locator("#transcript").inner_text()
    assert '<svg onload="window.__xss=3">' in await agent.locator("#contact").inner_text()
    # nothing the customer wrote became an element, and nothing ran
    for tag in ("img", "script:not([src])", "svg", "b"):
        assert await agent.locator(f"body {tag}").count() == 0, tag
    assert await agent.evaluate("window.__xss") is None


async def test_layout_letters_never_trigger_shortcuts(demo: Demo, browser: Any) -> None:
    """French AZERTY puts "é" on the key a US board calls 2, Polish types "ą" with AltGr
    (Ctrl+Alt on Windows): the inbox reads the character produced, so neither acts."""
    base = demo.base
    customer = await (await browser.new_context()).new_page()
    await _customer_asks_for_a_person(customer, base, "Łukasz Wiśniewski", "Dzień dobry")
    agent = await (await browser.new_context(viewport=DESKTOP)).new_page()
    await _sign_in(agent, base)
    await agent.keyboard.press("2")
    await agent.locator(".conversation", has_text="Łukasz").wait_for()
    await agent.keyboard.press("Enter")
    await agent.locator("#conv-name", has_text="Łukasz").wait_for()
    await agent.keyboard.press("1")  # back to Mine: the conversation stays open
    await agent.locator(".view.current", has_text="Mine").wait_for()

    # AZERTY: the "2" key without Shift gives "é" (code Digit2): not the Unassigned view
    await agent.evaluate(
        """() => document.body.dispatchEvent(new KeyboardEvent("keydown",
            {key: "é", code: "Digit2", bubbles: true}))"""
    )
    # AltGr+t (Ctrl+Alt) outside a field is not "take over"
    await agent.keyboard.press("Control+Alt+t")
    # inside the composer every letter is text, shortcut letters and AltGr ones alike
    await agent.keyboard.press("c")
    text = "zażółć gęślą jaźń, été — t r j k ? 1 2"
    await agent.keyboard.type(text)
    await agent.keyboard.press("Control+Alt+a")
    assert await agent.locator("#reply").input_value() == text
    assert await agent.locator(".view.current").inner_text() == "Mine 0"
    assert "unassigned" in await agent.locator("#conv-meta").inner_text()  # not taken
    assert await agent.locator("#help").is_hidden()
