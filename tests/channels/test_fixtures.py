"""Every fixture file, verified and parsed at the adapter level, against expectations.py."""

from __future__ import annotations

import fnmatch
import logging
from typing import Any

import pytest

from channels.base import InboundItem
from tests.channels.adapters import FACTORIES
from tests.channels.deliveries import FIXTURES, VECTOR, channel_of, deliveries
from tests.channels.expectations import ANY, CASES, COMPANIONS, Case, Item
from tests.channels.recipients import binding_of

CASE_IDS = sorted(rel for rel, case in CASES.items() if case.shape != VECTOR)


def all_fixture_files() -> set[str]:
    return {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.is_file()}


def test_fixture_folder_is_there() -> None:
    assert FIXTURES.is_dir(), f"shared fixtures not found at {FIXTURES}"
    assert len(all_fixture_files()) > 50


def test_every_fixture_has_an_expectation() -> None:
    missing = all_fixture_files() - set(CASES) - set(COMPANIONS)
    assert not missing, f"add these files to tests/channels/expectations.py: {sorted(missing)}"
    stale = (set(CASES) | set(COMPANIONS)) - all_fixture_files()
    assert not stale, f"expectations for files that no longer exist: {sorted(stale)}"


def check_item(got: InboundItem, want: Item, where: str) -> None:
    def same(field: str, actual: Any, expected: Any) -> None:
        if expected is ANY:
            return
        assert actual == expected, f"{where}: {field} is {actual!r}, expected {expected!r}"

    same("kind", got.kind.value, want.kind)
    same("content_type", got.content_type, want.content_type)
    assert fnmatch.fnmatchcase(got.event_id, want.event_id), f"{where}: event_id {got.event_id!r}"
    same("source_id", got.source_id, want.source_id)
    same("text", got.text, want.text)
    same("payload", got.payload, want.payload)
    same("status", got.status.value if got.status else None, want.status)
    same("message_id", got.message_id, want.message_id)
    same("reply_to", got.reply_to, want.reply_to)
    same("error", got.error, want.error)
    same("name", got.profile.name if got.profile else None, want.name)
    same("phone", got.profile.phone if got.profile else None, want.phone)
    same("attachments", tuple(a.kind for a in got.attachments), want.attachments)
    if want.data is not ANY:
        for key, value in want.data.items():
            assert key in got.data, f"{where}: data has no {key!r}"
            same(f"data[{key}]", got.data[key], value)


@pytest.mark.parametrize("rel", CASE_IDS)
def test_fixture_parses_as_expected(rel: str, caplog: pytest.LogCaptureFixture) -> None:
    case: Case = CASES[rel]
    posts = deliveries(rel, case.shape)
    adapter = FACTORIES[channel_of(rel)](secret=posts[0].secret, **binding_of(posts[0]))
    assert len(posts) == len(case.deliveries), f"{rel}: {len(posts)} POSTs"
    caplog.set_level(logging.INFO)
    for number, (post, wanted) in enumerate(zip(posts, case.deliveries, strict=True)):
        request = post.request()
        adapter.verify(request)
        items = adapter.parse(request)
        assert len(items) == len(wanted), f"{rel}#{number}: {len(items)} items: {items}"
        for index, (got, want) in enumerate(zip(items, wanted, strict=True)):
            check_item(got, want, f"{rel}#{number}[{index}]")
            assert InboundItem.from_json(got.to_json()) == got, "items must round-trip as JSON"
            # Customer text and phone numbers never reach logs above DEBUG.
            for record in caplog.records:
                message = record.getMessage()
                for secret in (got.text, got.profile.phone if got.profile else None):
                    if secret and len(secret) > 3:
                        assert secret not in message, f"{rel}: logged {secret!r}"
