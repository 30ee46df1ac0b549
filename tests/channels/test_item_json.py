"""An item survives storage as JSON, whatever text the provider sent."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.base import Attachment, InboundItem, ItemKind, Profile


def test_an_item_round_trips_through_its_json() -> None:
    item = InboundItem(
        kind=ItemKind.MESSAGE,
        event_id="e-1",
        source_id="+33612345678",
        occurred_at=datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
        message_id="m-1",
        text="Bonjour 👋 «ça va ?»",
        attachments=(Attachment(kind="image", url="https://x.example/a.png"),),
        profile=Profile(name="Zoé", phone="+33612345678"),
        data={"ref": 42},
    )
    assert InboundItem.from_json(item.to_json()) == item


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    # what json.loads makes of {"text": "\ud83d"}: half an emoji, not storable text
    item = InboundItem(
        kind=ItemKind.MESSAGE, event_id="e-1", source_id="s", text="cut \ud83d emoji 👋"
    )
    stored = InboundItem.from_json(item.to_json())
    assert stored.text == "cut \ufffd emoji 👋"
    stored.to_json().encode()  # valid UTF-8 now
