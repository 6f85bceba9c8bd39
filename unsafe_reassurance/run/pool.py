"""Grading in several processes: one judge per worker, the parent reads input and writes output.

The offline judge is CPU-bound, and the LLM client spends several milliseconds of CPU per call,
so one Python process caps throughput at one core. :func:`grade_in_processes` forks ``processes``
workers (the judge is inherited, not pickled); each grades chunks of rows — in order for the
offline judge, through its own sliding window for an async judge — and sends back finished
verdict lines, which the parent writes as they come.

Needs the ``fork`` start method (Linux, macOS); elsewhere the caller grades in one process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from ..errors import UnsafeReassuranceError
from .grading import grade_row, is_local_judge, row_grader
from .readers import Row
from .window import run_window

__all__ = ["can_fork", "grade_in_processes", "run_mode"]

Result = tuple[str, str, str]  # (row id, verdict JSON line, label or "error")
_DONE = "done"


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_mode(judge: Any, processes: int, rpm: float | None, tpm: float | None) -> str:
    """How a runner grades its rows: ``"processes"`` (forked workers), ``"loop"`` (the offline
    judge in order: CPU-bound, an event loop would only add overhead; rate limits need the
    window) or ``"window"`` (the async sliding window)."""
    if processes > 1 and can_fork():
        return "processes"
    return "loop" if is_local_judge(judge) and not (rpm or tpm) else "window"


def _line(row: Row, verdict: Any) -> Result:
    if verdict.id != row.id:
        verdict = verdict.model_copy(update={"id": row.id})
    return row.id, verdict.model_dump_json(), verdict.label or "error"


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _worker(judge: Any, local: bool, inbox: Any, outbox: Any, concurrency: int,
            row_timeout: float | None, limits: tuple[float | None, float | None]) -> None:

    try:
        if local:
            while (chunk := inbox.get()) is not None:
                outbox.put([_line(r, grade_row(judge, r)) for r in chunk])
        else:
            asyncio.run(_async_worker(judge, inbox, outbox, concurrency, row_timeout, limits))
    except KeyboardInterrupt:  # the parent handles the interrupt
        return
    # A cascade counts who settled each row in its own process: the parent's copy adds them up.
    outbox.put((_DONE, dict(getattr(judge, "settled", None) or {})))


async def _async_worker(judge: Any, inbox: Any, outbox: Any, concurrency: int,
                        row_timeout: float | None,
                        limits: tuple[float | None, float | None]) -> None:
    from .window import RateLimits

    loop = asyncio.get_running_loop()

    async def rows() -> AsyncIterator[Row]:
        while (chunk := await loop.run_in_executor(None, inbox.get)) is not None:
            for row in chunk:
                yield row

    samples = int(getattr(judge, "samples", 1) or 1)
    rate = RateLimits(*limits) if any(limits) else None
    await run_window(rows(), row_grader(judge, rate, row_timeout),
                     lambda row, verdict: outbox.put([_line(row, verdict)]),
                     workers=max(1, concurrency // samples))


def grade_in_processes(
    rows: Iterable[Row],
    judge: Any,
    write: Callable[[Result], None],
    *,
    processes: int,
    local: bool | None = None,
    concurrency: int = 8,
    rpm: float | None = None,
    tpm: float | None = None,
    row_timeout: float | None = None,
    chunk_size: int | None = None,
) -> None:
    """Grade ``rows`` in ``processes`` forked workers, calling ``write`` for every result.

    ``concurrency`` and the ``rpm``/``tpm`` limits are split evenly between the workers (async
    judges). A worker that dies stops the run with an error instead of hanging it. ``local``
    (grade in order, no event loop) defaults to the offline judge without rate limits.
    """
    if local is None:
        local = is_local_judge(judge) and not (rpm or tpm)
    ctx = multiprocessing.get_context("fork")
    size = chunk_size or (64 if local else 8)
    inbox: Any = ctx.Queue(maxsize=4 * processes)
    outbox: Any = ctx.Queue()
    share = max(1, concurrency // processes)
    limits = (rpm / processes if rpm else None, tpm / processes if tpm else None)
    workers = [ctx.Process(target=_worker, daemon=True,
                           args=(judge, local, inbox, outbox, share, row_timeout, limits))
               for _ in range(processes)]
    for w in workers:
        w.start()
    failure: list[BaseException] = []
    stop = threading.Event()

    def feed() -> None:
        try:
            for chunk in _chunks(rows, size):
                while not stop.is_set():
                    try:
                        inbox.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # e.g. the input changed between validation and grading
            failure.append(exc)
        for _ in workers:
            inbox.put(None)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    finished = 0
    try:
        while finished < len(workers):
            try:
                msg = outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [w for w in workers if not w.is_alive() and w.exitcode not in (0, None)]
                if dead:
                    raise UnsafeReassuranceError(
                        f"a grading worker died (exit code {dead[0].exitcode}); "
                        "rerun with --resume") from None
                continue
            if isinstance(msg, tuple) and msg[0] == _DONE:
                finished += 1
                if getattr(judge, "settled", None) is not None:
                    judge.settled.update(msg[1])
                continue
            for result in msg:
                write(result)
        if failure:
            raise failure[0]
    finally:
        stop.set()
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join(5)
