"""Gradual rollout: which conversations the escalation policy acts on.

A conversation's bucket is a stable hash of its id (BLAKE2b, not Python's ``hash()``, which
changes with every process), so the same conversation always lands on the same side of a
30 % rollout, in the live hub, in a replay and on another machine.
"""

from __future__ import annotations

import hashlib

from config.escalation import Rollout

BUCKETS = 10_000
_SALT = b"escalation-rollout:"


def bucket(conversation_id: str) -> float:
    """The conversation's place in [0, 100), to two decimals."""
    digest = hashlib.blake2b(_SALT + conversation_id.encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") % BUCKETS) * 100 / BUCKETS


def percent_for(
    rollout: Rollout, channel: str, inbox: str, topic: str | None, team: str | None
) -> float:
    """The percentage of the first rule whose every given key matches, else the default."""
    for rule in rollout.rules:
        wanted = {
            "channel": rule.channel,
            "inbox": rule.inbox,
            "topic": rule.topic,
            "team": rule.team,
        }
        have = {"channel": channel, "inbox": inbox, "topic": topic, "team": team}
        if all(v is None or have[k] == v for k, v in wanted.items()):
            return rule.percent
    return rollout.percent


def in_rollout(conversation_id: str, percent: float) -> bool:
    return bucket(conversation_id) < percent
