"""Parsing paths no shared fixture exercises, built from the documented field names."""

from __future__ import annotations

import json

from multidict import MultiDict

from channels.base import DeliveryStatus, ItemKind, WebhookRequest
from channels.messenger import watermark_of
from tests.channels import adapters
from tests.channels.deliveries import meta_body


def request(body: bytes, form=None) -> WebhookRequest:
    return WebhookRequest("POST", "https://hub.example/x", {}, {}, body, form=form)


def test_twilio_mms_with_several_media() -> None:
    form = MultiDict(
        {
            "MessageSid": "MM1",
            "From": "+15551230000",
            "To": "+14155238886",
            "Body": "see",
            "NumMedia": "2",
            "MediaUrl0": "https://api.twilio.com/m/0",
            "MediaContentType0": "image/png",
            "MediaUrl1": "https://api.twilio.com/m/1",
            "MediaContentType1": "application/pdf",
        }
    )
    (item,) = adapters.twilio().parse(request(b"", form))
    assert [(a.kind, a.url, a.mime_type) for a in item.attachments] == [
        ("image", "https://api.twilio.com/m/0", "image/png"),
        ("document", "https://api.twilio.com/m/1", "application/pdf"),
    ]
    assert (item.content_type, item.text) == ("text", "see")


def test_twilio_whatsapp_button_and_location() -> None:
    button = MultiDict(
        {
            "MessageSid": "SM2",
            "From": "whatsapp:+15551230000",
            "Body": "Yes",
            "ButtonText": "Yes",
            "ButtonPayload": "confirm",
            "NumMedia": "0",
        }
    )
    (item,) = adapters.twilio().parse(request(b"", button))
    assert (item.content_type, item.payload, item.text) == ("button", "confirm", "Yes")
    where = MultiDict(
        {
            "MessageSid": "SM3",
            "From": "whatsapp:+15551230000",
            "Body": "",
            "Latitude": "48.85",
            "Longitude": "2.35",
            "Label": "Office",
        }
    )
    (item,) = adapters.twilio().parse(request(b"", where))
    assert item.content_type == "location"
    assert item.attachments[0].data["latitude"] == "48.85"


def test_twilio_failed_status_keeps_the_error() -> None:
    form = MultiDict(
        {
            "MessageSid": "SM4",
            "MessageStatus": "undelivered",
            "To": "+15551230000",
            "ErrorCode": "30003",
            "ErrorMessage": "Unreachable destination handset",
        }
    )
    (item,) = adapters.twilio().parse(request(b"", form))
    assert (item.kind, item.status, item.event_id) == (
        ItemKind.STATUS,
        DeliveryStatus.FAILED,
        "SM4:undelivered",
    )
    assert item.error == "30003 Unreachable destination handset"


def messenger_body(*events, key="messaging") -> bytes:
    return meta_body({"object": "page", "entry": [{"id": "P", "time": 1, key: list(events)}]})


def test_messenger_batch_of_entries_and_events_and_watermark() -> None:
    body = messenger_body(
        {
            "sender": {"id": "U1"},
            "recipient": {"id": "P"},
            "timestamp": 1700000000000,
            "message": {"mid": "m1", "text": "a"},
        },
        {
            "sender": {"id": "U1"},
            "recipient": {"id": "P"},
            "timestamp": 1700000000500,
            "read": {"watermark": 1700000000400},
        },
        {
            "sender": {"id": "U2"},
            "recipient": {"id": "P"},
            "timestamp": 1700000000600,
            "reaction": {"mid": "m0", "action": "react", "emoji": "👍", "reaction": "like"},
        },
    )
    items = adapters.messenger(page_id="P").parse(request(body))
    assert [(i.kind, i.content_type) for i in items] == [
        (ItemKind.MESSAGE, "text"),
        (ItemKind.STATUS, "status"),
        (ItemKind.EVENT, "reaction"),
    ]
    mark = watermark_of(items[1])
    assert mark is not None
    assert mark.timestamp() == 1700000000.4
    assert watermark_of(items[0]) is None
    assert items[2].reply_to == "m0"


def test_messenger_standby_events_are_never_customer_messages() -> None:
    body = messenger_body(
        {
            "sender": {"id": "U1"},
            "recipient": {"id": "P"},
            "timestamp": 1,
            "message": {"mid": "m9", "text": "handled by another app"},
        },
        key="standby",
    )
    (item,) = adapters.messenger(page_id="P").parse(request(body))
    assert (item.kind, item.content_type, item.data["standby_of"]) == (
        ItemKind.EVENT,
        "standby",
        "text",
    )


def telegram_update(**update) -> bytes:
    return json.dumps({"update_id": 5, **update}).encode()


USER = {"id": 42, "is_bot": False, "first_name": "Ada", "last_name": "L", "username": "ada"}
CHAT = {"id": 42, "type": "private", "first_name": "Ada"}


def test_telegram_start_with_deep_link_payload() -> None:
    body = telegram_update(
        message={
            "message_id": 1,
            "date": 1,
            "chat": CHAT,
            "from": USER,
            "text": "/start campaign-42",
        }
    )
    (item,) = adapters.telegram().parse(request(body))
    assert item.payload == "campaign-42"
    assert item.data["command"] == "start"
    assert item.data["referral"] == {"ref": "campaign-42", "source": "deep_link"}
    assert item.profile is not None
    assert (item.profile.name, item.profile.username) == ("Ada L", "ada")


def test_telegram_photo_keeps_the_largest_size_and_caption() -> None:
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 1280},
    ]
    body = telegram_update(
        message={
            "message_id": 2,
            "date": 1,
            "chat": CHAT,
            "from": USER,
            "photo": sizes,
            "caption": "receipt",
        }
    )
    (item,) = adapters.telegram().parse(request(body))
    assert (item.content_type, item.text) == ("image", "receipt")
    assert item.attachments[0].media_id == "large"


def test_telegram_unblock_marks_reachable() -> None:
    bot = {"id": 7, "is_bot": True, "first_name": "Bot"}
    body = telegram_update(
        my_chat_member={
            "chat": CHAT,
            "from": USER,
            "date": 1,
            "old_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
            "new_chat_member": {"user": bot, "status": "member"},
        }
    )
    (item,) = adapters.telegram().parse(request(body))
    assert (item.kind, item.content_type) == (ItemKind.EVENT, "reachable")


def test_whatsapp_unknown_status_is_an_event_not_a_status() -> None:
    body = meta_body(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "metadata": {"phone_number_id": "1122334455667"},
                                "statuses": [
                                    {
                                        "id": "wamid.A",
                                        "status": "deleted",
                                        "timestamp": "1",
                                        "recipient_id": "1",
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    )
    (item,) = adapters.whatsapp().parse(request(body))
    assert (item.kind, item.status, item.event_id) == (ItemKind.EVENT, None, "wamid.A:deleted")
