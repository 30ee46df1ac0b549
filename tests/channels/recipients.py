"""Which inbox a fixture is for: the config that binds an adapter to a delivery's recipient.

Fixtures come from many real accounts (several WhatsApp phone number ids, Messenger pages,
Twilio accounts and numbers). The adapters ignore or refuse webhooks for another account,
so each fixture is checked against an inbox configured for the account its *first*
delivery names; composed fixtures that mix accounts then show the others turned away.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from multidict import MultiDict

from channels.errors import PayloadInvalid
from channels.phones import strip_channel_prefix
from channels.wire import as_dict, as_list, load_json
from tests.channels.deliveries import Delivery, meta_body, meta_delivery


def binding_of(post: Delivery) -> dict[str, Any]:
    """Adapter factory keywords (config fields, and Twilio's ``account_sid`` secret)."""
    if post.channel == "twilio":
        assert post.form is not None
        ours = post.form.get("From") if post.form.get("MessageStatus") else post.form.get("To")
        return {
            "from_number": strip_channel_prefix(str(ours))[1],
            "account_sid": str(post.form.get("AccountSid")),
        }
    if post.channel not in ("whatsapp_cloud", "messenger"):
        return {}
    entries = as_list(as_dict(load_json(post.body)).get("entry"))
    if post.channel == "messenger":
        return {"page_id": str(entries[0]["id"])} if entries else {}
    for entry in entries:
        for change in as_list(entry.get("changes")):
            number = as_dict(as_dict(change.get("value")).get("metadata")).get("phone_number_id")
            if number is not None:
                return {"phone_number_id": str(number)}
    return {}


def retarget(post: Delivery, ours: dict[str, Any]) -> Delivery:
    """``post`` re-addressed to the inbox bound by ``ours`` (keywords as from
    :func:`binding_of`) and signed again: wherever the post names the account of its own
    first recipient (or names none), it names ours instead; other accounts in a composed
    batch stay foreign. For hub tests whose subject is not the binding (one inbox per
    channel receives fixtures from many real accounts)."""
    try:
        theirs = binding_of(post)
        data = as_dict(load_json(post.body)) if post.channel != "twilio" else {}
    except PayloadInvalid:  # a test of bad bodies: nothing to re-address
        return post
    if theirs == ours or post.channel not in ("whatsapp_cloud", "messenger", "twilio"):
        return post
    if post.channel == "twilio":
        assert post.form is not None
        form = MultiDict(post.form)
        form["AccountSid"] = ours["account_sid"]
        side = "From" if form.get("MessageStatus") else "To"
        prefix = strip_channel_prefix(str(form.get(side) or ""))[0]
        form[side] = f"{prefix}:{ours['from_number']}" if prefix else ours["from_number"]
        return replace(post, body=urlencode(list(form.items())).encode(), form=form)
    for entry in as_list(data.get("entry")):
        if post.channel == "messenger":
            if entry.get("id") in (None, "", theirs.get("page_id")):
                entry["id"] = ours["page_id"]
            continue
        for change in as_list(entry.get("changes")):
            value = change.setdefault("value", {})
            metadata = value.setdefault("metadata", {})
            if metadata.get("phone_number_id") in (None, theirs.get("phone_number_id")):
                metadata["phone_number_id"] = ours["phone_number_id"]
    return meta_delivery(post.channel, meta_body(data), post.secret)
