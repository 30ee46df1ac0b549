"""Every provider fixture through the real ``/webhooks/{inbox}`` endpoint, to stored rows.

The table is ``tests/channels/expectations.py`` (one row per file under
``shared/fixtures/providers/``) and the signed requests come from
``tests/channels/deliveries.py``: adding a fixture file and its row covers it here too.
Each case runs in a fresh hub whose provider inboxes point at the local fake provider
servers, so greetings and replies really go out through the outbox and the SDKs.
"""

from __future__ import annotations

import fnmatch
import json
import logging
from collections.abc import AsyncIterator, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from channels.base import DeliveryStatus, InboundItem
from hub.auth import create_api_token
from hub.store.models import (
    Agent,
    Contact,
    ContactIdentity,
    Conversation,
    EventStatus,
    InboundEvent,
    Message,
    Outbox,
    OutboxStatus,
)
from tests.channels.adapters import BOT_TOKEN, PAGE_TOKEN, TWILIO_SID, WA_TOKEN
from tests.channels.deliveries import (
    META_APP_SECRET,
    META_VERIFY_TOKEN,
    TELEGRAM_SECRET,
    TWILIO_AUTH_TOKEN,
    VECTOR,
    Delivery,
    channel_of,
    deliveries,
    load,
    meta_body,
    meta_delivery,
    telegram_delivery,
)
from tests.channels.expectations import ANY, CASES, COMPANIONS, MESSAGE, STATUS, Case, Item
from tests.channels.recipients import binding_of, retarget
from tests.channels.test_fixtures import all_fixture_files, check_item
from tests.fakes.providers import FakeGraph, FakeTelegram, FakeTwilio
from tests.support.harness import HUB_YAML, HubHarness
from tests.support.wait import eventually

PUBLIC_URL = "http://hub.test"  # the harness's HUB_PUBLIC_URL
GREETING = "Hello! How can we help?"
CHANNELS = ("whatsapp_cloud", "messenger", "twilio", "telegram")
DEFAULT_SECRET = {
    "whatsapp_cloud": META_APP_SECRET,
    "messenger": META_APP_SECRET,
    "twilio": TWILIO_AUTH_TOKEN,
    "telegram": TELEGRAM_SECRET,
}
CASE_IDS = sorted(rel for rel, case in CASES.items() if case.shape != VECTOR)


#: The account each provider inbox is bound to (adapters ignore or refuse webhooks for
#: other accounts); :func:`for_hub` re-addresses fixtures from other accounts to it.
DEFAULT_BINDING: dict[str, dict[str, str]] = {
    "whatsapp_cloud": {"phone_number_id": "1122334455667"},
    "messenger": {"page_id": "404217156637689"},
    "twilio": {"from_number": "+14155238886", "account_sid": TWILIO_SID},
    "telegram": {},
}


def _extra_secrets() -> dict[tuple[str, str], str]:
    """Fixtures signed with their own key (real vectors) get an inbox of their own, bound
    to the account they name (their bytes cannot be re-addressed without a new signature)."""
    extra: dict[tuple[str, str], str] = {}
    for rel in CASE_IDS:
        for post in deliveries(rel, CASES[rel].shape):
            key = (post.channel, post.secret)
            if post.secret != DEFAULT_SECRET[post.channel] and key not in extra:
                extra[key] = f"{post.channel}-{len(extra) + 1}"
                EXTRA_BINDING[extra[key]] = binding_of(post)
    return extra


EXTRA_BINDING: dict[str, dict[str, str]] = {}
EXTRA_INBOXES = _extra_secrets()


def binding_for(slug: str, kind: str) -> dict[str, str]:
    return EXTRA_BINDING.get(slug) or DEFAULT_BINDING[kind]


def slug_for(post: Delivery) -> str:
    if post.secret == DEFAULT_SECRET[post.channel]:
        return post.channel
    return EXTRA_INBOXES[(post.channel, post.secret)]


def _env(slug: str, role: str) -> str:
    return f"{slug.upper().replace('-', '_')}_{role.upper()}"


def _inbox_yaml(
    slug: str, kind: str, secret: str, urls: dict[str, str], environ: dict[str, str]
) -> str:
    """One inbox of ``hub.yaml`` (plain YAML: no braces, safe inside the format template)."""
    if kind in ("whatsapp_cloud", "messenger"):
        roles = {
            "app_secret": secret,
            "access_token" if kind == "whatsapp_cloud" else "page_access_token": (
                WA_TOKEN if kind == "whatsapp_cloud" else PAGE_TOKEN
            ),
            "verify_token": META_VERIFY_TOKEN,
        }
        bound = binding_for(slug, kind)
        head = (
            f"    phone_number_id: '{bound['phone_number_id']}'\n    graph_url: {urls['graph']}\n"
            if kind == "whatsapp_cloud"
            else f"    page_id: '{bound['page_id']}'\n    graph_url: {urls['graph']}\n"
        )
    elif kind == "twilio":
        bound = binding_for(slug, kind)
        roles = {"account_sid": bound["account_sid"], "auth_token": secret}
        head = f"    from_number: '{bound['from_number']}'\n    api_url: {urls['twilio']}\n"
    else:
        roles = {"bot_token": BOT_TOKEN, "webhook_secret": secret}
        head = f"    api_url: {urls['telegram']}\n"
    lines = [f"  - slug: {slug}\n    kind: {kind}\n", head, "    secrets:\n"]
    for role, value in roles.items():
        environ[_env(slug, role)] = value
        lines.append(f"      {role}: {_env(slug, role)}\n")
    return "".join(lines)


