"""What every fixture under ``shared/fixtures/providers/`` must become, keyed by file.

A new fixture file is covered by adding a row here; ``test_every_fixture_has_an_expectation``
fails until it is. Hub-level tests reuse :data:`CASES` with :func:`deliveries` to POST the same
bodies through the real endpoint and compare the stored rows.

``Item`` fields left as ``ANY`` are not checked; ``event_id`` is an ``fnmatch`` pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from tests.channels.deliveries import (
    BODY,
    CHANGE,
    DELIVERIES,
    ENTRY,
    MESSAGING_EVENT,
    RAW,
    TWILIO_FORM,
    VECTOR,
)


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY: Final[Any] = _Any()

MESSAGE, STATUS, EVENT = "message", "status", "event"


@dataclass(frozen=True)
class Item:
    kind: str
    content_type: str
    event_id: str
    source_id: str
    text: Any = None
    payload: Any = None
    status: Any = None
    message_id: Any = ANY
    reply_to: Any = ANY
    name: Any = ANY  #: profile name
    phone: Any = ANY  #: profile phone (E.164)
    attachments: Any = ANY  #: tuple of attachment kinds
    error: Any = None
    data: Any = ANY  #: dict of keys that must be present with these values


@dataclass(frozen=True)
class Case:
    shape: str
    deliveries: tuple[tuple[Item, ...], ...]  #: items expected from each POST, in order
    note: str = ""


def one(*items: Item, shape: str = BODY, note: str = "") -> Case:
    return Case(shape, (items,), note)


def repeated(times: int, *items: Item, note: str = "") -> Case:
    return Case(DELIVERIES, (items,) * times, note)


# -- whatsapp_cloud ----------------------------------------------------------------------------

WA = "972987654321"
WA_PHONE = "+972987654321"
WA_NAME = "Test Name"


def wa_msg(content_type: str, text: Any = None, **kw: Any) -> Item:
    fields: dict[str, Any] = {"name": WA_NAME, "phone": WA_PHONE, "event_id": "wamid.xyzxyz"}
    fields.update(kw)
    return Item(MESSAGE, content_type, source_id=WA, text=text, **fields)


def wa_status(status: str, **kw: Any) -> Item:
    return Item(
        STATUS,
        "status",
        f"wamid.xyzxyz:{status}",
        WA,
        status=status,
        message_id="wamid.xyzxyz",
        **kw,
    )


WA_SECOND = Item(
    MESSAGE,
    "text",
    "wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==",
    "1111111111111",
    "hi everyone!",
    name="Mauricio Binda",
    phone=None,
)  # 1111111111111 is not a possible number: no E.164, no merge

WHATSAPP: dict[str, Case] = {
    "whatsapp_cloud/text.json": one(wa_msg("text", "Body Text", reply_to=None)),
    "whatsapp_cloud/image.json": one(
        wa_msg("image", attachments=("image",), data={"type": "image"})
    ),
    "whatsapp_cloud/image_with_url.json": one(wa_msg("image", attachments=("image",))),
    "whatsapp_cloud/video.json": one(
        wa_msg("video", "caption", attachments=("video",), data={"forwarded": True})
    ),
    "whatsapp_cloud/document.json": one(wa_msg("document", "caption", attachments=("document",))),
    "whatsapp_cloud/audio.json": one(wa_msg("audio", attachments=("audio",))),
    "whatsapp_cloud/voice.json": one(wa_msg("voice", attachments=("voice",))),
    "whatsapp_cloud/sticker.json": one(wa_msg("sticker", attachments=("sticker",))),
    "whatsapp_cloud/location.json": one(
        wa_msg("location", "Facebook HQ", attachments=("location",))
    ),
    "whatsapp_cloud/contacts.json": one(
        wa_msg("contacts", attachments=("contacts", "contacts", "contacts"))
    ),
    "whatsapp_cloud/reaction.json": one(
        Item(EVENT, "reaction", "wamid.xyzxyz", WA, "😮", reply_to="wamid.yzxyzx=")
    ),
    "whatsapp_cloud/reply_text.json": one(
        wa_msg("text", "replied text", reply_to="wamid.xyzxyz==")
    ),
    "whatsapp_cloud/referral_ad.json": one(
        wa_msg("text", "BODY", event_id="wamid.ID", data={"referral": ANY})
    ),
    "whatsapp_cloud/unsupported.json": one(
        wa_msg(
            "unsupported",
            error="131051 Message type unknown: Message type is currently not supported.",
        )
    ),
    "whatsapp_cloud/unsupported_with_type.json": one(
        wa_msg("unsupported", error=ANY, data={"unsupported": {"type": "pool"}})
    ),
    "whatsapp_cloud/interactive_without_payload.json": one(
        wa_msg(
            "unsupported",
            event_id="wamid.wegrchytvwcggt=",
            error="131000 Something went wrong: Unsupported webhook payload",
        ),
        note="type interactive without its object: kept, never a crash",
    ),
    "whatsapp_cloud/interactive_button_reply.json": one(
        wa_msg("button", "title", payload="callback_data", data={"reply_type": "button_reply"})
    ),
    "whatsapp_cloud/interactive_list_reply.json": one(
        wa_msg(
            "button",
            "title",
            payload="callback_data",
            event_id="wamid.zyzxyz",
            data={"reply_type": "list_reply", "description": "description"},
        )
    ),
    "whatsapp_cloud/button_template_quick_reply.json": one(
        wa_msg(
            "button",
            "title",
            payload="callback_data",
            event_id="wamid.xsidjw",
            data={"reply_type": "template_quick_reply"},
        )
    ),
    "whatsapp_cloud/edit_image.json": one(
        Item(
            EVENT,
            "edit",
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
            "16505551234",
            "Updated image caption",
            attachments=("image",),
            reply_to="wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=",
            phone="+16505551234",
            name=None,
        )
    ),
    "whatsapp_cloud/revoke.json": one(
        Item(
            EVENT,
            "revoke",
            "<WHATSAPP_MESSAGE_ID>",
            "<WHATSAPP_USER_PHONE_NUMBER>",
            reply_to="<ORIGINAL_WHATSAPP_MESSAGE_ID>",
        )
    ),
    "whatsapp_cloud/status_sent.json": one(wa_status("sent", data={"pricing": ANY})),
    "whatsapp_cloud/status_delivered.json": one(wa_status("delivered")),
    "whatsapp_cloud/status_read.json": one(wa_status("read")),
    "whatsapp_cloud/status_failed.json": one(
        wa_status(
            "failed",
            error="130472 User's number is part of an experiment: Failed to send message "
            "because this user's phone number is part of an experiment",
            data={"error_code": 130472, "error_title": "User's number is part of an experiment"},
        )
    ),
    "whatsapp_cloud/text_second_contact.json": one(WA_SECOND),
    "whatsapp_cloud/signed_text.json": one(
        Item(
            MESSAGE,
            "text",
            "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA",
            "972544401243",
            "Hey there! I am using PyWa.",
            name="PyWa Tests",
            phone="+972544401243",
        ),
        shape=RAW,
        note="real Meta signature over the exact raw bytes (signed_text.body.raw)",
    ),
    "whatsapp_cloud/composed/batch_two_messages_one_change.json": one(
        wa_msg("text", "Body Text"),
        Item(EVENT, "reaction", "wamid.xyzxyz", WA, "😮"),
        note="both items carry wamid.xyzxyz in the composed source: the hub keeps the first",
    ),
    "whatsapp_cloud/composed/batch_two_entries_two_contacts.json": one(
        wa_msg("text", "Body Text"),
        note="entry[1] is BINDA's message to another business number: ignored by the binding",
    ),
    "whatsapp_cloud/composed/batch_statuses_and_message.json": one(
        wa_status("delivered"), wa_status("read"), wa_msg("image", attachments=("image",))
    ),
    "whatsapp_cloud/composed/redelivery_same_wamid.json": repeated(
        2,
        Item(
            MESSAGE,
            "text",
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
            "16505551234",
            "Does it come in another color?",
            name="Sheena Nelson",
            phone="+16505551234",
        ),
    ),
}

# -- messenger ---------------------------------------------------------------------------------

PSID = "<PSID>"
MESSENGER: dict[str, Case] = {
    "messenger/text.json": one(
        Item(
            MESSAGE,
            "text",
            "mid.1486464322190:cb04e5a654",
            "1412611362105802",
            "text",
            data={"page_id": "1895382890692545"},
        )
    ),
    "messenger/postback.json": one(
        Item(
            MESSAGE,
            "button",
            "m_1457764197618:41d102a3e1ae206a38",
            "0",
            "title",
            payload="USER_DEFINED_PAYLOAD",
            data={"reply_type": "postback", "referral": ANY},
        )
    ),
    "messenger/referral.json": one(
        Item(EVENT, "referral", "referral:0:2222222", "0", payload="USER_DEFINED_REFERRAL_PARAM")
    ),
    "messenger/signature_vector_sha1_bottender.json": Case(
        VECTOR, (), "legacy sha1 vectors: tested in test_rejections (we accept only sha256)"
    ),
    "messenger/composed/image_attachment_wrapped.json": one(
        Item(
            MESSAGE,
            "image",
            "mid.$cAAE1UUyiiwthh1ZAO1bVhDxGk2N0",
            "1423587017700273",
            attachments=("image",),
        )
    ),
    "messenger/composed/location_attachment_wrapped.json": one(
        Item(
            MESSAGE,
            "location",
            "mid.$cAAE1UUyiiwthh1ZAO1bVhDxGk2N0",
            "1423587017700273",
            attachments=("location",),
        )
    ),
    "messenger/composed/text_second_contact_wrapped.json": one(
        Item(
            MESSAGE,
            "text",
            "mid.$cAAE1UUyiiwthh0NPrVbVf4HFNDGl",
            "1423587017700273",
            "Sharp tools make good work.",
        )
    ),
    "messenger/composed/redelivery_same_mid.json": repeated(
        2, Item(MESSAGE, "text", "mid.1486464322190:cb04e5a654", "1412611362105802", "text")
    ),
    "messenger/meta_docs_events/message_attachment_entry.json": one(
        Item(MESSAGE, "file", "mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", PSID, attachments=("file",)),
        shape=ENTRY,
        note="the doc's type placeholder is no known type: kept as a generic file",
    ),
    "messenger/meta_docs_events/message_deliveries.json": one(
        Item(
            STATUS,
            "status",
            "delivery:<PSID>:1458668856253",
            PSID,
            status="delivered",
            message_id=None,
            data={"watermark": 1458668856253, "mids": ["mid.1458668856218:ed81099e15d3f4f233"]},
        ),
        shape=MESSAGING_EVENT,
    ),
    "messenger/meta_docs_events/message_reads.json": one(
        Item(
            STATUS,
            "status",
            "read:<PSID>:1458668856253",
            PSID,
            status="read",
            message_id=None,
            data={"watermark": 1458668856253, "mids": []},
        ),
        shape=MESSAGING_EVENT,
    ),
    "messenger/meta_docs_events/message_echo.json": one(
        Item(
            EVENT,
            "echo",
            "mid.1457764197618:41d102a3e1ae206a38:echo",
            PSID,
            message_id="mid.1457764197618:41d102a3e1ae206a38",
            data={"page_id": "<PAGE_ID>", "app_id": 1517776481860111},
        ),
        shape=MESSAGING_EVENT,
        note="the page's own message: never a customer message",
    ),
    "messenger/meta_docs_events/message_edits.json": one(
        Item(EVENT, "edit", "<MESSAGE_ID>:edit:<INT>", PSID, "<TEXT>", reply_to="<MESSAGE_ID>"),
        shape=MESSAGING_EVENT,
    ),
    "messenger/meta_docs_events/message_reply_to.json": one(
        Item(
            MESSAGE,
            "text",
            "m_1457764197618:41d102a3e1ae206a38",
            PSID,
            "hello, world!",
            reply_to="m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU",
        ),
        shape=MESSAGING_EVENT,
    ),
    "messenger/meta_docs_events/message_text_quick_reply.json": one(
        Item(
            MESSAGE,
            "button",
            "mid.1457764197618:41d102a3e1ae206a38",
            PSID,
            "hello, world!",
            payload="<DEVELOPER_DEFINED_PAYLOAD>",
            data={"reply_type": "quick_reply"},
        ),
        shape=MESSAGING_EVENT,
    ),
    "messenger/meta_docs_events/messaging_postbacks_app_dashboard_sample.json": one(
        Item(
            MESSAGE,
            "button",
            "m_MESSAGE-ID",
            "USER-REF-ID",
            "TITLE-FOR-THE-CTA",
            payload="USER-DEFINED-PAYLOAD",
            data={"field": "messaging_postbacks"},
        ),
        shape=CHANGE,
        note="App Dashboard 'Test' shape: entry[].changes[] with a user_ref sender",
    ),
}

# -- twilio ------------------------------------------------------------------------------------

TW_SID = "SM338ac551ecd04d698821b50ea5dXXXXX"
TW_STATUS_TO = "whatsapp:+886123456789"


def tw_status(status: str) -> Item:
    return Item(
        STATUS,
        "status",
        f"{TW_SID}:{status}",
        TW_STATUS_TO,
        status=status,
        message_id=TW_SID,
        data={"channel": "whatsapp"},
    )


JHONATA = {"name": "Jhonata", "phone": "+5582982136275"}  # wa_id lacks Brazil's 9th digit

TWILIO: dict[str, Case] = {
    "twilio/signature_vector_twilio_python.json": Case(
        VECTOR, (), "twilio-python's own vectors: tested in test_rejections"
    ),
    "twilio/sms_inbound_text_multiline.json": one(
        Item(
            MESSAGE,
            "text",
            "SM6e0070f7f27433fd07982cbf770d4834",
            "+19086162013",
            "This is \n\nA test \n\nTo see",
            name=None,
            phone="+19086162013",
            data={"channel": "sms"},
        ),
        shape=TWILIO_FORM,
    ),
    "twilio/sms_inbound_text_second_contact.json": one(
        Item(
            MESSAGE,
            "text",
            "SM87a3c2404ee024723075372ada9d7a31",
            "+19086162014",
            "Test",
            phone="+19086162014",
            data={"channel": "sms"},
        ),
        shape=TWILIO_FORM,
    ),
    "twilio/whatsapp_inbound_text.json": one(
        Item(
            MESSAGE,
            "text",
            "SM01cd3925943ee3504f8a5c42d88efdf6",
            "whatsapp:+558282136275",
            "Olá",
            data={"channel": "whatsapp"},
            **JHONATA,
        ),
        shape=TWILIO_FORM,
    ),
    "twilio/whatsapp_inbound_menu_choice.json": one(
        Item(
            MESSAGE,
            "text",
            "SM179ae9925ce08795ced16d3a87f66366",
            "whatsapp:+558282136275",
            "1",
            **JHONATA,
        ),
        shape=TWILIO_FORM,
        note="a numbered-menu answer arrives as plain text '1'",
    ),
    "twilio/whatsapp_inbound_text_second_contact.json": one(
        Item(
            MESSAGE,
            "text",
            "SM612470e4c57f7e7edf1951cd09c1138e",
            "whatsapp:+27726961505",
            "Hello",
            name=None,
            phone="+27726961505",
        ),
        shape=TWILIO_FORM,
    ),
    "twilio/whatsapp_inbound_image.json": one(
        Item(
            MESSAGE,
            "image",
            "MMf17ae24039efd4e19fbc4c1b42fda9f8",
            "whatsapp:+27726961505",
            attachments=("image",),
            phone="+27726961505",
        ),
        shape=TWILIO_FORM,
    ),
    "twilio/whatsapp_status_sent.json": one(tw_status("sent"), shape=TWILIO_FORM),
    "twilio/whatsapp_status_delivered.json": one(tw_status("delivered"), shape=TWILIO_FORM),
    "twilio/whatsapp_status_read.json": one(tw_status("read"), shape=TWILIO_FORM),
    "twilio/whatsapp_status_out_of_order.json": Case(
        DELIVERIES,
        ((tw_status("read"),), (tw_status("delivered"),), (tw_status("sent"),)),
        "read arrives first; each is its own item (the hub keeps the highest rank)",
    ),
}

# -- telegram ----------------------------------------------------------------------------------

CHRIS = {"name": "Chris", "source_id": "714862471"}
CALLBACK = Item(
    MESSAGE,
    "button",
    "734997099",
    "996202131",
    "Button 2",
    payload="button2_bijoy",
    reply_to="996202131:60",
    name="Bijoy",
    data={"callback_query_id": "4278655576057498272"},
)


def unparseable(source_id: str, error: str, update_type: str) -> Case:
    return one(
        Item(
            EVENT,
            "unparseable",
            "unparseable:*",
            source_id,
            error=error,
            data={"update_type": update_type},
        ),
        note="python-telegram-bot refuses it: one failed item, answered 200",
    )


NO_IS_BOT = "TypeError: User.__init__() missing 1 required positional argument: 'is_bot'"

TELEGRAM: dict[str, Case] = {
    "telegram/text.json": one(
        Item(
            MESSAGE,
            "text",
            "633291229",
            text="I'm not even tracked fool",
            message_id="714862471:121",
            **CHRIS,
        )
    ),
    "telegram/text_start_command.json": one(
        Item(MESSAGE, "text", "633291228", text="/start", data={"command": "start"}, **CHRIS)
    ),
    "telegram/edited_message.json": one(
        Item(EVENT, "edit", "633291230", text="/start", reply_to="714862471:121", **CHRIS)
    ),
    "telegram/edited_message_rasa.json": one(
        Item(EVENT, "edit", "280069275", "1760450482", "Hello!", name="Martin Man")
    ),
    "telegram/callback_query.json": one(CALLBACK),
    "telegram/redelivery_same_update_id.json": repeated(2, CALLBACK),
    "telegram/my_chat_member_kicked.json": one(
        Item(EVENT, "unreachable", "732119727", "2063236800", data={"new_status": "kicked"})
    ),
    "telegram/my_chat_member_added_to_supergroup_no_update_id.json": unparseable(
        "-1002162095988",
        "TypeError: Update.__init__() missing 1 required positional argument: 'update_id'",
        "my_chat_member",
    ),
    "telegram/unsupported_inline_query.json": one(
        Item(EVENT, "unsupported", "633291231", data={"update_type": "inline_query"}, **CHRIS)
    ),
    "telegram/official_text.json": unparseable("1111111", NO_IS_BOT, "message"),
    "telegram/official_reply.json": unparseable("1111111", NO_IS_BOT, "message"),
    "telegram/official_audio.json": unparseable("1111111", NO_IS_BOT, "message"),
    "telegram/official_voice.json": unparseable("1111111", NO_IS_BOT, "message"),
    "telegram/official_document.json": unparseable("1111111", NO_IS_BOT, "message"),
    "telegram/official_edited_message.json": unparseable("1111111", NO_IS_BOT, "edited_message"),
    "telegram/official_inline_query.json": unparseable("1111111", NO_IS_BOT, "inline_query"),
    "telegram/official_callback_query_inline_message.json": unparseable(
        "1111111", NO_IS_BOT, "callback_query"
    ),
}

CASES: dict[str, Case] = {**WHATSAPP, **MESSENGER, **TWILIO, **TELEGRAM}

#: Files that are not webhook bodies of their own, and the case that uses them.
COMPANIONS: dict[str, str] = {
    "SOURCES.md": "provenance notes",
    "whatsapp_cloud/signed_text.body.raw": "whatsapp_cloud/signed_text.json",
}
