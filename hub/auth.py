"""Who is calling: signed visitor tokens for the web chat, bearer tokens for agents."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from config.settings import Settings
from hub.errors import HubError
from hub.store.models import Agent, ApiToken

_hasher = PasswordHasher()


def secret_key(settings: Settings) -> str:
    """``HUB_SECRET_KEY``, else a random key created once under the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True, slots=True)
class Visitor:
    inbox: str
    visitor_id: str


class VisitorTokens:
    """Signed, expiring tokens: a visitor can only ever read its own conversation.

    A widget presents the same token on its socket and on every message, so verified
    signatures are remembered (bounded, per process): checking one costs a dictionary
    lookup instead of an HMAC and a JSON decode. Expiry is still checked on every read,
    and a token enters the memo only as the serializer's own verdict on it."""

    def __init__(self, key: str, max_age_days: int, memo_size: int = 8192) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="hub.webchat.visitor")
        self._max_age_s = max_age_days * 86400
        self._verified = lru_cache(maxsize=memo_size)(self._verify)

    def issue(self, inbox: str) -> tuple[str, Visitor]:
        visitor = Visitor(inbox, "v_" + secrets.token_urlsafe(18))
        return self.sign(visitor), visitor

    def sign(self, visitor: Visitor) -> str:
        return str(self._serializer.dumps({"i": visitor.inbox, "v": visitor.visitor_id}))

    def read(self, token: str, inbox: str) -> Visitor | None:
        verified = self._verified(token)
        if verified is None:
            return None
        visitor, signed_at = verified
        if time.time() - signed_at > self._max_age_s or visitor.inbox != inbox:
            return None
        return visitor

    def _verify(self, token: str) -> tuple[Visitor, float] | None:
        """The visitor a genuine token names and when it was signed; None if forged."""
        try:
            data, signed_at = self._serializer.loads(token, return_timestamp=True)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        if not isinstance(data, dict) or not data.get("i") or not data.get("v"):
            return None
        return Visitor(str(data["i"]), str(data["v"])), signed_at.timestamp()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_api_token(
    agent: Agent, name: str = "", expires_in: timedelta | None = None
) -> str:
    """A new bearer token for ``agent``; only its digest is stored. ``expires_in``: the
    token stops working after that long (else only ``HUB_TOKEN_TTL_DAYS`` limits it)."""
    token = "hub_" + secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    await ApiToken.create(
        agent_id=agent.id, token_hash=_token_digest(token), name=name, expires_at=expires_at
    )
    return token


def token_usable(row: ApiToken, now: datetime, ttl: timedelta | None = None) -> bool:
    """Not revoked, not past its own expiry, and younger than ``ttl`` (the deployment's
    ``HUB_TOKEN_TTL_DAYS``, which also ends tokens created before it was set)."""
    if row.revoked_at is not None:
        return False
    if row.expires_at is not None and now >= row.expires_at:
        return False
    return ttl is None or now < row.created_at + ttl


async def agent_for_token(token: str, ttl: timedelta | None = None) -> Agent | None:
    """The agent a usable token belongs to, unless that agent is disabled."""
    if not token:
        return None
    row = await ApiToken.get_or_none(token_hash=_token_digest(token))
    now = datetime.now(UTC)
    if row is None or not token_usable(row, now, ttl):
        return None
    agent = await Agent.get_or_none(id=row.agent_id, disabled_at=None)
    if agent is None:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return agent


class AccessError(HubError):
    """A token or agent named on the command line that does not exist."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as ``hub tokens list`` shows it (never the token itself: only its hash is
    stored)."""

    id: int
    agent_email: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


async def list_tokens(email: str | None = None) -> list[TokenInfo]:
    query = ApiToken.all().prefetch_related("agent").order_by("id")
    if email is not None:
        query = query.filter(agent__email=email.lower())
    return [
        TokenInfo(
            r.id, r.agent.email, r.name, r.created_at, r.last_used_at, r.expires_at, r.revoked_at
        )
        for r in await query
    ]


async def revoke_tokens(token_id: int | None = None, email: str | None = None) -> int:
    """Revoke one token by id, or every token of an agent; returns how many were revoked
    now (revoking twice is not an error, and keeps the first revocation time)."""
    query = ApiToken.filter(revoked_at=None)
    if token_id is not None:
        if not await ApiToken.exists(id=token_id):
            raise AccessError(f"no token {token_id}")
        query = query.filter(id=token_id)
    elif email is not None:
        agent = await Agent.get_or_none(email=email.lower())
        if agent is None:
            raise AccessError(f"no agent with email {email}")
        query = query.filter(agent_id=agent.id)
    else:
        raise AccessError("name a token id or an agent")
    return await query.update(revoked_at=datetime.now(UTC))


async def set_agent_disabled(email: str, disabled: bool) -> None:
    """Disable (every token stops working at once) or enable an agent again; their tokens
    are kept, so enabling restores exactly the access they had."""
    agent = await Agent.get_or_none(email=email.lower())
    if agent is None:
        raise AccessError(f"no agent with email {email}")
    await Agent.filter(id=agent.id).update(disabled_at=datetime.now(UTC) if disabled else None)
