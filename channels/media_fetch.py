"""Fetching an attachment under its inbox's :class:`~channels.media_policy.MediaPolicy`.

The I/O half of the media policy, used by the adapters' ``fetch_media``: every hop is
planned by the policy (redirects are followed here, one at a time, never by aiohttp, so
credentials cannot ride a redirect to another host), the host's addresses are resolved and
vetted before each request, and the body is read up to ``max_bytes`` within
``timeout_s``. :class:`GuardedResolver` is the same address check as an aiohttp resolver,
for a session whose every connection must be vetted at connect time (no second lookup
between the check and the connection).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from channels.errors import MediaRefused, PermanentSendError, TransientSendError
from channels.media_policy import (
    REDIRECT_STATUSES,
    FetchPlan,
    MediaPolicy,
    is_public_address,
    plan_fetch,
    plan_redirect,
    vet_addresses,
)

#: ``(host, port) -> addresses``; injected in tests, :func:`system_resolve` otherwise.
Resolve = Callable[[str, int], Awaitable[Sequence[str]]]
CHUNK = 64 * 1024


async def system_resolve(host: str, port: int) -> Sequence[str]:
    """The addresses the OS resolver gives for ``host`` (what aiohttp will connect to)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TransientSendError(f"{host} does not resolve now: {exc!r}", "dns") from None
    return [str(info[4][0]) for info in infos]


async def fetch_media(
    http: Any,
    policy: MediaPolicy,
    url: str,
    credentials: Mapping[str, str],
    resolve: Resolve = system_resolve,
) -> tuple[bytes, str]:
    """The bytes and content type at ``url``; ``credentials`` (headers) only where the plan
    says so. Refusals raise :class:`MediaRefused`; provider failures the usual
    transient/permanent :class:`~channels.errors.SendError`."""
    plan: FetchPlan = plan_fetch(policy, url)
    timeout = aiohttp.ClientTimeout(total=policy.timeout_s, sock_connect=10)
    try:
        async with asyncio.timeout(policy.timeout_s):
            while True:
                if plan.check_addresses:
                    vet_addresses(plan.host, await resolve(plan.host, plan.port))
                headers = dict(credentials) if plan.credentials else {}
                async with http.get(
                    plan.url, headers=headers, allow_redirects=False, timeout=timeout
                ) as response:
                    if response.status in REDIRECT_STATUSES:
                        plan = plan_redirect(policy, plan, response.headers.get("Location"))
                        continue
                    _raise_for_status(response.status)
                    return await _read_limited(response, policy.max_bytes), response.content_type
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise TransientSendError(f"media download failed: {exc!r}", "network") from exc


def _raise_for_status(status: int) -> None:
    if status == 429 or status >= 500:
        raise TransientSendError(f"media download answered {status}", "http")
    if status >= 400:
        raise PermanentSendError(f"media download answered {status}", "http")


async def _read_limited(response: Any, limit: int) -> bytes:
    length = response.content_length
    if length is not None and length > limit:
        raise MediaRefused(f"the medium is larger than {limit // (1024 * 1024)} MiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            raise MediaRefused(f"the medium is larger than {limit // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that drops every non-public address and fails when none is left;
    hosts in ``exempt`` (the configured API bases) resolve unfiltered.

    Use it on the session that fetches stored media URLs:
    ``aiohttp.TCPConnector(resolver=GuardedResolver(exempt=...))``. aiohttp does not call
    a resolver for IP literals: :func:`~channels.media_policy.plan_fetch` refuses those.
    """

    def __init__(
        self, exempt: frozenset[str] = frozenset(), inner: AbstractResolver | None = None
    ) -> None:
        self.exempt = exempt
        self.inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        if host.lower() in self.exempt:
            return found
        public = [r for r in found if is_public_address(str(r["host"]))]
        if not public:
            raise OSError(f"{host} resolves to no public address")
        return public

    async def close(self) -> None:
        await self.inner.close()
