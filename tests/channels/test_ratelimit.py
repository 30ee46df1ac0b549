"""Token-bucket arithmetic with a fake clock: no wall-time assertions."""

from __future__ import annotations

import pytest

from channels import ratelimit
from channels.base import OutboundMessage
from channels.errors import TransientSendError
from channels.ratelimit import KeyedBuckets, Limiter, Rate, TokenBucket
from tests.channels import adapters


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_bucket_allows_a_burst_then_spaces_requests() -> None:
    bucket = TokenBucket(Rate.per(2, 1), now=0.0)
    waits = []
    for _ in range(4):
        waits.append(bucket.delay(0.0))
        bucket.take(0.0)
    assert waits == [0.0, 0.0, 0.5, 1.0]
    assert bucket.delay(1.5) == 0.0  # 1.5 s * 2/s refilled the two borrowed tokens and one more


def test_bucket_never_holds_more_than_its_burst() -> None:
    bucket = TokenBucket(Rate(per_second=1, burst=3), now=0.0)
    for _ in range(3):
        bucket.take(3600.0)
    assert bucket.delay(3600.0) == pytest.approx(1.0)


def test_rate_per_minute() -> None:
    rate = Rate.per(20, 60)
    assert rate.per_second == pytest.approx(1 / 3)
    assert rate.burst == 20


def test_limiter_overall_and_per_key_are_both_enforced(clock: FakeClock) -> None:
    limiter = Limiter("t", overall=Rate.per(3, 1), per_key=Rate.per(1, 1), clock=clock)
    assert [limiter.reserve("a"), limiter.reserve("b"), limiter.reserve("c")] == [0, 0, 0]
    assert limiter.reserve("d") == pytest.approx(1 / 3)  # overall bucket empty
    assert limiter.reserve("a") == pytest.approx(1.0)  # chat 'a' already sent this second


def test_limiter_hands_long_waits_back_as_transient(clock: FakeClock) -> None:
    limiter = Limiter("t", per_key=Rate.per(1, 1), clock=clock, max_wait=2.0)
    for _ in range(3):
        limiter.reserve("chat")
    with pytest.raises(TransientSendError) as caught:
        limiter.reserve("chat")
    assert caught.value.retry_after == pytest.approx(3.0)
    clock.now += 3.0
    assert limiter.reserve("chat") == pytest.approx(0.0)  # the refused call booked nothing


async def test_acquire_sleeps_the_reserved_time(clock: FakeClock) -> None:
    limiter = Limiter("t", overall=Rate.per(1, 1), clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await limiter.acquire()
    assert clock.sleeps == [1.0, 1.0]


def test_keyed_buckets_forget_the_least_recently_used(clock: FakeClock) -> None:
    buckets = KeyedBuckets(Rate.per(1, 1), max_keys=2)
    first = buckets.bucket("a", 0.0)
    buckets.bucket("b", 0.0)
    assert buckets.bucket("a", 0.0) is first  # touched: now the most recent
    buckets.bucket("c", 0.0)
    assert len(buckets) == 2
    assert buckets.bucket("a", 0.0) is first
    buckets.bucket("b", 0.0)
    assert len(buckets) == 2


def test_provider_limits_match_the_contracts_doc() -> None:
    assert ratelimit.WHATSAPP_PER_NUMBER.per_second == 80
    assert ratelimit.TELEGRAM_OVERALL.per_second == 30
    assert ratelimit.TELEGRAM_PER_CHAT.per_second == 1
    assert ratelimit.TELEGRAM_PER_GROUP.per_second == pytest.approx(20 / 60)
    assert ratelimit.MESSENGER_PER_PAGE.per_second == 300
    assert ratelimit.MESSENGER_MEDIA_PER_PAGE.per_second == 10
    assert ratelimit.TWILIO_PER_SENDER.per_second == 10


async def test_telegram_adapter_waits_per_chat(telegram_api, clock: FakeClock) -> None:
    tg = adapters.telegram(api_url=telegram_api.base_url)
    tg.limiter = Limiter(
        "tg",
        overall=ratelimit.TELEGRAM_OVERALL,
        per_key=ratelimit.TELEGRAM_PER_CHAT,
        clock=clock,
        sleep=clock.sleep,
    )
    for chat in ("1", "1", "2", "1"):
        await tg.send(OutboundMessage(recipient=chat, text="hi", reference="r"))
    await tg.close()
    assert clock.sleeps == [1.0, 1.0]  # the 2nd and 4th message to chat 1; chat 2 not delayed
    assert len(telegram_api.calls("sendMessage")) == 4


def test_telegram_groups_get_the_per_minute_limit() -> None:
    from channels.telegram import _chat_rate

    assert _chat_rate("-1002162095988") is ratelimit.TELEGRAM_PER_GROUP
    assert _chat_rate("714862471") is ratelimit.TELEGRAM_PER_CHAT


def test_messenger_audio_and_video_use_the_media_bucket() -> None:
    from channels.base import Attachment
    from channels.messenger import MEDIA_RATE_KEY, build_messages

    message = OutboundMessage(
        recipient="1",
        text="",
        reference="r",
        attachments=(
            Attachment(kind="video", url="https://x/v.mp4"),
            Attachment(kind="image", url="https://x/i.png"),
        ),
    )
    assert [key for _, key in build_messages(message)] == [MEDIA_RATE_KEY, None]


def test_twilio_limits_each_sender_and_whatsapp_uses_the_configured_rate() -> None:
    tw = adapters.twilio(messages_per_second=2)
    assert tw.sender_for("whatsapp:+15551234567") == "whatsapp:+14155238886"
    assert tw.sender_for("+15551234567") == "+14155238886"
    wa = adapters.whatsapp(messages_per_second=1000)
    assert wa.limiter.reserve() == 0.0
