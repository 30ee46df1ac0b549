"""Bad input at the adapter level: forged or missing signatures, wrong tokens, bad bodies."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import pytest
from multidict import CIMultiDict, MultiDict
from twilio.request_validator import RequestValidator

from channels.base import ItemKind, WebhookRequest
from channels.errors import PayloadInvalid, WebhookRejected
from tests.channels import adapters
from tests.channels.deliveries import (
    BODY,
    META_VERIFY_TOKEN,
    RAW,
    TWILIO_FORM,
    TWILIO_URL,
    deliveries,
    load,
    meta_body,
    meta_delivery,
)
from tests.channels.recipients import binding_of

SIGNED = "whatsapp_cloud/signed_text.json"


def meta_adapters():
    return [adapters.whatsapp(), adapters.messenger()]


def signed_text():
    (post,) = deliveries(SIGNED, RAW)
    return post, adapters.whatsapp(secret=post.secret)


def test_real_meta_signature_is_accepted() -> None:
    post, adapter = signed_text()
    adapter.verify(post.request())


def test_missing_signature_is_401() -> None:
    post, adapter = signed_text()
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify(post.request(headers={"Content-Type": "application/json"}))
    assert caught.value.status == 401


def test_one_flipped_byte_is_rejected() -> None:
    post, adapter = signed_text()
    body = post.body.replace(b"Hey there", b"Hey thera")
    with pytest.raises(WebhookRejected, match="does not match"):
        adapter.verify(post.request(body=body))


@pytest.mark.parametrize(
    "reserialise",
    [
        lambda obj: json.dumps(obj).encode(),  # spaces after separators
        lambda obj: json.dumps(obj, indent=2).encode(),  # the pretty-printed fixture style
        lambda obj: json.dumps(obj, separators=(",", ":"), sort_keys=True).encode(),
    ],
)
def test_signature_over_reserialised_json_is_rejected(reserialise) -> None:
    post, adapter = signed_text()
    body = reserialise(json.loads(post.body))
    assert body != post.body
    with pytest.raises(WebhookRejected):
        adapter.verify(post.request(body=body))


def test_non_ascii_must_stay_escaped_as_meta_sent_it() -> None:
    """Meta signs ``\\u00e9``; decoding it to UTF-8 before verifying breaks the signature."""
    post = meta_delivery(
        "whatsapp_cloud", meta_body({"object": "whatsapp_business_account", "entry": [], "x": "é"})
    )
    adapter = adapters.whatsapp()
    adapter.verify(post.request())
    utf8 = json.dumps(json.loads(post.body), ensure_ascii=False, separators=(",", ":")).encode()
    with pytest.raises(WebhookRejected):
        adapter.verify(post.request(body=utf8))


@pytest.mark.parametrize("adapter", meta_adapters(), ids=["whatsapp_cloud", "messenger"])
def test_wrong_app_secret_and_malformed_headers_are_rejected(adapter) -> None:
    body = meta_body({"object": "page", "entry": []})
    forged = meta_delivery(adapter.kind, body, secret="not-the-secret")
    with pytest.raises(WebhookRejected):
        adapter.verify(forged.request())
    for value in ("", "sha256=", "md5=abc", forged.headers["X-Hub-Signature-256"][7:]):
        with pytest.raises(WebhookRejected):
            adapter.verify(forged.request(headers={"X-Hub-Signature-256": value}))


def test_legacy_sha1_header_alone_is_not_accepted() -> None:
    """The bottender vectors are valid X-Hub-Signature (sha1); we require the sha256 header."""
    data = load("messenger/signature_vector_sha1_bottender.json")
    adapter = adapters.messenger(secret=data["app_secret"])
    for vector in data["vectors"]:
        request = WebhookRequest(
            "POST", "u", CIMultiDict(vector["headers"]), {}, vector["raw_body"].encode()
        )
        with pytest.raises(WebhookRejected, match="missing"):
            adapter.verify(request)


def handshake_request(**query: str) -> WebhookRequest:
    return WebhookRequest("GET", "https://hub.example/webhooks/x", {}, query, b"")


@pytest.mark.parametrize("adapter", meta_adapters(), ids=["whatsapp_cloud", "messenger"])
def test_handshake_echoes_the_challenge(adapter) -> None:
    response = adapter.handshake(
        handshake_request(
            **{
                "hub.mode": "subscribe",
                "hub.verify_token": META_VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            }
        )
    )
    assert (response.status, response.body) == (200, "1158201444")
    assert response.content_type == "text/plain"


@pytest.mark.parametrize("adapter", meta_adapters(), ids=["whatsapp_cloud", "messenger"])
@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1"},
        {
            "hub.mode": "subscribe",
            "hub.verify_token": META_VERIFY_TOKEN + "x",
            "hub.challenge": "1",
        },
    ],
)
def test_handshake_with_wrong_token_or_mode_is_403(adapter, query) -> None:
    with pytest.raises(WebhookRejected) as caught:
        adapter.handshake(handshake_request(**query))
    assert caught.value.status == 403


@pytest.mark.parametrize(
    ("adapter", "body", "reason"),
    [
        (
            adapters.whatsapp(),
            b'{"object": "whatsapp_business_account", "entry": [',
            "malformed JSON",
        ),
        (adapters.whatsapp(), b"\xff\xfe", "malformed JSON"),
        (adapters.whatsapp(), b"[1, 2]", "must be a JSON object"),
        (adapters.whatsapp(), b'{"object": "page", "entry": []}', "expected"),
        (adapters.whatsapp(), b'{"object": "whatsapp_business_account"}', "entry"),
        (adapters.messenger(), b"{not json", "malformed JSON"),
        (adapters.messenger(), b'{"object": "whatsapp_business_account", "entry": []}', "expected"),
        (adapters.telegram(), b"{", "malformed JSON"),
        (adapters.telegram(), b'"update"', "must be a JSON object"),
    ],
    ids=lambda v: getattr(v, "kind", None) if not isinstance(v, bytes | str) else None,
)
def test_malformed_json_is_payload_invalid(adapter, body, reason) -> None:
    request = WebhookRequest("POST", "u", {}, {}, body)
    with pytest.raises(PayloadInvalid, match=reason):
        adapter.parse(request)


def test_whatsapp_unknown_new_type_is_kept_not_refused() -> None:
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
                                "messages": [
                                    {
                                        "from": "16505551234",
                                        "id": "wamid.NEW",
                                        "timestamp": "1",
                                        "type": "poll_vote",
                                        "poll_vote": {"option": 2},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    )
    (item,) = adapters.whatsapp().parse(WebhookRequest("POST", "u", {}, {}, body))
    assert (item.kind, item.content_type, item.event_id) == (
        ItemKind.MESSAGE,
        "unsupported",
        "wamid.NEW",
    )
    assert item.data["type"] == "poll_vote"
    assert item.data["unsupported"] == {"option": 2}


def test_whatsapp_other_fields_become_events() -> None:
    body = meta_body(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "W",
                    "time": 5,
                    "changes": [
                        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
                    ],
                }
            ],
        }
    )
    (item,) = adapters.whatsapp().parse(WebhookRequest("POST", "u", {}, {}, body))
    assert (item.kind, item.content_type) == (ItemKind.EVENT, "message_template_status_update")


# -- telegram ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given", [None, "", "wrong", "test-telegram-secre", "test-telegram-secret "]
)
def test_telegram_secret_token_mismatch_is_403(given) -> None:
    (post,) = deliveries("telegram/text.json", BODY)
    headers = {"Content-Type": "application/json"}
    if given is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = given
    with pytest.raises(WebhookRejected) as caught:
        adapters.telegram().verify(post.request(headers=headers))
    assert caught.value.status == 403


def test_telegram_secret_header_name_is_case_insensitive() -> None:
    (post,) = deliveries("telegram/text.json", BODY)
    headers = {"x-telegram-bot-api-secret-token": post.secret}
    adapters.telegram().verify(post.request(headers=headers))


@pytest.mark.parametrize("name", ["official_text", "official_voice", "official_inline_query"])
def test_telegram_unparseable_update_is_one_failed_event(name) -> None:
    (post,) = deliveries(f"telegram/{name}.json", BODY)
    items = adapters.telegram().parse(post.request())
    assert [(i.kind, i.content_type) for i in items] == [(ItemKind.EVENT, "unparseable")]
    assert "is_bot" in (items[0].error or "")
    # Telegram's examples all say update_id 10000: the key is the body, not the id.
    assert items[0].event_id != "10000"


# -- twilio ------------------------------------------------------------------------------------

VECTORS = load("twilio/signature_vector_twilio_python.json")


def twilio_request(url: str, params, signature: str, body: bytes = b"") -> WebhookRequest:
    return WebhookRequest(
        "POST",
        url,
        CIMultiDict({"X-Twilio-Signature": signature}),
        {},
        body,
        "application/x-www-form-urlencoded",
        params,
    )


def test_twilio_python_vectors_validate() -> None:
    adapter = adapters.twilio(secret=VECTORS["auth_token"])
    adapter.check_signature(
        twilio_request(VECTORS["url"], VECTORS["params"], VECTORS["X-Twilio-Signature"])
    )
    # the vectors are voice webhooks: signed, but naming no account of ours
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify(
            twilio_request(VECTORS["url"], VECTORS["params"], VECTORS["X-Twilio-Signature"])
        )
    assert caught.value.status == 403


def test_twilio_port_variants_validate_only_for_the_same_endpoint() -> None:
    """twilio-python accepts a signature made over the URL without its port; we accept only
    the URL itself and its default-port twin (``:443`` on https, ``:80`` on http)."""
    adapter = adapters.twilio(secret=VECTORS["auth_token"])
    validator = RequestValidator(VECTORS["auth_token"])
    params = VECTORS["params"]
    rejected = 0
    for variant in VECTORS["port_variants"]:
        url, given = variant["url"], variant["X-Twilio-Signature"]
        parts = urlsplit(url)
        default = {"https": 443, "http": 80}[parts.scheme]
        same_endpoint = {validator.compute_signature(url, params)}
        if parts.port is None:
            twin = url.replace(parts.netloc, f"{parts.hostname}:{default}", 1)
            same_endpoint.add(validator.compute_signature(twin, params))
        request = twilio_request(url, params, given)
        if given in same_endpoint:
            adapter.check_signature(request)
            continue
        without_port = url.replace(parts.netloc, str(parts.hostname), 1)
        assert given == validator.compute_signature(without_port, params)
        with pytest.raises(WebhookRejected) as caught:
            adapter.check_signature(request)
        assert caught.value.status == 401
        rejected += 1
    assert rejected == 1  # https://mycompany.com:1234 signed as https://mycompany.com


def test_twilio_duplicate_keys_vector_needs_every_value() -> None:
    vector = VECTORS["duplicate_params_vector"]
    adapter = adapters.twilio(secret=VECTORS["auth_token"])
    from urllib.parse import parse_qsl

    form = MultiDict(parse_qsl(vector["raw_body"]))
    adapter.check_signature(twilio_request(VECTORS["url"], form, vector["X-Twilio-Signature"]))
    # From the raw body the adapter decodes the form itself, repeated keys included.
    adapter.check_signature(
        twilio_request(
            VECTORS["url"], None, vector["X-Twilio-Signature"], vector["raw_body"].encode()
        )
    )
    with pytest.raises(WebhookRejected):
        adapter.check_signature(
            twilio_request(VECTORS["url"], dict(form), vector["X-Twilio-Signature"])
        )


def test_twilio_json_body_vector_checks_the_body_hash() -> None:
    vector = VECTORS["json_body_vector"]
    adapter = adapters.twilio(secret=VECTORS["auth_token"])
    body = vector["raw_body"].encode()
    adapter.verify(twilio_request(vector["url"], None, vector["X-Twilio-Signature"], body))
    with pytest.raises(WebhookRejected):
        adapter.check_signature(
            twilio_request(
                vector["url"], None, vector["X-Twilio-Signature"], body.replace(b"value", b"valuf")
            )
        )


@pytest.mark.parametrize(
    "url",
    [
        TWILIO_URL.replace("https://", "http://"),  # what aiohttp sees behind a TLS proxy
        TWILIO_URL.replace("example.com", "127.0.0.1:8080"),
        TWILIO_URL + "?x=1",
        TWILIO_URL.rstrip("k"),
    ],
)
def test_twilio_url_other_than_the_public_one_is_rejected(url) -> None:
    (post,) = deliveries("twilio/whatsapp_inbound_text.json", TWILIO_FORM)
    adapter = adapters.twilio(**binding_of(post))
    adapter.verify(post.request())
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify(post.request(url=url))
    assert caught.value.status == 401


def test_twilio_tampered_or_missing_signature_is_rejected() -> None:
    (post,) = deliveries("twilio/sms_inbound_text_multiline.json", TWILIO_FORM)
    adapter = adapters.twilio(**binding_of(post))
    adapter.verify(post.request())
    tampered = MultiDict(post.form)
    tampered["Body"] = "Send me money"
    with pytest.raises(WebhookRejected):
        adapter.verify(post.request(body=urlencode(tampered).encode()))
    with pytest.raises(WebhookRejected):  # the hub's decoded form counts only without a body
        adapter.verify(post.request(body=b"", form=tampered))
    with pytest.raises(WebhookRejected, match="missing"):
        adapter.verify(post.request(headers={}))
    with pytest.raises(WebhookRejected):
        adapters.twilio(secret="other-token", **binding_of(post)).verify(post.request())


def test_twilio_form_without_message_sid_is_payload_invalid() -> None:
    request = WebhookRequest(
        "POST", TWILIO_URL, {}, {}, b"Body=hi&From=%2B1555", "application/x-www-form-urlencoded"
    )
    with pytest.raises(PayloadInvalid, match="MessageSid"):
        adapters.twilio().parse(request)


def test_twilio_acknowledgement_is_empty_twiml() -> None:
    response = adapters.twilio().acknowledgement([])
    assert (response.status, response.body, response.content_type) == (
        200,
        "<Response/>",
        "text/xml",
    )
