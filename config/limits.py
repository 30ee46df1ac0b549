"""``limits:`` in ``hub.yaml``: how fast one client may call the hub before it gets 429.

A rate is ``count`` requests per ``per_s`` seconds, with bursts of up to ``burst`` (default:
``count``). The web chat is open to anyone, so its messages are limited per visitor, per
IP address and per inbox (the last bounds a flood spread over many visitors and
addresses), its new sessions per IP and per inbox; the agent API per agent.
"""

from __future__ import annotations

from pydantic import Field

from config.validation import StrictModel


class RateDef(StrictModel):
    count: int = Field(ge=1, le=1_000_000)
    per_s: float = Field(gt=0, le=86_400)
    burst: int | None = Field(default=None, ge=1, le=1_000_000)


class LimitsDef(StrictModel):
    #: off: no request is ever refused for its rate (benchmarks, trusted networks)
    enabled: bool = True
    visitor_messages: RateDef = RateDef(count=30, per_s=60, burst=10)
    ip_messages: RateDef = RateDef(count=300, per_s=60, burst=60)
    inbox_messages: RateDef = RateDef(count=6000, per_s=60, burst=600)
    ip_sessions: RateDef = RateDef(count=30, per_s=60, burst=10)
    inbox_sessions: RateDef = RateDef(count=1200, per_s=60, burst=200)
    agent_requests: RateDef = RateDef(count=600, per_s=60, burst=120)
    #: clients remembered per limit; the least recently seen are forgotten first
    max_clients: int = Field(default=50_000, ge=100, le=10_000_000)
