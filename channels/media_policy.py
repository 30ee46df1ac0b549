"""Which attachment URLs may be fetched, and which requests may carry provider credentials.

Pure decisions, no sockets: the fetch itself (``channels/media_fetch.py`` for the adapters,
``hub/web/media.py`` for stored URLs) asks :func:`plan_fetch` before the first request,
:func:`plan_redirect` before following each redirect (never let the HTTP client follow
them), and :func:`vet_addresses` on what DNS returned before connecting.

The rules, per inbox (:func:`policy_for`):

- a URL from a webhook or a provider answer is fetched only from that provider's media
  hosts (``https`` only, default port, no user-info), redirects only to the provider's
  redirect hosts, at most :attr:`MediaPolicy.max_redirects` times;
- provider credentials (WhatsApp bearer token, Twilio Basic auth, a Telegram file URL's
  token) go only to the provider's own API hosts, never to a CDN a redirect names;
- every host must resolve to public addresses only: private, loopback, link-local,
  multicast, reserved and unspecified addresses (IPv4-mapped, NAT64 and 6to4 forms
  included) are refused, checked after DNS resolution;
- the API base URL the operator configured (``graph_url``, ``api_url``) is trusted as
  written, scheme and port included, and exempt from the address check: that is how
  tests and on-premises proxies point an inbox at a local server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from channels.errors import MediaRefused
from config.inboxes import (
    InboxConfig,
    MessengerInbox,
    TelegramInbox,
    TwilioInbox,
    WhatsAppCloudInbox,
)

MiB = 1024 * 1024
DEFAULT_PORTS = {"https": 443, "http": 80}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

GRAPH_HOSTS = ("graph.facebook.com",)
#: WhatsApp Cloud media URLs: ``GET /{media-id}`` answers ``lookaside.fbsbx.com/...``.
WHATSAPP_MEDIA_HOSTS = ("lookaside.fbsbx.com",)
#: Meta CDNs a media URL may redirect to; they never get the token.
META_CDN_HOSTS = ("*.fbcdn.net", "*.fbsbx.com", "*.whatsapp.net")
TWILIO_API_HOSTS = ("api.twilio.com",)
#: Where Twilio's media URLs redirect: ``mms.twiliocdn.com`` (HTTP auth enforced) or the
#: older public S3 URLs (Twilio's "Protect media access with HTTP Basic Authentication").
TWILIO_MEDIA_HOSTS = ("mms.twiliocdn.com", "media.twiliocdn.com", "s3-external-1.amazonaws.com")
TELEGRAM_API_HOSTS = ("api.telegram.org",)


@dataclass(frozen=True, slots=True)
class Origin:
    """A configured base URL: scheme, host and port as the operator wrote them."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin | None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        return cls(scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[scheme])


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    """What one inbox may fetch; built from its config by :func:`policy_for`."""

    kind: str
    entry_hosts: tuple[str, ...]  #: where a media URL itself may point
    redirect_hosts: tuple[str, ...]  #: where a redirect may lead (entry hosts included)
    credential_hosts: tuple[str, ...]  #: the provider's own hosts: the only ones given secrets
    trusted: tuple[Origin, ...] = ()  #: configured API bases: allowed as written, any address
    max_redirects: int = 3
    max_bytes: int = 25 * MiB
    timeout_s: float = 60.0


@dataclass(frozen=True, slots=True)
class FetchPlan:
    """One request the policy allows: where, with or without credentials, and whether the
    resolved addresses must be vetted before connecting."""

    url: str
    host: str
    port: int
    credentials: bool
    check_addresses: bool
    hop: int = 0


