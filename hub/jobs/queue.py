"""The queue interface both backends implement; the database stays the source of truth."""

from __future__ import annotations

from abc import ABC, abstractmethod


class JobQueue(ABC):
    """Enqueue a named job with one id argument; ``job_id`` makes enqueueing idempotent."""

    @abstractmethod
    async def enqueue(
        self, name: str, arg: str | int, *, job_id: str, delay_s: float = 0.0
    ) -> None: ...

    async def close(self) -> None:
        """Stop taking jobs."""