def provider_hub_yaml(urls: dict[str, str], environ: dict[str, str]) -> str:
    """The harness's config plus one inbox per provider (and per extra fixture secret)."""
    inboxes = [_inbox_yaml(k, k, DEFAULT_SECRET[k], urls, environ) for k in CHANNELS]
    inboxes += [_inbox_yaml(s, k, sec, urls, environ) for (k, sec), s in EXTRA_INBOXES.items()]
    head, _, tail = HUB_YAML.partition("outbox:")
    return head + "".join(inboxes) + "outbox:" + tail


@dataclass
class Providers:
    hub: HubHarness
    graph: FakeGraph
    twilio: FakeTwilio
    telegram: FakeTelegram


@asynccontextmanager
async def provider_hub(
    tmp_path: Path, backend: str = "sqlite", twilio_fake: FakeTwilio | None = None
) -> AsyncIterator[Providers]:
    """A hub with whatsapp_cloud / messenger / twilio / telegram inboxes on local fakes."""
    graph = FakeGraph()
    twilio = twilio_fake or FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_AUTH_TOKEN)
    telegram = FakeTelegram(token=BOT_TOKEN)
    urls = {
        "graph": await graph.start(),
        "twilio": await twilio.start(),
        "telegram": await telegram.start(),
    }
    environ: dict[str, str] = {}
    harness = HubHarness(tmp_path, backend=backend, hub_yaml=provider_hub_yaml(urls, environ))
    harness.environ = environ
    try:
        await harness.start()
        yield Providers(harness, graph, twilio, telegram)
    finally:
        await harness.close()
        for fake in (graph, twilio, telegram):
            await fake.close()


# -- posting ------------------------------------------------------------------------------


def twilio_signature(url: str, form: Any, token: str = TWILIO_AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, dict(form)))


def for_hub(post: Delivery, slug: str) -> tuple[str, bytes, dict[str, str]]:
    """Path, body and headers of ``post`` sent to the hub (Twilio re-signed for its URL),
    re-addressed to the account the inbox is bound to."""
    post = retarget(post, binding_for(slug, post.channel))
    path = f"/webhooks/{slug}"
    headers = dict(post.headers)
    if post.channel == "twilio":
        assert post.form is not None
        headers["X-Twilio-Signature"] = twilio_signature(PUBLIC_URL + path, post.form, post.secret)
    return path, post.body, headers


async def deliver(hub: HubHarness, post: Delivery, slug: str | None = None) -> ClientResponse:
    path, body, headers = for_hub(post, slug or slug_for(post))
    return await hub.http.post(path, data=body, headers=headers)


def twilio_post(params: dict[str, str]) -> Delivery:
    """A Twilio form POST composed by a test (signed by :func:`for_hub`)."""
    return Delivery(
        "twilio",
        urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
        f"{PUBLIC_URL}/webhooks/twilio",
        TWILIO_AUTH_TOKEN,
        content_type="application/x-www-form-urlencoded",
        form=MultiDict(params),
    )


def meta_post(channel: str, obj: Any) -> Delivery:
    return meta_delivery(channel, meta_body(obj))


def telegram_post(obj: Any) -> Delivery:
    return telegram_delivery(json.dumps(obj).encode())


# -- what a case must leave in the database ---------------------------------------------


def unique_items(case: Case) -> list[Item]:
    """Items as stored: the first of each event id wins (redeliveries are skipped)."""
    seen: dict[str, Item] = {}
    for batch in case.deliveries:
        for item in batch:
            seen.setdefault(item.event_id, item)
    return list(seen.values())


def final_status(items: Iterable[Item]) -> DeliveryStatus | None:
    """Delivery states never move backwards: the highest rank wins, failed is terminal."""
    states = [DeliveryStatus(i.status) for i in items if i.status not in (None, ANY)]
    return max(states, key=lambda s: s.rank) if states else None


async def _open_conversation(inbox_id: int, source_id: str) -> Conversation:
    contact = await Contact.create()
    identity = await ContactIdentity.create(
        inbox_id=inbox_id, source_id=source_id, contact_id=contact.id
    )
    return await Conversation.create(
        contact_id=contact.id, inbox_id=inbox_id, identity_id=identity.id
    )


