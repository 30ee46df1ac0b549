"""Provider ids of any length are stored whole (or hashed), never cut: two ids that share
their first 255 characters are two items, not a redelivery."""

from __future__ import annotations

from channels.keys import stable_key
from hub.conversation import lane_key
from hub.store.models import EventStatus, InboundEvent, Message
from tests.support.harness import HubHarness


async def test_two_ids_sharing_their_first_255_characters_are_both_processed(
    embedded: HubHarness,
) -> None:
    head = "x" * 253  # the API channel stores "m:" + id: 256 characters, over the column
    for tail, text in (("a", "first"), ("b", "second")):
        response = await embedded.post_api(
            {"id": head + tail, "sender": {"id": "c-long"}, "text": text}
        )
        assert response.status == 200, await response.text()
    await embedded.settled()
    events = await InboundEvent.all()
    assert len(events) == 2
    assert {e.status for e in events} == {EventStatus.PROCESSED}
    assert {e.provider_event_id for e in events} == {
        stable_key("m:" + head + "a"),
        stable_key("m:" + head + "b"),
    }
    rows = await Message.filter(direction="in").order_by("id")
    texts = [m.text for m in rows]
    assert texts == ["first", "second"]


async def test_a_redelivered_long_id_is_still_one_item(embedded: HubHarness) -> None:
    body = {"id": "y" * 254, "sender": {"id": "c-long"}, "text": "once"}
    for _ in range(2):
        assert (await embedded.post_api(body)).status == 200
    await embedded.settled()
    assert await InboundEvent.all().count() == 1
    assert await Message.filter(direction="in").count() == 1


def test_lane_key_names_the_stored_key() -> None:
    long_key = stable_key("z" * 300)
    assert lane_key(1, long_key) == f"1:{long_key}"
    assert lane_key(1, stable_key("z" * 300 + "!")) != lane_key(1, long_key)
