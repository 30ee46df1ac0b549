"""Attachment fetches: provider hosts only, redirects checked hop by hop, public addresses
only, credentials to the provider's own hosts only, bounded size."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from channels.errors import MediaRefused, PermanentSendError, SendError, TransientSendError
from channels.media_fetch import GuardedResolver, fetch_media
from channels.media_policy import (
    FetchPlan,
    MediaPolicy,
    is_public_address,
    plan_fetch,
    plan_redirect,
    policy_for,
    vet_addresses,
)
from config.inboxes import ApiInbox
from tests.channels import adapters
from tests.channels.deliveries import load

WA_URL = load("whatsapp_cloud/image_with_url.json")["entry"][0]["changes"][0]["value"]["messages"][
    0
]["image"]["url"]
TWILIO_URL = load("twilio/whatsapp_inbound_image.json")["params"]["MediaUrl0"]
MESSENGER_URL = load("messenger/composed/image_attachment_wrapped.json")["entry"][0]["messaging"][
    0
]["message"]["attachments"][0]["payload"]["url"]
TELEGRAM_URL = "https://api.telegram.org/file/bot123:ABC/photos/file_1.jpg"


def api_inbox(**changes: Any) -> ApiInbox:
    return ApiInbox.model_validate(
        {"slug": "api", "kind": "api", "secrets": {"signing_secret": "S"}, **changes}
    )


# -- the pure plan ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adapter", "url", "credentials"),
    [
        (adapters.whatsapp(), WA_URL, True),
        (adapters.whatsapp(), "https://graph.facebook.com/v24.0/65463453", True),
        (adapters.twilio(), TWILIO_URL, True),
        (adapters.messenger(), MESSENGER_URL, False),
        (adapters.telegram(), TELEGRAM_URL, True),
    ],
    ids=["whatsapp-lookaside", "whatsapp-graph", "twilio", "messenger-cdn", "telegram"],
)
def test_fixture_media_urls_are_allowed(adapter: Any, url: str, credentials: bool) -> None:
    plan = plan_fetch(adapter.media_policy, url)
    assert plan.url == url
    assert plan.credentials is credentials
    assert plan.check_addresses


@pytest.mark.parametrize(
    "url",
    [
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",  # not https
        "https://api.twilio.com:8443/2010-04-01/Accounts/AC1/Media/ME1",  # another port
        "https://api.twilio.com.evil.example/x",  # a suffix trick
        "https://evil.example/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://2130706433/x",  # 127.0.0.1 as one number: not a listed host either
        "https://user:pw@api.twilio.com/x",
        "ftp://api.twilio.com/x",
        "file:///etc/passwd",
        "",
        "http://[",
        "https://mms.twiliocdn.com/x",  # a redirect target, not a URL a webhook may name
        "https://s3-external-1.amazonaws.com/someone-elses-bucket/x",
    ],
)
def test_other_urls_are_refused_for_twilio(url: str) -> None:
    with pytest.raises(MediaRefused) as caught:
        plan_fetch(adapters.twilio().media_policy, url)
    assert caught.value.reason
    assert "\n" not in caught.value.reason
    assert isinstance(caught.value, SendError)  # the hub's media endpoint answers 502


@pytest.mark.parametrize(
    "url",
    ["https://fbcdn.net/x", "https://evilfbcdn.net/x", "https://scontent.xx.fbcdn.net.evil/x"],
)
def test_wildcards_match_subdomains_only(url: str) -> None:
    with pytest.raises(MediaRefused):
        plan_fetch(adapters.messenger().media_policy, url)


def test_twilio_redirect_to_its_cdn_drops_the_credentials() -> None:
    policy = adapters.twilio().media_policy
    first = plan_fetch(policy, TWILIO_URL)
    assert first.credentials
    cdn = plan_redirect(policy, first, "https://mms.twiliocdn.com/AC1/abc?Expires=1")
    assert (cdn.host, cdn.credentials, cdn.hop) == ("mms.twiliocdn.com", False, 1)
    same = plan_redirect(policy, first, "/2010-04-01/Accounts/AC1/Media/ME2")  # relative
    assert (same.host, same.credentials) == ("api.twilio.com", True)
    for location in ("https://evil.example/x", "http://mms.twiliocdn.com/x", None, ""):
        with pytest.raises(MediaRefused):
            plan_redirect(policy, first, location)


def test_redirect_chains_are_bounded() -> None:
    policy = adapters.twilio().media_policy
    plan = plan_fetch(policy, TWILIO_URL)
    for _ in range(policy.max_redirects):
        plan = plan_redirect(policy, plan, TWILIO_URL)
    with pytest.raises(MediaRefused, match="redirects"):
        plan_redirect(policy, plan, TWILIO_URL)


def test_messenger_never_sends_credentials_and_api_inboxes_need_media_hosts() -> None:
    assert adapters.messenger().media_policy.credential_hosts == ()
    with pytest.raises(MediaRefused):
        plan_fetch(policy_for(api_inbox()), "https://cdn.example.com/a.png")
    policy = policy_for(api_inbox(media_hosts=["cdn.example.com", "*.files.example.org"]))
    assert not plan_fetch(policy, "https://cdn.example.com/a.png").credentials
    assert plan_fetch(policy, "https://eu.files.example.org/a.png").check_addresses


def test_configured_api_base_is_trusted_exactly_as_written() -> None:
    policy = adapters.twilio(api_url="http://127.0.0.1:8765").media_policy
    plan = plan_fetch(policy, "http://127.0.0.1:8765/2010-04-01/Accounts/AC1/Media/ME1")
    assert (plan.credentials, plan.check_addresses) == (True, False)
    for other in ("http://127.0.0.1:8766/x", "https://127.0.0.1:8765/x", "http://localhost:8765/x"):
        with pytest.raises(MediaRefused):
            plan_fetch(policy, other)
    # the provider's own host stays under every check even when written as the base
    default = adapters.whatsapp(graph_url="https://graph.facebook.com").media_policy
    assert default.trusted == ()


# -- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "not an address",
        "",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "157.240.1.35", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def test_vet_addresses_needs_every_address_public() -> None:
    assert vet_addresses("h", ["8.8.8.8", "8.8.8.8", "1.1.1.1"]) == ("8.8.8.8", "1.1.1.1")
    with pytest.raises(MediaRefused, match="non-public"):
        vet_addresses("h", ["8.8.8.8", "10.0.0.1"])
    with pytest.raises(MediaRefused, match="does not resolve"):
        vet_addresses("h", [])


# -- the fetch loop, against a scripted HTTP session ------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"bytes"
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "image/png"
    json: Any = None


class _Content:
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def iter_chunked(self, size: int) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), size):
            yield self.body[start : start + size]


class _Response:
    def __init__(self, reply: Reply) -> None:
        self.status = reply.status
        self.headers = reply.headers
        self.content_type = reply.content_type
        self.content_length = len(reply.body)
        self.content = _Content(reply.body)
        self._json = reply.json

    async def json(self, content_type: Any = None) -> Any:
        return self._json


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    kwargs: dict[str, Any]


class ScriptedSession:
    """Answers requests from a dict url -> Reply and records what was sent."""

    def __init__(self, replies: dict[str, Reply]) -> None:
        self.replies = replies
        self.sent: list[Sent] = []

    @asynccontextmanager
    async def request(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[_Response]:
        headers = dict(kwargs.pop("headers", None) or {})
        self.sent.append(Sent(method, url, headers, kwargs))
        if url not in self.replies:
            raise AssertionError(f"unexpected request to {url}")
        yield _Response(self.replies[url])

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)


class Resolver:
    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked.append(host)
        return self.table.get(host, [])


CDN = "https://mms.twiliocdn.com/AC1/file?Expires=1"
PUBLIC = {"api.twilio.com": ["54.172.60.0"], "mms.twiliocdn.com": ["13.224.0.1"]}
AUTH = {"Authorization": "Basic secret"}


async def test_fetch_follows_an_allowed_redirect_without_the_credentials() -> None:
    session = ScriptedSession(
        {
            TWILIO_URL: Reply(307, b"", {"Location": CDN}),
            CDN: Reply(body=b"png", content_type="image/png"),
        }
    )
    resolver = Resolver(PUBLIC)
    content, mime = await fetch_media(
        session, adapters.twilio().media_policy, TWILIO_URL, AUTH, resolver
    )
    assert (content, mime) == (b"png", "image/png")
    assert [s.url for s in session.sent] == [TWILIO_URL, CDN]
    assert session.sent[0].headers == AUTH
    assert session.sent[1].headers == {}  # the CDN never sees the auth token
    assert all(s.kwargs["allow_redirects"] is False for s in session.sent)
    assert resolver.asked == ["api.twilio.com", "mms.twiliocdn.com"]


async def test_fetch_refuses_a_redirect_off_the_list_before_requesting_it() -> None:
    session = ScriptedSession(
        {TWILIO_URL: Reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})}
    )
    with pytest.raises(MediaRefused):
        await fetch_media(
            session, adapters.twilio().media_policy, TWILIO_URL, AUTH, Resolver(PUBLIC)
        )
    assert len(session.sent) == 1


async def test_fetch_refuses_an_allowed_name_that_resolves_inside_the_network() -> None:
    session = ScriptedSession({TWILIO_URL: Reply()})
    resolver = Resolver({"api.twilio.com": ["54.172.60.0", "127.0.0.1"]})
    with pytest.raises(MediaRefused, match="non-public"):
        await fetch_media(session, adapters.twilio().media_policy, TWILIO_URL, AUTH, resolver)
    assert session.sent == []  # nothing was requested, credentials included


async def test_fetch_stops_at_the_size_limit() -> None:
    policy = MediaPolicy(
        "twilio",
        entry_hosts=("api.twilio.com",),
        redirect_hosts=("api.twilio.com",),
        credential_hosts=("api.twilio.com",),
        max_bytes=1024,
    )
    big = ScriptedSession({TWILIO_URL: Reply(body=b"x" * 1025)})
    with pytest.raises(MediaRefused, match="larger"):
        await fetch_media(big, policy, TWILIO_URL, AUTH, Resolver(PUBLIC))
    fits = ScriptedSession({TWILIO_URL: Reply(body=b"x" * 1024)})
    content, _ = await fetch_media(fits, policy, TWILIO_URL, AUTH, Resolver(PUBLIC))
    assert len(content) == 1024


@pytest.mark.parametrize(
    ("status", "error"), [(404, PermanentSendError), (503, TransientSendError)]
)
async def test_fetch_maps_provider_statuses(status: int, error: type[Exception]) -> None:
    session = ScriptedSession({TWILIO_URL: Reply(status)})
    with pytest.raises(error):
        await fetch_media(
            session, adapters.twilio().media_policy, TWILIO_URL, AUTH, Resolver(PUBLIC)
        )


async def test_twilio_adapter_sends_no_credentials_to_a_foreign_media_url() -> None:
    session = ScriptedSession({})
    tw = adapters.twilio(http=session)
    with pytest.raises(MediaRefused):
        await tw.fetch_media("https://attacker.example/steal")
    assert session.sent == []


async def test_whatsapp_media_id_must_be_one_path_segment() -> None:
    session = ScriptedSession({})
    wa = adapters.whatsapp(http=session)
    for media_id in ("../me/accounts", "me?fields=access_token", "", "a/b"):
        with pytest.raises(MediaRefused):
            await wa.fetch_media(media_id)
    assert session.sent == []


async def test_whatsapp_media_url_off_meta_hosts_is_refused_without_the_token() -> None:
    meta_url = "https://graph.facebook.com/v24.0/65463453"
    session = ScriptedSession({meta_url: Reply(json={"url": "https://evil.example/x"})})
    wa = adapters.whatsapp(http=session)
    with pytest.raises(MediaRefused):
        await wa.fetch_media("65463453")
    assert [s.url for s in session.sent] == [meta_url]


# -- the aiohttp resolver ---------------------------------------------------------------


class _Inner:
    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts

    async def resolve(self, host: str, port: int = 0, family: Any = 0) -> list[dict[str, Any]]:
        return [{"hostname": host, "host": h, "port": port} for h in self.hosts]

    async def close(self) -> None:
        return None


async def test_guarded_resolver_drops_private_addresses_and_fails_when_none_is_left() -> None:
    mixed = GuardedResolver(inner=_Inner(["10.0.0.1", "8.8.8.8"]))  # type: ignore[arg-type]
    assert [r["host"] for r in await mixed.resolve("cdn.example")] == ["8.8.8.8"]
    private = GuardedResolver(inner=_Inner(["127.0.0.1"]))  # type: ignore[arg-type]
    with pytest.raises(OSError, match="no public address"):
        await private.resolve("cdn.example")
    exempt = GuardedResolver(frozenset({"fake.test"}), inner=_Inner(["127.0.0.1"]))  # type: ignore[arg-type]
    assert [r["host"] for r in await exempt.resolve("fake.test")] == ["127.0.0.1"]


def test_plans_are_plain_values() -> None:
    plan = FetchPlan(
        "https://a.example/x", "a.example", 443, credentials=False, check_addresses=True
    )
    with pytest.raises(AttributeError):
        plan.credentials = True  # type: ignore[misc]