def inbound_ids(items: Iterable[Item]) -> set[str]:
    """Ids of customer messages; a composed fixture may reuse one for a status."""
    found = set()
    for item in items:
        if item.kind == MESSAGE:
            found.add(item.event_id)
            if isinstance(item.message_id, str):
                found.add(item.message_id)
    return found


async def seed_sent_messages(hub: HubHarness, slug: str, items: list[Item]) -> list[Message]:
    """Statuses refer to messages the hub sent: create them as the outbox would have."""
    inbox_id = hub.runtime.ctx.inboxes_by_slug[slug].id  # type: ignore[union-attr]
    seeded: dict[tuple[str, str], Message] = {}
    inbound = inbound_ids(items)
    for item in items:
        if item.kind != STATUS or item.message_id in inbound:
            continue
        key = (item.source_id, str(item.message_id))
        if key in seeded:
            continue
        mark = item.data.get("watermark") if isinstance(item.data, dict) else None
        if item.message_id is None and mark is None:
            continue
        conversation = await _open_conversation(inbox_id, item.source_id)
        sent_at = (
            datetime.fromtimestamp(mark / 1000, UTC) - timedelta(seconds=1)
            if mark
            else datetime.now(UTC)
        )
        seeded[key] = await Message.create(
            conversation_id=conversation.id,
            inbox_id=inbox_id,
            direction="out",
            sender_kind="bot",
            text="our earlier reply",
            provider_message_id=item.message_id,
            delivery_status=DeliveryStatus.SENT.value,
            sent_at=sent_at,
        )
    return list(seeded.values())


def expected_event_status(item: Item, inbound: Collection[str | None] | None = None) -> EventStatus:
    if item.kind == STATUS and inbound and item.message_id in inbound:
        return EventStatus.IGNORED  # receipts never apply to the customer's own messages
    if item.kind in (MESSAGE, STATUS):
        return EventStatus.PROCESSED
    if item.content_type == "unparseable":
        return EventStatus.FAILED
    if item.content_type in ("unreachable", "reachable"):
        return EventStatus.PROCESSED
    return EventStatus.IGNORED


async def check_stored_case(hub: HubHarness, rel: str, case: Case, slug: str) -> None:
    inbox_id = hub.runtime.ctx.inboxes_by_slug[slug].id  # type: ignore[union-attr]
    wanted = unique_items(case)
    events = await InboundEvent.filter(inbox_id=inbox_id).order_by("received_at")
    assert len(events) == len(wanted), f"{rel}: {len(events)} events stored, want {len(wanted)}"
    by_id = {e.provider_event_id: e for e in events}
    for want in wanted:
        matches = [e for key, e in by_id.items() if fnmatch.fnmatchcase(key, want.event_id)]
        assert len(matches) == 1, f"{rel}: event {want.event_id!r} stored {len(matches)} times"
        event = matches[0]
        where = f"{rel} event {event.provider_event_id}"
        assert event.kind == want.kind, where
        stored = InboundItem.from_json(event.payload)
        check_item(stored, want, where)
        expected = expected_event_status(want, inbound_ids(wanted))
        assert event.status == expected, f"{where}: {event.status} {event.error}"
        if want.content_type == "unparseable" and want.error is not ANY:
            assert event.error == want.error, where
        if want.kind == MESSAGE:
            await check_message(stored, want, inbox_id, where)
    incoming = await Message.filter(inbox_id=inbox_id, direction="in").count()
    assert incoming == sum(1 for w in wanted if w.kind == MESSAGE), f"{rel}: {incoming} messages"
    inbound = inbound_ids(wanted)
    statuses = [w for w in wanted if w.kind == STATUS and w.message_id not in inbound]
    for message_id in {w.message_id for w in statuses}:
        mine = [w for w in statuses if w.message_id == message_id]
        source = mine[0].source_id
        identity = await ContactIdentity.get(inbox_id=inbox_id, source_id=source)
        sent = await Message.filter(
            conversation__identity_id=identity.id, direction="out", text="our earlier reply"
        ).first()
        assert sent is not None, rel
        assert sent.delivery_status == final_status(mine), f"{rel}: {sent.delivery_status}"
        failed = [w for w in mine if w.status == "failed"]
        if failed and failed[0].error is not ANY:
            assert sent.error == failed[0].error, rel


async def check_message(stored: InboundItem, want: Item, inbox_id: int, where: str) -> None:
    query = Message.filter(inbox_id=inbox_id, direction="in")
    if stored.message_id:
        query = query.filter(provider_message_id=stored.message_id)
    else:
        query = query.filter(text=stored.text)
    message = await query.first()
    assert message is not None, f"{where}: no stored message"
    assert message.content_type == want.content_type, where
    assert message.text == stored.text, where
    if want.text is not ANY:
        assert message.text == want.text, where
    if want.payload is not ANY:
        assert message.payload == want.payload, where
    kinds = tuple(a["kind"] for a in message.attachments)
    assert kinds == tuple(a.kind for a in stored.attachments), where
    conversation = await Conversation.get(id=message.conversation_id)
    identity = await ContactIdentity.get(id=conversation.identity_id)
    assert identity.source_id == want.source_id, where
    contact = await Contact.get(id=identity.contact_id)
    if want.name is not ANY:
        assert contact.name == want.name, f"{where}: contact name {contact.name!r}"
    if want.phone is not ANY:
        assert contact.phone == want.phone, f"{where}: contact phone {contact.phone!r}"


