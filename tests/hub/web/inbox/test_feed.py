"""The feed's replay buffer: what a resuming socket can and cannot be given."""

from __future__ import annotations

from pathlib import Path

from hub.store.models import Contact, ContactIdentity, Conversation, Inbox
from hub.web.inbox.feed import BATCH, FeedEvent, InboxFeed
from tests.support.harness import HubHarness


def _feed(buffer_size: int) -> InboxFeed:
    feed = InboxFeed(lambda: None, buffer_size=buffer_size)  # type: ignore[arg-type,return-value]
    for n in range(1, 8):
        feed.seq = n
        feed._publish(FeedEvent(n, "message", 1, {"n": n}))
    return feed


def test_a_resume_within_the_buffer_gets_every_missed_event_in_order() -> None:
    feed = _feed(buffer_size=5)  # holds 3..7
    assert [e.seq for e in feed.since(feed.epoch, 2) or []] == [3, 4, 5, 6, 7]
    assert feed.since(feed.epoch, 7) == []


def test_a_resume_the_buffer_cannot_serve_must_resync() -> None:
    feed = _feed(buffer_size=5)
    assert feed.since(feed.epoch, 1) is None  # event 2 is gone
    assert feed.since("another-process", 6) is None
    assert feed.since(feed.epoch, 99) is None  # numbers from a previous run


async def test_a_burst_larger_than_one_poll_is_read_to_the_end(tmp_path: Path) -> None:
    harness = HubHarness(tmp_path)
    await harness.start()
    try:
        assert harness.runtime is not None
        runtime = harness.runtime
        feed = InboxFeed(lambda: runtime.ctx)
        await feed.prime()  # polled by hand below, not by its task
        inbox = await Inbox.get(slug="web")
        contact = await Contact.create(name="Many")
        identity = await ContactIdentity.create(inbox=inbox, source_id="m", contact=contact)
        await Conversation.bulk_create(
            [
                Conversation(contact=contact, inbox=inbox, identity=identity)
                for _ in range(BATCH + 20)
            ]
        )
        seen: set[int] = set()
        for _ in range(5):
            seen |= {e.conversation_id for e in await feed.poll()}
        assert len(seen) == BATCH + 20
        assert await feed.poll() == []  # and each only once
    finally:
        await harness.close()
