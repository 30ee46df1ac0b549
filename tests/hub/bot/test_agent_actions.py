"""Agent actions of the inbox go through the brain: taking over stops the bot's survey and
its timers wait for the customer; resolving records why and drops every timer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.bot.timers import pending_keys
from hub.store.automation_models import RuleRun
from hub.store.models import Conversation
from tests.hub.web.inbox.support import make_agent, signed_in
from tests.support.harness import HubHarness

SURVEY = """\
fields:
  - name: plan
    type: single_choice
    choices: [{value: free, label: Free}, {value: pro, label: Pro}]
"""
SURVEYS = """\
surveys:
  - name: plan
    questions:
      - field: plan
        text: {en: "Which plan are you on?"}
"""
RULES = """\
rules:
  - name: ask_plan
    when: conversation_opened
    then:
      - start_survey: plan
  - name: nudge
    when: {no_reply: 10m}
    then:
      - send: "Still there?"
"""


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    files = {"fields.yaml": SURVEY, "surveys.yaml": SURVEYS, "rules.yaml": RULES}
    harness = HubHarness(tmp_path, extra_files=files)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def test_take_over_then_resolve_are_decided_by_the_brain(hub: HubHarness) -> None:
    agent = await make_agent()
    csrf = await signed_in(hub.http)
    visitor = await hub.visitor()
    await hub.visitor_says(visitor, "hello")
    await hub.settled()
    conversation = await Conversation.get()
    assert conversation.bot_state["survey"]["status"] == "active"
    assert set(await pending_keys(conversation.id)) >= {"survey_timeout:plan"}
    base = f"/inbox/api/conversations/{conversation.id}"
    taken = await hub.http.post(f"{base}/take", headers={"X-CSRF-Token": csrf})
    assert taken.status == 200, await taken.text()
    conversation = await Conversation.get()
    assert (conversation.status, conversation.assignee_id) == ("assigned", agent.id)
    survey = conversation.bot_state["survey"]
    assert (survey["status"], survey["reason"]) == ("abandoned", "agent")
    assert "survey_timeout:plan" not in await pending_keys(conversation.id)
    done = await hub.http.post(f"{base}/resolve", headers={"X-CSRF-Token": csrf})
    assert done.status == 200, await done.text()
    conversation = await Conversation.get()
    assert conversation.status == "resolved"
    assert conversation.resolved_at is not None
    assert await pending_keys(conversation.id) == []
    events = await RuleRun.filter(source="agent").order_by("id").values_list("event", flat=True)
    assert [str(e) for e in events] == ["agent_took_over", "resolved_by_agent"]
