"""Provider ids of any length get a stable key that fits the 255-character columns."""

from __future__ import annotations

import pytest

from channels.keys import HASHED_PREFIX, KEY_LIMIT, stable_key


@pytest.mark.parametrize("provider_id", ["wamid.xyz", "SM" + "a" * 32, "x" * KEY_LIMIT, ""])
def test_ids_that_fit_are_kept_as_they_are(provider_id: str) -> None:
    assert stable_key(provider_id) == provider_id


def test_two_long_ids_sharing_their_first_255_characters_get_different_keys() -> None:
    head = "m_" + "A" * (KEY_LIMIT - 2)
    first, second = head + "-first", head + "-second"
    assert first[:KEY_LIMIT] == second[:KEY_LIMIT]
    keys = {stable_key(first), stable_key(second)}
    assert len(keys) == 2
    for key in keys:
        assert len(key) <= KEY_LIMIT
        assert key.startswith(HASHED_PREFIX)
        assert "m_AAAA" in key  # the head stays readable
    assert stable_key(first) == stable_key(first)  # a redelivery finds its row


def test_any_length_and_any_character_gives_a_key_within_the_limit() -> None:
    for provider_id in ("é" * 10_000, "\ud83d" * 300, "\x00" * 256, "a" * 1_000_000):
        key = stable_key(provider_id)
        assert len(key) <= KEY_LIMIT
        key.encode("utf-8", "surrogatepass")


def test_a_short_id_that_looks_hashed_is_hashed_too() -> None:
    """Otherwise a provider could send the key of another, long id and collide with it."""
    long_id = "z" * 400
    forged = stable_key(long_id)
    assert stable_key(forged) != forged
    assert stable_key(forged) != stable_key(long_id)


def test_a_limit_too_small_for_the_digest_is_refused() -> None:
    with pytest.raises(ValueError, match="digest"):
        stable_key("x", limit=20)