async def run_case(providers: Providers, rel: str) -> None:
    case = CASES[rel]
    posts = deliveries(rel, case.shape)
    assert len(posts) == len(case.deliveries)
    slug = slug_for(posts[0])
    await seed_sent_messages(providers.hub, slug, unique_items(case))
    for number, post in enumerate(posts):
        response = await deliver(providers.hub, post, slug)
        assert response.status == 200, f"{rel}#{number}: {response.status} {await response.text()}"
    await providers.hub.settled()
    await check_stored_case(providers.hub, rel, case, slug)


# -- the table ------------------------------------------------------------------------------


LANE_BLOCKED = (
    "hub/inbound/processing.py: a status whose message id is unknown raises RetryLater, which "
    "stops the whole lane (inbox + customer) for STATUS_GRACE (5 min): the customer's later "
    "messages wait"
)
KNOWN_BUGS: dict[str, str] = {}
TABLE = [
    pytest.param(rel, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[rel]))
    if rel in KNOWN_BUGS
    else rel
    for rel in CASE_IDS
]


@pytest.mark.parametrize("rel", TABLE)
async def test_fixture_is_stored_as_expected(
    rel: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with provider_hub(tmp_path) as providers:
        await run_case(providers, rel)
    texts = {
        i.text for batch in CASES[rel].deliveries for i in batch if isinstance(i.text, str)
    } | {i.phone for batch in CASES[rel].deliveries for i in batch if isinstance(i.phone, str)}
    for record in caplog.records:
        if record.levelno > logging.DEBUG:
            line = record.getMessage()
            leaked = [t for t in texts if len(t) > 3 and t in line]
            assert not leaked, f"{rel}: logged {leaked!r} at {record.levelname}"


BACKEND_SUBSET = (
    "whatsapp_cloud/composed/batch_two_entries_two_contacts.json",
    "whatsapp_cloud/status_failed.json",
    "twilio/whatsapp_status_out_of_order.json",
    "messenger/meta_docs_events/message_reads.json",
    "telegram/redelivery_same_update_id.json",
)


@pytest.mark.parametrize("backend", ["postgres", "postgres+arq"])
async def test_representative_fixtures_on_postgres(backend: str, tmp_path: Path) -> None:
    for number, rel in enumerate(BACKEND_SUBSET):
        (tmp_path / str(number)).mkdir()
        async with provider_hub(tmp_path / str(number), backend=backend) as providers:
            await run_case(providers, rel)


def test_the_table_covers_every_fixture_file_and_inbox_kind() -> None:
    webhook_files = all_fixture_files() - set(COMPANIONS)
    vectors = {rel for rel, case in CASES.items() if case.shape == VECTOR}
    assert webhook_files - vectors == set(CASE_IDS)
    assert {channel_of(rel) for rel in CASE_IDS} == set(CHANNELS)
    assert EXTRA_INBOXES, "signed_text.json's real secret needs an inbox of its own"


# -- bad input --------------------------------------------------------------------------------


@pytest.fixture
async def providers(tmp_path: Path) -> AsyncIterator[Providers]:
    async with provider_hub(tmp_path) as hub:
        yield hub


async def nothing_stored() -> None:
    assert await InboundEvent.all().count() == 0
    assert await Message.all().count() == 0


def first_post(rel: str) -> Delivery:
    return deliveries(rel, CASES[rel].shape)[0]


SIGNED_FIXTURES = {
    "whatsapp_cloud": "whatsapp_cloud/text.json",
    "messenger": "messenger/text.json",
    "twilio": "twilio/whatsapp_inbound_text.json",
    "telegram": "telegram/text.json",
}
SIGNATURE_HEADER = {
    "whatsapp_cloud": "X-Hub-Signature-256",
    "messenger": "X-Hub-Signature-256",
    "twilio": "X-Twilio-Signature",
    "telegram": "X-Telegram-Bot-Api-Secret-Token",
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("tamper", ["missing", "wrong"])
async def test_bad_signature_is_refused_and_nothing_stored(
    providers: Providers, channel: str, tamper: str
) -> None:
    post = first_post(SIGNED_FIXTURES[channel])
    path, body, headers = for_hub(post, channel)
    name = SIGNATURE_HEADER[channel]
    if tamper == "missing":
        del headers[name]
    else:
        value = headers[name]
        headers[name] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    response = await providers.hub.http.post(path, data=body, headers=headers)
    assert response.status in (401, 403)
    assert "error" in await response.json()
    await providers.hub.settled()
    await nothing_stored()


@pytest.mark.parametrize("channel", ["whatsapp_cloud", "messenger"])
async def test_signature_over_a_reserialised_body_is_refused(
    providers: Providers, channel: str
) -> None:
    post = first_post(SIGNED_FIXTURES[channel])
    pretty = json.dumps(json.loads(post.body), indent=2).encode()  # same JSON, other bytes
    path, _, headers = for_hub(post, channel)
    response = await providers.hub.http.post(path, data=pretty, headers=headers)
    assert response.status in (401, 403)
    await nothing_stored()


async def test_real_meta_vector_refused_once_reserialised(providers: Providers) -> None:
    rel = "whatsapp_cloud/signed_text.json"
    post = first_post(rel)
    body = json.dumps(json.loads(post.body), ensure_ascii=False).encode()
    assert body != post.body
    path, _, headers = for_hub(post, slug_for(post))
    response = await providers.hub.http.post(path, data=body, headers=headers)
    assert response.status in (401, 403)
    ok = await deliver(providers.hub, post)
    assert ok.status == 200  # the exact raw bytes pass
    await providers.hub.settled()
    assert await InboundEvent.all().count() == 1


@pytest.mark.parametrize("channel", ["whatsapp_cloud", "messenger"])
async def test_meta_handshake(providers: Providers, channel: str) -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    good = await providers.hub.http.get(
        f"/webhooks/{channel}", params={**query, "hub.verify_token": META_VERIFY_TOKEN}
    )
    assert (good.status, await good.text()) == (200, "1158201444")
    wrong = await providers.hub.http.get(
        f"/webhooks/{channel}", params={**query, "hub.verify_token": "not-the-token"}
    )
    assert wrong.status == 403
    assert "1158201444" not in await wrong.text()


@pytest.mark.parametrize(
    "url",
    [
        "https://hub.test/webhooks/twilio",  # the operator's URL says http: scheme differs
        "http://hub.test:8080/webhooks/twilio",
        "http://hub.test/webhooks/twilio?x=1",
    ],
)
async def test_twilio_signed_for_another_url_is_refused(providers: Providers, url: str) -> None:
    post = first_post(SIGNED_FIXTURES["twilio"])
    assert post.form is not None
    headers = dict(post.headers)
    headers["X-Twilio-Signature"] = twilio_signature(url, post.form)
    response = await providers.hub.http.post("/webhooks/twilio", data=post.body, headers=headers)
    assert response.status in (401, 403)
    await nothing_stored()


@pytest.mark.parametrize("channel", ["whatsapp_cloud", "messenger", "telegram"])
async def test_malformed_json_is_a_400(providers: Providers, channel: str) -> None:
    body = b'{"object": "page", "entry": [{"id": '
    post = (
        telegram_delivery(body)
        if channel == "telegram"
        else meta_delivery(channel, body, META_APP_SECRET)
    )
    response = await deliver(providers.hub, replace(post, channel=channel))
    assert response.status == 400
    reason = (await response.json())["error"]
    assert reason
    assert "\n" not in reason
    await nothing_stored()


@pytest.mark.parametrize(
    "rel",
    [
        "whatsapp_cloud/composed/redelivery_same_wamid.json",
        "messenger/composed/redelivery_same_mid.json",
        "telegram/redelivery_same_update_id.json",
    ],
)
async def test_redelivered_batch_is_stored_once(providers: Providers, rel: str) -> None:
    posts = deliveries(rel, CASES[rel].shape)
    assert len(posts) == 2
    statuses = [(await deliver(providers.hub, p)).status for p in posts]
    assert statuses == [200, 200]
    await providers.hub.settled()
    assert await InboundEvent.all().count() == 1
    assert await Message.filter(direction="in").count() == 1


async def test_redelivered_whatsapp_batch_of_several_items(providers: Providers) -> None:
    body = load("whatsapp_cloud/composed/batch_two_entries_two_contacts.json")
    for entry in body["entry"]:  # the composed entries name two numbers: both ours here
        for change in entry["changes"]:
            change["value"]["metadata"]["phone_number_id"] = "1122334455667"
    post = meta_post("whatsapp_cloud", body)
    first = await deliver(providers.hub, post)
    second = await deliver(providers.hub, post)
    assert (first.status, second.status) == (200, 200)
    await providers.hub.settled()
    assert await InboundEvent.all().count() == 2
    assert await Message.filter(direction="in").count() == 2
    assert await Conversation.all().count() == 2


async def test_twilio_redelivery_is_stored_once(providers: Providers) -> None:
    post = first_post("twilio/sms_inbound_text_multiline.json")
    statuses = [(await deliver(providers.hub, post)).status for _ in range(2)]
    assert statuses == [200, 200]
    await providers.hub.settled()
    assert await InboundEvent.all().count() == 1
    assert await Message.filter(direction="in").count() == 1


async def test_whatsapp_read_before_delivered_ends_read(providers: Providers) -> None:
    [message] = await seed_sent_messages(
        providers.hub,
        "whatsapp_cloud",
        [Item(STATUS, "status", "x", "972987654321", message_id="wamid.xyzxyz")],
    )
    for rel in ("whatsapp_cloud/status_read.json", "whatsapp_cloud/status_delivered.json"):
        assert (await deliver(providers.hub, first_post(rel))).status == 200
        await providers.hub.settled()
    await message.refresh_from_db()
    assert message.delivery_status == "read"
    assert message.read_at is not None
    assert message.delivered_at is not None  # the late receipt still fills its timestamp


async def test_status_for_an_unknown_message_does_not_hold_back_the_customer(
    providers: Providers,
) -> None:
    """A receipt for a message sent outside the hub (e.g. from the WhatsApp Business app)."""
    for rel in ("whatsapp_cloud/status_read.json", "whatsapp_cloud/text.json"):
        assert (await deliver(providers.hub, first_post(rel))).status == 200

    async def stored() -> bool:
        return await Message.filter(direction="in").count() == 1

    await eventually(stored, timeout=10)


async def test_twilio_out_of_order_statuses_end_read(providers: Providers) -> None:
    rel = "twilio/whatsapp_status_out_of_order.json"
    items = unique_items(CASES[rel])
    [message] = await seed_sent_messages(providers.hub, "twilio", items)
    for post in deliveries(rel, CASES[rel].shape):
        assert (await deliver(providers.hub, post)).status == 200
    await providers.hub.settled()
    await message.refresh_from_db()
    assert message.delivery_status == "read"
    events = await InboundEvent.all().values_list("provider_event_id", "status")
    assert sorted(events) == sorted((i.event_id, EventStatus.PROCESSED) for i in items)


@pytest.mark.parametrize(
    "rel", sorted(r for r in CASES if r.startswith("telegram/official_")), ids=lambda r: r[16:]
)
async def test_telegram_official_samples_are_200_and_failed(providers: Providers, rel: str) -> None:
    response = await deliver(providers.hub, first_post(rel))
    assert response.status == 200
    await providers.hub.settled()
    event = await InboundEvent.get()
    assert event.status == EventStatus.FAILED
    assert event.error
    assert "is_bot" in event.error
    assert await Message.all().count() == 0


def _telegram_text(update_id: int, chat_id: int, text: str, name: str = "Jaya") -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": name}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": user,
            "chat": {"id": chat_id, "first_name": name, "type": "private"},
            "date": int(datetime.now(UTC).timestamp()),
            "text": text,
        },
    }


