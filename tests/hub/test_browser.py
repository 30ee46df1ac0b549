"""The quick start in a real browser: `hub serve` on the demo config, Chromium on /chat/demo."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support import services
from tests.support.processes import ROOT, HubProcess, free_port, run_cli, serve_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Demo:
    """`hub serve` on the demo config, as `make run` starts it."""

    def __init__(self, tmp_path: Path) -> None:
        port = free_port()
        self.tmp_path = tmp_path
        self.base = f"http://127.0.0.1:{port}"
        self.env = serve_env(tmp_path, ROOT / "config" / "demo", port, HUB_DEMO_API_SECRET="demo")
        self.server: HubProcess | None = None

    async def start(self) -> None:
        self.server = await HubProcess(["serve"], self.env, self.tmp_path / "serve.log").start()
        await self.server.wait_http(f"{self.base}/healthz")

    async def stop(self, crash: bool = False) -> None:
        if self.server is not None:
            await (self.server.kill() if crash else self.server.stop())


@pytest.fixture
async def demo_server(tmp_path: Path) -> AsyncIterator[Demo]:
    server = Demo(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def demo(demo_server: Demo) -> tuple[str, dict[str, str]]:
    return demo_server.base, demo_server.env


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Any]:
    services.need("browser")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(services.CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield await browser.new_page()
        finally:
            await browser.close()


async def test_visitor_sees_greeting_buttons_and_the_agent_reply(
    demo: tuple[str, dict[str, str]], page: Any, tmp_path: Path
) -> None:
    base, env = demo
    await page.goto(f"{base}/chat/demo")
    await page.wait_for_selector(".hub-chat-status:text('online')")
    await page.fill(".hub-chat-input", "Hello, I have a question")
    await page.press(".hub-chat-input", "Enter")
    question = page.locator(".hub-msg.out").first
    await question.wait_for()
    assert "Which language do you prefer" in await question.inner_text()
    languages = page.locator(".hub-btns").first.locator(".hub-btn")
    assert await languages.all_inner_texts() == ["English", "Español", "中文", "Français"]
    await page.locator(".hub-btn", has_text="English").click()
    greeting = page.locator(".hub-msg.out", has_text="Welcome to Demo Co.")
    await greeting.wait_for()
    buttons = page.locator(".hub-btns").last.locator(".hub-btn")
    assert await buttons.all_inner_texts() == ["Pricing", "Free trial", "Talk to someone"]

    # customer text is shown as text, never run as HTML
    attack = '<img src=x onerror="window.__xss=1">'
    await page.fill(".hub-chat-input", attack)
    await page.press(".hub-chat-input", "Enter")
    await page.locator(".hub-msg.in", has_text="onerror").wait_for()
    assert await page.locator(".hub-chat-log img").count() == 0
    assert await page.evaluate("window.__xss") is None

    # an agent of the English team (where this customer's conversation went) replies
    # through the API; the widget shows it
    await run_cli(["agents", "add", "--email", "alice@demo.example", "--name", "Alice"], env)
    token = (await run_cli(["tokens", "create", "--agent", "alice@demo.example"], env)).strip()
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/api/conversations", headers=auth) as response:
            [conversation] = (await response.json())["conversations"]
        async with http.post(
            f"{base}/api/conversations/{conversation['id']}/messages",
            json={"text": "Hi, this is Alice from Demo Co."},
            headers=auth,
        ) as response:
            assert response.status == 201
    await page.locator(".hub-msg.out", has_text="this is Alice").wait_for()
    await page.screenshot(path=str(tmp_path / "chat.png"))

    # a reload restores the history from the same visitor token
    await page.reload()
    await page.locator(".hub-msg.out", has_text="this is Alice").wait_for()
    texts = await page.locator(".hub-msg").all_inner_texts()
    assert texts[0] == "Hello, I have a question"
    assert texts[-1] == "Hi, this is Alice from Demo Co."


async def test_quick_reply_button_sends_its_title(
    demo: tuple[str, dict[str, str]], page: Any
) -> None:
    base, _ = demo
    await page.goto(f"{base}/chat/demo")
    await page.fill(".hub-chat-input", "hi")
    await page.press(".hub-chat-input", "Enter")
    await page.locator(".hub-btn", has_text="English").click()
    await page.locator(".hub-btn", has_text="Pricing").click()
    await page.locator(".hub-msg.in", has_text="Pricing").wait_for()
    assert await page.locator(".hub-btn[disabled]").count() == 7  # 4 languages + 3 welcome


async def test_widget_reconnects_after_the_server_restarts(demo_server: Demo, page: Any) -> None:
    await page.goto(f"{demo_server.base}/chat/demo")
    await page.wait_for_selector(".hub-chat-status:text('online')")
    await demo_server.stop(crash=True)
    await page.wait_for_selector(".hub-chat-status:text('reconnecting…')")
    await demo_server.start()
    await page.wait_for_selector(".hub-chat-status:text('online')", timeout=30000)
    await page.fill(".hub-chat-input", "still there?")
    await page.press(".hub-chat-input", "Enter")
    question = page.locator(".hub-msg.out").first
    await question.wait_for()
    assert "Which language do you prefer" in await question.inner_text()


async def test_the_demo_faq_is_answered_in_the_browser(
    demo: tuple[str, dict[str, str]], page: Any
) -> None:
    base, _ = demo
    await page.goto(f"{base}/chat/demo")
    await page.fill(".hub-chat-input", "hi")
    await page.press(".hub-chat-input", "Enter")
    await page.locator(".hub-btn", has_text="English").click()
    await page.locator(".hub-msg.out", has_text="Welcome to Demo Co.").wait_for()
    await page.fill(".hub-chat-input", "How much does it cost?")
    await page.press(".hub-chat-input", "Enter")
    await page.locator(".hub-msg.out", has_text="three plans").wait_for()
    await page.locator(".hub-msg.out", has_text="Did this answer your question?").wait_for()
    confirm = page.locator(".hub-btns").last.locator(".hub-btn")
    assert await confirm.all_inner_texts() == ["Yes", "No"]
    await page.locator(".hub-btns").last.locator(".hub-btn", has_text="No").click()
    await page.locator(".hub-msg.out", has_text="Sorry that didn't help").wait_for()
