"""Inbox binding: a signed webhook naming another account is ignored (Meta) or refused
(Twilio), and counted by reason on the adapter."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from channels import binding
from channels.base import ItemKind
from channels.errors import WebhookRejected
from config.inboxes import TwilioInbox, WhatsAppCloudInbox
from tests.channels import adapters
from tests.channels.deliveries import (
    BODY,
    TWILIO_FORM,
    deliveries,
    load,
    meta_body,
    meta_delivery,
    twilio_delivery,
)
from tests.channels.recipients import binding_of

WA_NUMBER = "1122334455667"  # whatsapp_cloud/text.json's metadata.phone_number_id
WABA = "1234567890987654321"  # and its entry id


def wa_request(body: dict[str, Any]):
    return meta_delivery("whatsapp_cloud", meta_body(body)).request()


def test_whatsapp_webhook_for_another_number_is_ignored_and_counted() -> None:
    body = load("whatsapp_cloud/text.json")
    ours = adapters.whatsapp(phone_number_id=WA_NUMBER)
    assert [i.event_id for i in ours.parse(wa_request(body))] == ["wamid.xyzxyz"]
    assert ours.refusals.total == 0
    other = adapters.whatsapp(phone_number_id="999999999999999")
    request = wa_request(body)
    other.verify(request)  # correctly signed: the signature is the app's, not the number's
    assert other.parse(request) == []
    assert other.refusals[binding.WRONG_PHONE_NUMBER_ID] == 1
    assert dict(other.refusals.snapshot()) == {binding.WRONG_PHONE_NUMBER_ID: 1}


def test_whatsapp_batch_keeps_our_entries_and_drops_the_others() -> None:
    (post,) = deliveries("whatsapp_cloud/composed/batch_two_entries_two_contacts.json", BODY)
    adapter = adapters.whatsapp(**binding_of(post))
    items = adapter.parse(post.request())
    assert [i.data["phone_number_id"] for i in items] == [WA_NUMBER]
    assert adapter.refusals[binding.WRONG_PHONE_NUMBER_ID] == 1


def test_whatsapp_messages_without_a_phone_number_id_are_ignored() -> None:
    body = load("whatsapp_cloud/text.json")
    del body["entry"][0]["changes"][0]["value"]["metadata"]
    adapter = adapters.whatsapp()
    assert adapter.parse(wa_request(body)) == []
    assert adapter.refusals[binding.MISSING_RECIPIENT] == 1


def test_whatsapp_waba_id_is_checked_when_configured() -> None:
    body = load("whatsapp_cloud/text.json")
    assert len(adapters.whatsapp(waba_id=WABA).parse(wa_request(body))) == 1
    other = adapters.whatsapp(waba_id="42")
    assert other.parse(wa_request(body)) == []
    assert other.refusals[binding.WRONG_WABA_ID] == 1
    # account-level changes carry no number: kept unless another WABA is named
    template = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": WABA, "changes": [{"field": "message_template_status_update", "value": {}}]}
        ],
    }
    (item,) = adapters.whatsapp().parse(wa_request(template))
    assert item.kind is ItemKind.EVENT
    assert adapters.whatsapp(waba_id="42").parse(wa_request(template)) == []


def test_messenger_entry_for_another_page_is_ignored_and_counted() -> None:
    (post,) = deliveries("messenger/text.json", BODY)
    page = binding_of(post)["page_id"]
    assert len(adapters.messenger(page_id=page).parse(post.request())) == 1
    other = adapters.messenger(page_id="1")
    other.verify(post.request())
    assert other.parse(post.request()) == []
    assert other.refusals[binding.WRONG_PAGE_ID] == 1
    body = load("messenger/text.json")
    del body["entry"][0]["id"]
    assert other.parse(meta_delivery("messenger", meta_body(body)).request()) == []
    assert other.refusals[binding.MISSING_RECIPIENT] == 1


def twilio_post(change: dict[str, str | None], rel: str = "twilio/whatsapp_inbound_text.json"):
    (post,) = deliveries(rel, TWILIO_FORM)
    bound = binding_of(post)
    params: dict[str, str] = {k: v for k, v in post.form.items()} if post.form else {}
    for key, value in change.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return twilio_delivery(params), bound


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"AccountSid": "AC" + "0" * 32}, binding.WRONG_ACCOUNT_SID),
        ({"AccountSid": None}, binding.MISSING_RECIPIENT),
        ({"To": "whatsapp:+15550001111"}, binding.WRONG_NUMBER),
        ({"To": None}, binding.MISSING_RECIPIENT),
    ],
)
def test_twilio_webhook_for_another_account_or_number_is_403(change, reason) -> None:
    post, bound = twilio_post(change)
    adapter = adapters.twilio(**bound)
    adapter.check_signature(post.request())  # correctly signed with the account's token
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify(post.request())
    assert caught.value.status == 403
    assert "\n" not in caught.value.reason
    assert adapter.refusals[reason] == 1


def test_twilio_our_number_matches_with_or_without_the_whatsapp_prefix() -> None:
    post, bound = twilio_post({})
    adapters.twilio(**bound).verify(post.request())
    adapters.twilio(**{**bound, "from_number": "whatsapp:" + bound["from_number"]}).verify(
        post.request()
    )


def test_twilio_status_callback_is_checked_on_its_from_number() -> None:
    (post,) = deliveries("twilio/whatsapp_status_delivered.json", TWILIO_FORM)
    bound = binding_of(post)
    assert bound["from_number"] == "+14155238886"  # From: our number; To: the customer
    adapters.twilio(**bound).verify(post.request())
    with pytest.raises(WebhookRejected):
        adapters.twilio(**{**bound, "from_number": "+886123456789"}).verify(post.request())


def test_twilio_messaging_service_inbox_checks_the_service_sid() -> None:
    service = "MG" + "ab" * 16
    post, bound = twilio_post({"MessagingServiceSid": service})
    adapters.twilio(**{**bound, "from_number": service}).verify(post.request())
    other = adapters.twilio(**{**bound, "from_number": "MG" + "cd" * 16})
    with pytest.raises(WebhookRejected) as caught:
        other.verify(post.request())
    assert caught.value.status == 403
    assert other.refusals[binding.WRONG_MESSAGING_SERVICE] == 1


def test_refusal_counter_snapshot_is_a_read_only_copy() -> None:
    counter = binding.RefusalCounter()
    counter.add("a")
    counter.add("a", 2)
    snap = counter.snapshot()
    counter.add("b")
    assert dict(snap) == {"a": 3}
    assert (counter["a"], counter["b"], counter["zzz"], counter.total) == (3, 1, 0, 4)
    with pytest.raises(TypeError):
        snap["a"] = 0  # type: ignore[index]


# -- config ----------------------------------------------------------------------------


def base_twilio(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": "tw",
        "kind": "twilio",
        "from_number": "+14155238886",
        "secrets": {"account_sid": "TWILIO_SID", "auth_token": "TWILIO_TOKEN"},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "sender", ["+14155238886", "whatsapp:+14155238886", "MG" + "0a" * 16, "sms:+447700900123"]
)
def test_twilio_senders_that_are_accepted(sender: str) -> None:
    assert TwilioInbox.model_validate(base_twilio(from_number=sender)).from_number == sender


@pytest.mark.parametrize("sender", ["14155238886", "+1 415 523 8886", "MG123", "whatsapp:"])
def test_twilio_sender_must_be_a_number_or_service_sid(sender: str) -> None:
    with pytest.raises(ValidationError, match=r"neither an E\.164 number"):
        TwilioInbox.model_validate(base_twilio(from_number=sender))


def test_media_hosts_and_account_ids_are_validated() -> None:
    wa: dict[str, Any] = {
        "slug": "wa",
        "kind": "whatsapp_cloud",
        "phone_number_id": WA_NUMBER,
        "secrets": {"app_secret": "A", "access_token": "B", "verify_token": "C"},
    }
    inbox = WhatsAppCloudInbox.model_validate(
        {**wa, "waba_id": WABA, "media_hosts": ["cdn.example.com", "*.example.org"]}
    )
    assert inbox.waba_id == WABA
    for bad in ("https://cdn.example.com", "cdn.example.com:443", "CDN.example.com", "*"):
        with pytest.raises(ValidationError, match="is not a host name"):
            WhatsAppCloudInbox.model_validate({**wa, "media_hosts": [bad]})
    with pytest.raises(ValidationError):
        WhatsAppCloudInbox.model_validate({**wa, "phone_number_id": "11 22"})
    with pytest.raises(ValidationError):
        WhatsAppCloudInbox.model_validate({**wa, "waba_id": ""})
    assert copy.deepcopy(inbox) == inbox
