"""The brain's state loaded from rows: a batch in a few queries, whatever its size, with
the same values on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from tortoise import Tortoise

from automations.conversation import Status
from hub.bot.state import load_many, snapshot
from hub.bot.step import bot_of
from hub.store.automation_models import ScheduledTimer
from hub.store.models import Contact, Conversation, Message
from tests.support.harness import HubHarness

RULES = """\
rules:
  - name: welcome
    when: conversation_opened
    then:
      - send:
          text: "Hi!"
          buttons: [{id: pricing, title: Pricing}, {id: human, title: Talk to someone}]
  - name: remind
    when: {no_reply: 10m}
    then:
      - send: "Still there?"
  - name: close
    when: {no_reply: 1h}
    then:
      - resolve: {note: idle}
"""

INTENTS = """\
intents:
  - name: hours
    examples:
      en: ["When are you open?", "What are your opening hours?", "Are you open on Sunday?"]
    answer: {text: {en: "Open 9 to 6."}}
  - name: prices
    examples:
      en: ["How much does it cost?", "What are your prices?", "Price of the Pro plan"]
    answer: {text: {en: "From 9 euros."}}
"""


def _count(monkeypatch: pytest.MonkeyPatch, conn: Any) -> list[str]:
    seen: list[str] = []
    for name in ("execute_query", "execute_query_dict"):
        real = getattr(conn, name)

        async def counted(query: str, *args: Any, _real: Any = real) -> Any:
            seen.append(query)
            return await _real(query, *args)

        monkeypatch.setattr(conn, name, counted)
    return seen


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize("customers", [1, 6])
async def test_a_batch_is_loaded_in_a_few_queries(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, customers: int, backend: str
) -> None:
    files = {"rules.yaml": RULES, "intents.yaml": INTENTS}
    hub = await HubHarness(tmp_path, backend=backend, extra_files=files).start()
    try:
        for n in range(customers):
            body = {"id": f"m-{n}", "sender": {"id": f"cust-{n}"}, "text": "Hello"}
            assert (await hub.post_api(body)).status == 200
        await hub.settled()
        assert hub.runtime is not None
        ctx = hub.runtime.ctx
        conversations = await Conversation.all().order_by("id")
        rows = [(c, await Contact.get(id=c.contact_id)) for c in conversations]
        conn = Tortoise.get_connection("default")
        queries = _count(monkeypatch, conn)
        plain = replace(bot_of(ctx).brain, nlu=None)
        assert (plain.reads_transcript, plain.reads_timers, plain.reads_identities) == (
            False,
            False,
            False,
        )
        assert {c.id for c, _ in rows} == set(await load_many(ctx, conn, plain, rows))
        assert queries == []  # nothing a config without NLU decides on needs a query
        brain = replace(bot_of(ctx).brain, reads_timers=True, reads_identities=True)
        assert brain.reads_transcript  # intents.yaml: typed confirmations read it
        loaded = await load_many(ctx, conn, brain, rows)
        assert len(queries) == 3, queries  # messages, timers, identities: for the whole batch
        for conversation, contact in rows:
            state = snapshot(ctx, conversation, contact, loaded[conversation.id])
            greeting = await Message.filter(conversation_id=conversation.id, direction="out").get()
            last = state.last_outbound()
            assert last is not None
            assert last.id == greeting.id
            assert [b.id for b in last.buttons] == ["pricing", "human"]
            assert state.conversation.status is Status.BOT
            keys = (
                await ScheduledTimer.filter(conversation_id=conversation.id)
                .order_by("due_at")
                .values_list("key", flat=True)
            )
            assert (
                [t.key for t in state.timers]
                == [str(k) for k in keys]
                == ["no_reply:600", "no_reply:3600"]
            )
            assert [i.inbox for i in state.contact.identities] == ["api"]
    finally:
        await hub.close()