def host_matches(host: str, pattern: str) -> bool:
    """``pattern`` is a host name, or ``*.suffix`` for any name below ``suffix``."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def _listed(host: str, patterns: Iterable[str]) -> bool:
    return any(host_matches(host, p) for p in patterns)


def plan_fetch(policy: MediaPolicy, url: str, *, redirect: bool = False, hop: int = 0) -> FetchPlan:
    """The request to make for ``url``, or :class:`MediaRefused` with a one-line reason."""
    if not isinstance(url, str) or not url or len(url) > 8192:
        raise MediaRefused("the media URL is empty or too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise MediaRefused("the media URL does not parse") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in DEFAULT_PORTS or not host:
        raise MediaRefused("only http(s) URLs with a host are fetched")
    if parts.username is not None or parts.password is not None:
        raise MediaRefused("media URLs with user info are not fetched")
    origin = Origin(scheme, host, port or DEFAULT_PORTS[scheme])
    if origin in policy.trusted:
        return FetchPlan(url, host, origin.port, credentials=True, check_addresses=False, hop=hop)
    if _is_ip_literal(host):
        raise MediaRefused(f"{policy.kind} media are not fetched from an IP address")
    allowed = policy.redirect_hosts if redirect else policy.entry_hosts
    if not _listed(host, allowed):
        what = "a redirect to" if redirect else "media from"
        raise MediaRefused(f"{what} {host} is not allowed for {policy.kind} inboxes")
    if scheme != "https" or origin.port != DEFAULT_PORTS["https"]:
        raise MediaRefused(f"{host}: media are fetched over https on port 443 only")
    return FetchPlan(
        url,
        host,
        origin.port,
        credentials=_listed(host, policy.credential_hosts),
        check_addresses=True,
        hop=hop,
    )


def plan_redirect(policy: MediaPolicy, current: FetchPlan, location: str | None) -> FetchPlan:
    """The next request after ``current`` answered a redirect to ``location`` (resolved
    against the current URL); credentials only if the new host is the provider's own."""
    if current.hop + 1 > policy.max_redirects:
        raise MediaRefused(f"more than {policy.max_redirects} redirects")
    if not location:
        raise MediaRefused("a redirect without a Location")
    return plan_fetch(policy, urljoin(current.url, location), redirect=True, hop=current.hop + 1)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address. IPv6 forms that embed an IPv4
    address (mapped ``::ffff:a.b.c.d``, NAT64, 6to4) are judged by the embedded address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(str(embedded))
        if ip.teredo is not None:
            return False
    return ip.is_global and not ip.is_multicast


def vet_addresses(host: str, addresses: Iterable[str]) -> tuple[str, ...]:
    """``addresses`` (what DNS gave for ``host``) when every one is public; otherwise
    :class:`MediaRefused`. All, not any: a name that also resolves inside the network is
    refused, so a resolver answering differently on the next lookup cannot help."""
    found = tuple(dict.fromkeys(addresses))
    if not found:
        raise MediaRefused(f"{host} does not resolve")
    private = [a for a in found if not is_public_address(a)]
    if private:
        raise MediaRefused(f"{host} resolves to a non-public address")
    return found


def policy_for(inbox: InboxConfig) -> MediaPolicy:
    """The media policy of one inbox, from its kind and config."""
    extra = tuple(inbox.media_hosts)
    kind = inbox.kind
    if isinstance(inbox, WhatsAppCloudInbox):
        own = GRAPH_HOSTS + WHATSAPP_MEDIA_HOSTS
        return MediaPolicy(
            kind,
            entry_hosts=own + extra,
            redirect_hosts=own + META_CDN_HOSTS + extra,
            credential_hosts=own,
            trusted=_trusted(str(inbox.graph_url), own),
            max_bytes=100 * MiB,  # WhatsApp's document limit
        )
    if isinstance(inbox, MessengerInbox):
        return MediaPolicy(
            kind,
            entry_hosts=META_CDN_HOSTS + extra,
            redirect_hosts=META_CDN_HOSTS + extra,
            credential_hosts=(),  # attachment URLs are signed; the page token never leaves
        )
    if isinstance(inbox, TwilioInbox):
        return MediaPolicy(
            kind,
            entry_hosts=TWILIO_API_HOSTS + extra,
            redirect_hosts=TWILIO_API_HOSTS + TWILIO_MEDIA_HOSTS + extra,
            credential_hosts=TWILIO_API_HOSTS,
            trusted=_trusted(str(inbox.api_url) if inbox.api_url else None, TWILIO_API_HOSTS),
            max_bytes=32 * MiB,
        )
    if isinstance(inbox, TelegramInbox):
        return MediaPolicy(
            kind,
            entry_hosts=TELEGRAM_API_HOSTS + extra,
            redirect_hosts=TELEGRAM_API_HOSTS + extra,
            credential_hosts=TELEGRAM_API_HOSTS,
            trusted=_trusted(str(inbox.api_url) if inbox.api_url else None, TELEGRAM_API_HOSTS),
            max_bytes=20 * MiB,  # the Bot API's download limit
        )
    return MediaPolicy(kind, entry_hosts=extra, redirect_hosts=extra, credential_hosts=())


def _trusted(url: str | None, own: tuple[str, ...]) -> tuple[Origin, ...]:
    """A configured base URL other than the provider's own host (those keep every check)."""
    origin = Origin.of(url) if url else None
    if origin is None or _listed(origin.host, own):
        return ()
    return (origin,)
