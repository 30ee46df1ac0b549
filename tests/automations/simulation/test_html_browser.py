"""The HTML report opened in Chromium from a file, offline: its charts render, nothing is
fetched, and a screenshot is kept for a person to look at (``$SIM_SCREENSHOT``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from automations.simulation import History, Target, simulate
from automations.simulation.html import render
from tests.hub.test_browser import CHROMIUM_ARGS
from tests.support import services

pytestmark = [pytest.mark.browser]


async def test_report_renders_offline_with_charts(
    tmp_path: Path, golden_history: History, demo_target: Target
) -> None:
    from playwright.async_api import async_playwright

    report, _ = simulate(golden_history, demo_target)
    page_file = tmp_path / "report.html"
    page_file.write_text(render(report), encoding="utf-8")
    fetched: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(services.CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: fetched.append(r.url))
            await page.goto(page_file.as_uri())
            charts = await page.locator("svg").count()
            heights = await page.eval_on_selector_all(
                "svg", "els => els.map(e => e.getBoundingClientRect().height)"
            )
            heading = await page.locator("h1").inner_text()
            cards = await page.locator(".card b").all_inner_texts()
            shot = Path(os.environ.get("SIM_SCREENSHOT", tmp_path / "report.png"))
            await page.screenshot(path=str(shot), full_page=True)
        finally:
            await browser.close()
    assert heading == "Simulation report"
    assert cards[:5] == ["200", "60", "60", "20", "60"]
    assert charts >= 4  # outcomes, reasons, intents, one queue load per team
    assert all(h > 50 for h in heights)
    assert [u for u in fetched if not u.startswith("file://")] == []
    assert shot.stat().st_size > 10_000
