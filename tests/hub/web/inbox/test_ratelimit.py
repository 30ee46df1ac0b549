"""Login throttling, on a fake clock."""

from __future__ import annotations

from hub.web.inbox.ratelimit import Limits, LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_email_is_held_after_its_budget_until_the_oldest_failure_ages_out() -> None:
    clock = Clock()
    limiter = LoginLimiter(Limits(per_email=3, per_address=100, window_s=60), clock)
    for _ in range(3):
        assert limiter.retry_after("Ana@x.io", "1.1.1.1") == 0
        limiter.failed("ana@x.io", "1.1.1.1")
        clock.now += 10
    assert limiter.retry_after("ANA@x.io", "2.2.2.2") == 30  # any address, any case
    assert limiter.retry_after("bo@x.io", "1.1.1.1") == 0
    clock.now += 30
    assert limiter.retry_after("ana@x.io", "1.1.1.1") == 0


def test_an_address_guessing_many_emails_is_held() -> None:
    clock = Clock()
    limiter = LoginLimiter(Limits(per_email=100, per_address=4, window_s=60), clock)
    for n in range(4):
        limiter.failed(f"user{n}@x.io", "9.9.9.9")
    assert limiter.retry_after("someone-new@x.io", "9.9.9.9") > 0
    assert limiter.retry_after("someone-new@x.io", "8.8.8.8") == 0


def test_success_clears_the_email_but_not_the_address() -> None:
    clock = Clock()
    limiter = LoginLimiter(Limits(per_email=2, per_address=3, window_s=60), clock)
    limiter.failed("ana@x.io", "1.1.1.1")
    limiter.failed("ana@x.io", "1.1.1.1")
    limiter.succeeded("ana@x.io")
    assert limiter.retry_after("ana@x.io", "7.7.7.7") == 0
    limiter.failed("bo@x.io", "1.1.1.1")
    assert limiter.retry_after("carl@x.io", "1.1.1.1") > 0


def test_memory_is_bounded_under_a_flood_of_random_emails() -> None:
    clock = Clock()
    limiter = LoginLimiter(Limits(per_email=5, per_address=5, window_s=60, max_keys=100), clock)
    for n in range(10_000):
        limiter.failed(f"random{n}@x.io", f"10.0.{n // 256}.{n % 256}")
    assert limiter.keys <= 200
