"""Full concurrency: a sliding window over a stream of work, plus client-side rate limits.

A bounded queue feeds a fixed pool of async workers, so there is no barrier: a slow or hung
call holds one worker while the others keep going, and memory holds at most the queue plus the
calls in flight. :class:`RateLimits` keeps requests and tokens per minute under a budget.

>>> import asyncio
>>> seen = []
>>> async def double(x): return 2 * x
>>> asyncio.run(run_window(range(5), double, lambda x, y: seen.append(y), workers=2))
>>> sorted(seen)
[0, 2, 4, 6, 8]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["RateLimits", "TokenBucket", "run_window", "until"]

T = TypeVar("T")
R = TypeVar("R")
_STOP = object()


def until(stop: Callable[[], bool], items: Iterable[T]) -> Iterator[T]:
    """``items`` until ``stop()`` says so (asked before each item is handed out), e.g. a cost
    budget's ``exhausted``: work not yet started is left for ``--resume``."""
    for item in items:
        if stop():
            return
        yield item


async def run_window(
    items: Iterable[T] | AsyncIterable[T],
    work: Callable[[T], Awaitable[R]],
    done: Callable[[T, R], None],
    *,
    workers: int,
    queue_size: int | None = None,
) -> None:
    """Run ``work`` on every item with ``workers`` concurrent workers; call ``done`` as each
    finishes (in completion order). ``work`` should not raise: any exception (or one from
    ``done``, e.g. a full disk) cancels the rest and propagates."""
    workers = max(1, workers)
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=queue_size or 2 * workers)

    async def feed() -> None:
        if isinstance(items, AsyncIterable):
            async for item in items:
                await queue.put(item)
        else:
            for item in items:
                await queue.put(item)
        for _ in range(workers):
            await queue.put(_STOP)

    async def worker() -> None:
        while True:
            item = await queue.get()
            if item is _STOP:
                return
            done(item, await work(item))  # type: ignore[arg-type]

    tasks = [asyncio.ensure_future(feed())] + [asyncio.ensure_future(worker())
                                                for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class TokenBucket:
    """``per_minute`` units per minute, bursting up to one minute's worth.

    ``acquire(n)`` waits until the bucket holds ``n`` units (at most one minute's worth) and takes
    them; the level may go negative through :meth:`debit`, which later calls then wait out. This is
    how an estimate taken before a call is corrected by the real usage after it.
    """

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.level = self.capacity
        self._clock = clock
        self._last = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self.level = min(self.capacity, self.level + (now - self._last) * self.rate)
        self._last = now

    async def acquire(self, n: float = 1.0) -> None:
        n = min(float(n), self.capacity)
        async with self._lock:  # first come, first served
            self._refill()
            while self.level < n:
                await asyncio.sleep((n - self.level) / self.rate)
                self._refill()
            self.level -= n

    def debit(self, n: float) -> None:
        """Take (or with a negative ``n``, give back) units without waiting."""
        self._refill()
        self.level = min(self.capacity, self.level - n)


class RateLimits:
    """Client-side ``rpm`` (requests/min) and ``tpm`` (tokens/min) limits for grader calls.

    A grade is ``samples`` requests. Tokens are estimated before the call (the running mean of
    the real usage so far, or ``len(text) / 4`` plus a prompt allowance at first) and corrected
    with the verdict's real usage afterwards.
    """

    def __init__(self, rpm: float | None = None, tpm: float | None = None,
                 prompt_allowance: int = 2_000) -> None:
        self.requests = TokenBucket(rpm) if rpm else None
        self.tokens = TokenBucket(tpm) if tpm else None
        self.allowance = prompt_allowance
        self._seen = 0
        self._total = 0

    def estimate(self, chars: int, samples: int = 1) -> int:
        per = self._total / self._seen if self._seen else chars / 4 + self.allowance
        return int(per * samples)

    async def acquire(self, chars: int, samples: int = 1) -> int:
        """Wait for room for one grade; returns the token estimate taken (for :meth:`settle`)."""
        if self.requests is not None:
            await self.requests.acquire(samples)
        estimate = self.estimate(chars, samples) if self.tokens is not None else 0
        if self.tokens is not None:
            await self.tokens.acquire(estimate)
        return estimate

    def settle(self, estimate: int, used_tokens: int, samples: int = 1) -> None:
        """Correct the token bucket by what the grade really used."""
        if self.tokens is None or used_tokens <= 0:
            return
        self._seen += samples
        self._total += used_tokens
        self.tokens.debit(used_tokens - estimate)