async def test_telegram_block_marks_the_identity_unreachable(providers: Providers) -> None:
    hello = telegram_post(_telegram_text(732119700, 2063236800, "hello"))
    assert (await deliver(providers.hub, hello)).status == 200
    await providers.hub.settled()
    identity = await ContactIdentity.get(source_id="2063236800")
    assert identity.reachable
    kicked = first_post("telegram/my_chat_member_kicked.json")
    assert (await deliver(providers.hub, kicked)).status == 200
    await providers.hub.settled()
    blocked = await ContactIdentity.get(id=identity.id)
    assert not blocked.reachable
    again = telegram_post(_telegram_text(732119800, 2063236800, "I'm back"))
    assert (await deliver(providers.hub, again)).status == 200
    await providers.hub.settled()
    unblocked = await ContactIdentity.get(id=identity.id)
    assert unblocked.reachable  # writing again means the bot was unblocked


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("whatsapp_cloud/text.json", "whatsapp_cloud/text_second_contact.json"),
        ("twilio/whatsapp_inbound_text.json", "twilio/whatsapp_inbound_text_second_contact.json"),
        ("twilio/sms_inbound_text_multiline.json", "twilio/sms_inbound_text_second_contact.json"),
        ("messenger/text.json", "messenger/composed/text_second_contact_wrapped.json"),
    ],
)
async def test_second_contact_gets_its_own_conversation(
    providers: Providers, first: str, second: str
) -> None:
    for rel in (first, second):
        assert (await deliver(providers.hub, first_post(rel))).status == 200
    await providers.hub.settled()
    conversations = await Conversation.all()
    assert len(conversations) == 2
    assert len({c.contact_id for c in conversations}) == 2
    assert len({c.identity_id for c in conversations}) == 2


