"""Input limits before work: signature first, bounded JSON, clean strings, sane timestamps,
items of the wrong type kept as failed items, never an exception the web layer maps to 500."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from multidict import CIMultiDict
from twilio.request_validator import RequestValidator

from channels import binding
from channels.base import InboundItem, ItemKind, WebhookRequest, utc_from_timestamp
from channels.errors import PayloadInvalid, PayloadLimitExceeded, WebhookRejected
from channels.screen import UNPARSEABLE
from channels.wire import MAX_DEPTH, REPLACEMENT, clean_text, load_json
from tests.channels import adapters
from tests.channels.deliveries import (
    META_APP_SECRET,
    TELEGRAM_SECRET,
    TWILIO_AUTH_TOKEN,
    load,
    meta_body,
    meta_delivery,
    meta_signature,
    telegram_delivery,
)

JSON_KINDS = ["whatsapp_cloud", "messenger", "telegram", "api"]


def api_adapter() -> Any:
    from channels.api import ApiAdapter
    from channels.base import AdapterServices
    from config.inboxes import ApiInbox

    inbox = ApiInbox.model_validate(
        {"slug": "api", "kind": "api", "secrets": {"signing_secret": "API_SECRET"}}
    )
    return ApiAdapter(inbox, {"signing_secret": META_APP_SECRET}, AdapterServices(http=None))


def adapter_of(kind: str) -> Any:
    return api_adapter() if kind == "api" else adapters.FACTORIES[kind]()


def signed(kind: str, body: bytes) -> WebhookRequest:
    """``body`` as the provider would sign it for ``kind``."""
    if kind == "telegram":
        return telegram_delivery(body).request()
    headers = CIMultiDict({"X-Hub-Signature-256": meta_signature(body)})
    return WebhookRequest("POST", "https://hub.example/webhooks/x", headers, {}, body)


# -- the signature comes first ------------------------------------------------------------

GARBAGE = [b"\xff\xfe\x00garbage", b"Body=%ff%fe&From=\xc3\x28", b"[" * 100_000, b""]


@pytest.mark.parametrize("kind", ["whatsapp_cloud", "messenger", "telegram", "api", "twilio"])
@pytest.mark.parametrize("body", GARBAGE, ids=["binary", "bad-utf8-form", "deep", "empty"])
def test_unsigned_bodies_of_any_bytes_are_refused_by_verify(kind: str, body: bytes) -> None:
    adapter = api_adapter() if kind == "api" else adapters.FACTORIES[kind]()
    headers = CIMultiDict({"Content-Type": "application/x-www-form-urlencoded"})
    request = WebhookRequest(
        "POST", "https://example.com/twilio/webhook", headers, {}, body, headers["Content-Type"]
    )
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify(request)
    assert caught.value.status in (401, 403)


def test_a_forged_twilio_signature_over_invalid_utf8_is_401_not_an_error() -> None:
    body = b"MessageSid=SM1&Body=\xc3\x28&AccountSid=AC_TEST"
    headers = CIMultiDict({"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    request = WebhookRequest("POST", "https://example.com/twilio/webhook", headers, {}, body)
    with pytest.raises(WebhookRejected) as caught:
        adapters.twilio().verify(request)
    assert caught.value.status == 401


def test_a_signed_twilio_body_that_is_not_utf8_is_a_400_after_verify() -> None:
    url = "https://example.com/twilio/webhook"
    body = b"MessageSid=SM1&Body=\xc3\x28&AccountSid=AC_TEST&To=%2B14155238886&From=%2B1555"
    params = dict(p.split("=", 1) for p in body.decode("utf-8", "replace").split("&"))
    params = {k: v.replace("%2B", "+") for k, v in params.items()}
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, params)
    request = WebhookRequest("POST", url, CIMultiDict({"X-Twilio-Signature": signature}), {}, body)
    adapter = adapters.twilio()
    adapter.verify(request)
    with pytest.raises(PayloadInvalid, match="not UTF-8"):
        adapter.parse(request)


# -- Twilio: the URL exactly as HUB_PUBLIC_URL says --------------------------------------


def twilio_request_for(url: str, signed_url: str) -> WebhookRequest:
    params = {
        "MessageSid": "SM1",
        "AccountSid": adapters.TWILIO_SID,
        "From": "+15551230000",
        "To": "+14155238886",
        "Body": "hi",
    }
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(signed_url, params)
    return WebhookRequest(
        "POST",
        url,
        CIMultiDict({"X-Twilio-Signature": signature}),
        {},
        "&".join(f"{k}={quote(v)}" for k, v in params.items()).encode(),
    )


PUBLIC = "https://hub.example:8443/webhooks/tw?x=1"


@pytest.mark.parametrize(
    "signed_url",
    [
        "https://hub.example/webhooks/tw?x=1",  # the port left out
        "https://hub.example:443/webhooks/tw?x=1",
        "http://hub.example:8443/webhooks/tw?x=1",
        "https://other.example:8443/webhooks/tw?x=1",
        "https://hub.example:8443/webhooks/tw",
        "https://hub.example:8443/webhooks/tw?x=2",
        "https://hub.example:8443/webhooks/tx?x=1",
    ],
)
def test_twilio_signature_over_another_url_is_rejected(signed_url: str) -> None:
    adapter = adapters.twilio()
    adapter.verify(twilio_request_for(PUBLIC, PUBLIC))
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify(twilio_request_for(PUBLIC, signed_url))
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("public", "signed_url"),
    [
        ("https://hub.example/webhooks/tw", "https://hub.example:443/webhooks/tw"),
        ("https://hub.example:443/webhooks/tw", "https://hub.example/webhooks/tw"),
        ("http://hub.example/webhooks/tw", "http://hub.example:80/webhooks/tw"),
    ],
)
def test_twilio_default_port_twin_is_the_same_endpoint(public: str, signed_url: str) -> None:
    adapters.twilio().verify(twilio_request_for(public, signed_url))


# -- bounded JSON --------------------------------------------------------------------------


def nested(depth: int) -> bytes:
    return b'{"object":"page","entry":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize("kind", JSON_KINDS)
@pytest.mark.parametrize(
    "body",
    [
        nested(MAX_DEPTH + 1),
        nested(5_000),
        nested(200_000),
        b'{"update_id": ' + b"9" * 5000 + b"}",
        b'{"update_id": ' + b"1" * 21 + b"}",
        b'{"update_id": -' + b"1" * 21 + b', "text": "x"}',
        b'{"a": "' + b"1" * 30 + b'", "update_id": NaN}',
        b'{"update_id": Infinity}',
        b'{"update_id": -Infinity}',
        b'{"update_id": 1e400}',
        b'{"a": "\\ud800", "b": 1e999}',
    ],
    ids=[
        "depth-65",
        "depth-5000",
        "depth-200000",
        "int-5000-digits",
        "int-21-digits",
        "negative-int-21-digits",
        "nan",
        "infinity",
        "minus-infinity",
        "1e400",
        "surrogate-and-overflow",
    ],
)
def test_hostile_json_is_a_400_with_a_one_line_reason(kind: str, body: bytes) -> None:
    adapter = adapter_of(kind)
    request = signed(kind, body)
    adapter.verify(request)
    with pytest.raises(PayloadInvalid) as caught:  # the web layer's 400
        adapter.parse(request)
    assert caught.value.reason
    assert "\n" not in caught.value.reason
    if b"Infinity" not in body:  # a bare Infinity is not JSON at all: "malformed JSON"
        assert isinstance(caught.value, PayloadLimitExceeded)


def test_limits_leave_ordinary_values_alone() -> None:
    data = load_json(
        b'{"a": 18446744073709551615, "b": -9223372036854775808, "c": 1e20, "d": 0.5,'
        b' "e": "'
        + b"1" * 40
        + b'", "f": '
        + b"[" * (MAX_DEPTH - 1)
        + b"]" * (MAX_DEPTH - 1)
        + b"}"
    )
    assert data["a"] == 2**64 - 1
    assert data["b"] == -(2**63)
    assert data["c"] == 1e20
    assert data["e"] == "1" * 40


# -- NUL and lone surrogates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("plain", "plain"),
        ("a\x00b", f"a{REPLACEMENT}b"),
        ("caf\u00e9\x00", f"caf\u00e9{REPLACEMENT}"),
        ("half \ud83d emoji", f"half {REPLACEMENT} emoji"),
        ("\ud83d\ude00", "\U0001f600"),  # a pair split in two code points joins up
        ("\udc00\ud800", REPLACEMENT * 2),
    ],
)
def test_clean_text(raw: str, want: str) -> None:
    assert clean_text(raw) == want
    clean_text(want).encode("utf-8")  # always encodable


def wa_text(body: Any, message_id: str = "wamid.A", sender: str = "15551234567") -> bytes:
    data = load("whatsapp_cloud/text.json")
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(id=message_id, text={"body": body}, **{"from": sender})
    return json.dumps(data).encode()  # json escapes NUL and lone surrogates as \\uXXXX


def test_nul_and_lone_surrogates_become_replacement_characters_everywhere() -> None:
    body = wa_text("hi\x00 \ud83d there", message_id="wamid.\x00X", sender="1555\x00")
    assert b"\\u0000" in body
    assert b"\\ud83d" in body
    (item,) = adapters.whatsapp().parse(signed("whatsapp_cloud", body))
    assert item.text == f"hi{REPLACEMENT} {REPLACEMENT} there"
    assert item.event_id == f"wamid.{REPLACEMENT}X"
    assert item.source_id == f"1555{REPLACEMENT}"
    stored = item.to_json()
    assert "\\u0000" not in stored
    assert "\x00" not in stored
    assert InboundItem.from_json(stored) == item  # what is stored reads back


def test_twilio_nul_in_a_form_value_is_replaced() -> None:
    request = WebhookRequest(
        "POST",
        "u",
        {},
        {},
        b"MessageSid=SM1&From=%2B15551230000&Body=a%00b%ED%A0%80",
        "application/x-www-form-urlencoded",
    )
    (item,) = adapters.twilio().parse(request)
    assert item.text == f"a{REPLACEMENT}b" + REPLACEMENT * 3


def test_telegram_nul_in_text_is_replaced() -> None:
    update = load("telegram/text.json")
    update["message"]["text"] = "x\x00y"
    (item,) = adapters.telegram().parse(signed("telegram", json.dumps(update).encode()))
    assert item.text == f"x{REPLACEMENT}y"


# -- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["inf", "-inf", "nan", "Infinity", 1e20, -5, "1e20", 4102444800, 10**30, [1], {}]
)
def test_absurd_timestamps_give_none(value: object) -> None:
    assert utc_from_timestamp(value) is None


def test_sane_timestamps_still_parse() -> None:
    assert utc_from_timestamp("1697043223").year == 2023  # type: ignore[union-attr]
    assert utc_from_timestamp(1458692752478).year == 2016  # type: ignore[union-attr]  # ms


@pytest.mark.parametrize("stamp", ["inf", 1e20, "1e20", "NaN"])
def test_whatsapp_absurd_timestamp_is_kept_without_a_time(stamp: object) -> None:
    data = load("whatsapp_cloud/text.json")
    data["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = stamp
    (item,) = adapters.whatsapp().parse(signed("whatsapp_cloud", json.dumps(data).encode()))
    assert (item.kind, item.occurred_at) == (ItemKind.MESSAGE, None)


@pytest.mark.parametrize("date", [1e20, -1e20, "inf", 10**19])
def test_telegram_absurd_date_is_a_failed_item_not_an_error(date: object) -> None:
    update = load("telegram/text.json")
    update["message"]["date"] = date
    adapter = adapters.telegram()
    (item,) = adapter.parse(signed("telegram", json.dumps(update).encode()))
    assert item.content_type in ("text", UNPARSEABLE)
    assert item.occurred_at is None or item.occurred_at.year < 2100


# -- items of the wrong type ----------------------------------------------------------------


@pytest.mark.parametrize("body", [["a", "b"], {"x": 1}, 42, True])
def test_whatsapp_text_body_of_the_wrong_type_is_a_failed_item(body: object) -> None:
    data = json.loads(wa_text(body))
    good = json.loads(wa_text("fine", message_id="wamid.B"))["entry"][0]["changes"][0]
    data["entry"][0]["changes"][0]["value"]["messages"] += good["value"]["messages"]
    adapter = adapters.whatsapp()
    bad, neighbour = adapter.parse(signed("whatsapp_cloud", json.dumps(data).encode()))
    assert (bad.kind, bad.content_type, bad.event_id) == (ItemKind.EVENT, UNPARSEABLE, "wamid.A")
    assert bad.error is not None
    assert "'text'" in bad.error
    assert "\n" not in bad.error
    assert bad.source_id == "15551234567"  # its lane; processing marks it failed at once
    assert (neighbour.kind, neighbour.text) == (ItemKind.MESSAGE, "fine")
    assert adapter.refusals[binding.INVALID_ITEM] == 1
    assert InboundItem.from_json(bad.to_json()) == bad


@pytest.mark.parametrize("text", [5, 1.5, ["hi"], {"a": 1}, True])
def test_telegram_text_of_the_wrong_type_is_a_failed_item(text: object) -> None:
    update = load("telegram/text.json")
    update["message"]["text"] = text
    adapter = adapters.telegram()
    (item,) = adapter.parse(signed("telegram", json.dumps(update).encode()))
    assert (item.kind, item.content_type) == (ItemKind.EVENT, UNPARSEABLE)
    assert item.error
    assert "\n" not in item.error
    assert adapter.refusals[binding.INVALID_ITEM] == 1


def test_messenger_text_of_the_wrong_type_is_a_failed_item() -> None:
    body = load("messenger/text.json")
    body["entry"][0]["messaging"][0]["message"]["text"] = {"nested": True}
    page = str(body["entry"][0]["id"])
    post = meta_delivery("messenger", meta_body(body))
    (item,) = adapters.messenger(page_id=page).parse(post.request())
    assert (item.kind, item.content_type) == (ItemKind.EVENT, UNPARSEABLE)


def test_an_item_without_any_id_gets_a_digest_key() -> None:
    data = json.loads(wa_text("x"))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["id"]
    message["text"] = {"body": ["bad"]}
    (item,) = adapters.whatsapp().parse(signed("whatsapp_cloud", json.dumps(data).encode()))
    assert item.event_id.startswith(f"{UNPARSEABLE}:")
    again = adapters.whatsapp().parse(signed("whatsapp_cloud", json.dumps(data).encode()))
    assert again[0].event_id == item.event_id  # a redelivery is still a duplicate


def test_api_sender_id_over_255_characters_is_refused() -> None:
    body = orjson.dumps({"id": "m1", "sender": {"id": "x" * 256}, "text": "hi"})
    with pytest.raises(PayloadInvalid, match="255"):
        api_adapter().parse(signed("api", body))


def test_signed_deep_telegram_update_is_400_not_a_recursion_error() -> None:
    body = b'{"update_id": 1, "message": ' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"}"
    request = telegram_delivery(body).request()
    adapters.telegram(secret=TELEGRAM_SECRET).verify(request)
    with pytest.raises(PayloadLimitExceeded):
        adapters.telegram().parse(request)


def test_a_sender_id_too_long_to_store_is_a_failed_item() -> None:
    (item,) = adapters.whatsapp().parse(signed("whatsapp_cloud", wa_text("hi", sender="1" * 300)))
    assert (item.kind, item.content_type, item.source_id) == (ItemKind.EVENT, UNPARSEABLE, "")
    assert item.error == "the sender id is longer than 255 characters"
