"""``hub export`` rows -> the hub history format, read back by the simulator: a web chat
conversation stored by the real hub exports with its customer turns, button and what
happened, and replays through the demo config."""

from __future__ import annotations

from pathlib import Path

from automations.simulation import read_jsonl, simulate
from hub.cli.export import export_lines
from hub.cli.simulate_setup import target_for
from tests.support.harness import HubHarness

DEMO = Path(__file__).resolve().parents[3] / "config" / "demo"


async def test_export_reads_back_and_replays(embedded: HubHarness) -> None:
    token = await embedded.visitor()
    assert (await embedded.visitor_says(token, text="Hello")).status < 300
    await embedded.settled()
    assert (await embedded.visitor_says(token, payload="human")).status < 300
    await embedded.settled()
    lines = [line async for line in export_lines()]
    history = read_jsonl(lines)
    assert history.problems == ()
    (conversation,) = history.conversations
    assert (conversation.channel, conversation.inbox) == ("webchat", "web")
    customer = [m for m in conversation.messages if m.role == "customer"]
    assert [(m.text, m.button) for m in customer] == [("Hello", None), (None, "human")]
    assert any(m.role == "bot" for m in conversation.messages)  # the greeting
    assert conversation.outcome is not None
    report, _ = simulate(history, target_for(DEMO, False), gaps=False)
    assert report["conversations"] == 1
    assert report["escalated"] == 1  # the demo's talk_to_someone rule
    assert [line async for line in export_lines(inbox="api")] == []