def _whatsapp_text(wa_id: str, wamid: str, text: str, name: str | None) -> dict[str, Any]:
    now = str(int(datetime.now(UTC).timestamp()))
    contact: dict[str, Any] = {"wa_id": wa_id}
    if name:
        contact["profile"] = {"name": name}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "1122334455667"},
        "contacts": [contact],
        "messages": [
            {"from": wa_id, "id": wamid, "timestamp": now, "type": "text", "text": {"body": text}}
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def _twilio_text(sender: str, sid: str, text: str, name: str | None = None) -> dict[str, str]:
    params = {
        "SmsMessageSid": sid,
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": "whatsapp:+14155238886" if sender.startswith("whatsapp:") else "+14155238886",
        "Body": text,
        "NumMedia": "0",
    }
    if name:
        params["ProfileName"] = name
    return params


async def test_one_contact_across_whatsapp_cloud_twilio_whatsapp_and_sms(
    providers: Providers,
) -> None:
    phone = "+33612345678"
    posts = [
        (
            "whatsapp_cloud",
            meta_post("whatsapp_cloud", _whatsapp_text(phone[1:], "wamid.A1", "hi", "Ana")),
        ),
        ("twilio", twilio_post(_twilio_text(f"whatsapp:{phone}", "SM" + "a" * 32, "hi", "Ana B"))),
        ("twilio", twilio_post(_twilio_text(phone, "SM" + "b" * 32, "hi again"))),
    ]
    for slug, post in posts:
        assert (await deliver(providers.hub, post, slug)).status == 200
        await providers.hub.settled()
    identities = await ContactIdentity.all().order_by("id")
    assert [i.source_id for i in identities] == [phone[1:], f"whatsapp:{phone}", phone]
    assert len({i.contact_id for i in identities}) == 1
    contact = await Contact.get()
    assert (contact.name, contact.phone) == ("Ana", phone)  # first name kept, not overwritten
    assert await Conversation.all().count() == 3  # one per inbox identity


async def test_profile_name_fills_empty_fields_but_never_agent_set_ones(
    providers: Providers,
) -> None:
    first = meta_post("whatsapp_cloud", _whatsapp_text("33611111111", "wamid.B1", "hi", None))
    assert (await deliver(providers.hub, first)).status == 200
    await providers.hub.settled()
    contact = await Contact.get()
    assert (contact.name, contact.phone) == (None, "+33611111111")
    named = meta_post("whatsapp_cloud", _whatsapp_text("33611111111", "wamid.B2", "hi", "Bob"))
    assert (await deliver(providers.hub, named)).status == 200
    await providers.hub.settled()
    await contact.refresh_from_db()
    assert contact.name == "Bob"  # an empty field is filled from the provider profile
    contact.name = "Robert (VIP)"
    contact.phone = None
    contact.locked_fields = ["name", "phone"]
    await contact.save()
    again = meta_post("whatsapp_cloud", _whatsapp_text("33611111111", "wamid.B3", "hi", "Bobby"))
    assert (await deliver(providers.hub, again)).status == 200
    await providers.hub.settled()
    await contact.refresh_from_db()
    assert (contact.name, contact.phone) == ("Robert (VIP)", None)


# -- outbound through the hub -----------------------------------------------------------------

FRESH_INBOUND = {
    "whatsapp_cloud": lambda: meta_post(
        "whatsapp_cloud", _whatsapp_text("33622222222", "wamid.C1", "hello", "Cleo")
    ),
    "messenger": lambda: meta_post(
        "messenger",
        {
            "object": "page",
            "entry": [
                {
                    "id": "404217156637689",
                    "time": int(datetime.now(UTC).timestamp() * 1000),
                    "messaging": [
                        {
                            "sender": {"id": "7001"},
                            "recipient": {"id": "404217156637689"},
                            "timestamp": int(datetime.now(UTC).timestamp() * 1000),
                            "message": {"mid": "m_fresh1", "text": "hello"},
                        }
                    ],
                }
            ],
        },
    ),
    "twilio": lambda: twilio_post(_twilio_text("whatsapp:+33633333333", "SM" + "c" * 32, "hello")),
    "telegram": lambda: telegram_post(_telegram_text(900001, 5550001, "hello")),
}
RECIPIENT = {
    "whatsapp_cloud": "33622222222",
    "messenger": "7001",
    "twilio": "whatsapp:+33633333333",
    "telegram": "5550001",
}


def sends(providers: Providers, channel: str) -> list[Any]:
    """Requests the fake of ``channel`` received that deliver a message."""
    if channel == "telegram":
        return providers.telegram.calls("sendMessage")
    if channel == "twilio":
        return [r for r in providers.twilio.requests if r.path.endswith("/Messages.json")]
    return [r for r in providers.graph.requests if r.path.endswith("/messages")]


def sent_text(channel: str, request: Any) -> str:
    fields = request.fields
    if channel == "whatsapp_cloud":
        body = fields.get("text", {}).get("body") or fields["interactive"]["body"]["text"]
        return str(body)
    if channel == "messenger":
        return str(fields["message"]["text"])
    if channel == "twilio":
        return str(fields["Body"])
    return str(fields["text"])


def recipient_of(channel: str, request: Any) -> str:
    fields = request.fields
    if channel == "whatsapp_cloud":
        return str(fields["to"])
    if channel == "messenger":
        return str(fields["recipient"]["id"])
    if channel == "twilio":
        return str(fields["To"])
    return str(fields["chat_id"])


async def _greeted(providers: Providers, channel: str) -> Message:
    response = await deliver(providers.hub, FRESH_INBOUND[channel](), channel)
    assert response.status == 200
    await providers.hub.settled()
    return await final_message(direction="out")


async def final_message(**filters: Any) -> Message:
    """The message once its send outcome is recorded.

    hub/outbound/sending.py marks the Outbox row before the Message (two statements, no
    transaction), so ``settled()`` can return in between.
    """

    async def outcome() -> Message | None:
        message = await Message.get(**filters)
        return message if message.delivery_status != "queued" else None

    return await eventually(outcome, timeout=10)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_greeting_and_agent_reply_reach_the_provider(
    providers: Providers, channel: str
) -> None:
    greeting = await _greeted(providers, channel)
    [request] = sends(providers, channel)
    assert recipient_of(channel, request) == RECIPIENT[channel]
    assert sent_text(channel, request).startswith(GREETING)
    assert greeting.delivery_status == "sent"
    assert greeting.provider_message_id
    agent = await Agent.create(email="ana@example.com", name="Ana", role="agent")
    token = await create_api_token(agent)
    conversation = await Conversation.get()
    response = await providers.hub.http.post(
        f"/api/conversations/{conversation.id}/messages",
        json={"text": "Ana here, happy to help."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 201, await response.text()
    await providers.hub.settled()
    requests = sends(providers, channel)
    assert len(requests) == 2
    assert sent_text(channel, requests[1]) == "Ana here, happy to help."
    reply = await final_message(direction="out", sender_kind="agent")
    assert reply.delivery_status == "sent"
    assert reply.provider_message_id
    assert reply.provider_message_id != greeting.provider_message_id


def _rate_limit(providers: Providers, channel: str) -> None:
    if channel == "telegram":
        providers.telegram.rate_limited(retry_after=1)
    elif channel == "twilio":
        providers.twilio.rate_limited(retry_after=0.1)
    else:
        providers.graph.rate_limited(
            code=130429 if channel == "whatsapp_cloud" else 4, retry_after=0.1
        )


PERMANENT = {  # code, provider message, what the failed Message must say
    "whatsapp_cloud": (131026, "Message undeliverable", "131026: Message undeliverable"),
    "messenger": (551, "This person isn't available right now", "551"),
    "twilio": (21211, "The 'To' number is not a valid phone number", "21211"),
    "telegram": (403, "Forbidden: bot was blocked by the user", "bot was blocked by the user"),
}


def _permanent(providers: Providers, channel: str) -> None:
    code, message, _ = PERMANENT[channel]
    if channel == "telegram":
        providers.telegram.permanent(code, message)
    elif channel == "twilio":
        providers.twilio.permanent(code, message)
    else:
        providers.graph.permanent(code, message)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_rate_limited_send_is_retried_then_sent(providers: Providers, channel: str) -> None:
    _rate_limit(providers, channel)
    greeting = await _greeted(providers, channel)
    requests = sends(providers, channel)
    assert len(requests) == 2  # the 429, then the retry
    assert sent_text(channel, requests[0]) == sent_text(channel, requests[1])
    assert greeting.delivery_status == "sent"
    row = await Outbox.get()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_permanent_error_marks_the_message_failed(providers: Providers, channel: str) -> None:
    _permanent(providers, channel)
    greeting = await _greeted(providers, channel)
    assert len(sends(providers, channel)) == 1  # never retried
    assert greeting.delivery_status == "failed"
    assert greeting.error
    assert PERMANENT[channel][2] in greeting.error
    row = await Outbox.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert row.last_error == greeting.error


async def test_greeting_to_an_old_whatsapp_conversation_is_refused_before_the_provider(
    providers: Providers,
) -> None:
    """The fixtures' timestamps are years old: the 24-hour window is closed."""
    assert (await deliver(providers.hub, first_post("whatsapp_cloud/text.json"))).status == 200
    await providers.hub.settled()
    greeting = await final_message(direction="out")
    assert greeting.delivery_status == "failed"
    assert greeting.error
    assert "24-hour" in greeting.error
    assert sends(providers, "whatsapp_cloud") == []


async def test_telegram_button_press_is_answered_so_the_spinner_stops(
    providers: Providers,
) -> None:
    response = await deliver(providers.hub, first_post("telegram/callback_query.json"))
    assert response.status == 200
    await providers.hub.settled()

    async def answered() -> list[Any]:
        return providers.telegram.calls("answerCallbackQuery")

    [call] = await eventually(answered, timeout=10)
    assert str(call.fields["callback_query_id"]) == "4278655576057498272"
    message = await Message.get(direction="in")
    assert (message.content_type, message.payload) == ("button", "button2_bijoy")
