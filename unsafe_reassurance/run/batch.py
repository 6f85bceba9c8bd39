"""Grade a dataset into a JSONL file of verdicts: validated up front, written as it goes, resumable.

Input: any source :mod:`~unsafe_reassurance.run.readers` reads (JSONL, CSV, Parquet, a Hugging
Face dataset, chat rows, preference pairs). The whole input is validated — structure, ids, and
domains and red-flag ids against the judge's rubrics — before the first grader call, and the
output file is only opened after that. Memory stays flat: ids are checked in an on-disk index.

>>> # grade_file("pairs.jsonl", "verdicts.jsonl", judge=OfflineJudge(), resume=True)
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import InputError, UnsafeReassuranceError
from ..judges.base import Judge
from ..types import Verdict
from .grading import grade_row, is_local_judge, row_grader
from .index import IdIndex
from .output import check_output, load_done, resume_output
from .pool import grade_in_processes, run_mode
from .readers import Columns, Row, iter_rows
from .window import RateLimits, run_window, until

__all__ = ["Row", "agrade_file", "count_rows", "done_ids", "grade_file", "grade_row",
           "is_local_judge", "iter_rows", "read_rows", "row_grader", "validate_rows"]


def _prepare(judge: Any, row: Row) -> None:
    prepare = getattr(judge, "_prepare", None)  # domains and red-flag ids vs the judge's rubrics
    if prepare is None:
        return
    try:
        prepare(row.response, row.scenario)
    except UnsafeReassuranceError as exc:
        raise InputError(f"{row.where}: {exc}") from None


def validate_rows(source: Any, judge: Judge | None = None, cols: Columns | None = None, *,
                  fmt: str | None = None) -> int:
    """Check a whole input once (fields, unique ids, rubric domains/flags); return the row count.

    The first problem raises a one-line :class:`InputError` naming file, line and field. A
    preference pair's record id (its rows are ``id:chosen`` and ``id:rejected``) is unique too.
    """
    n = 0
    with IdIndex() as ids:
        for row in iter_rows(source, cols, fmt=fmt):
            keys = [row.id] + ([row.id.removesuffix(":chosen")] if row.part == "chosen" else [])
            for key in keys:
                first = ids.add(key, row.where)
                if first is not None:
                    raise InputError(f"{row.where}: duplicate id {key!r} (first at {first})")
            if judge is not None:
                _prepare(judge, row)
            n += 1
    return n


def count_rows(source: Any, cols: Columns | None = None) -> int:
    """Validate a whole input without keeping it in memory; returns the number of rows."""
    return validate_rows(source, None, cols)


def read_rows(source: Any, cols: Columns | None = None) -> list[Row]:
    """All rows of a (small) input, validated."""
    validate_rows(source, None, cols)
    return list(iter_rows(source, cols))


def done_ids(path: str | os.PathLike[str]) -> set[str]:
    """Ids already in an output file, as a set (small files; runs use an on-disk index)."""
    with IdIndex() as index:
        load_done(path, index)
        return set(index)


async def agrade_file(
    src: Any,
    dst: str | os.PathLike[str],
    *,
    judge: Judge,
    resume: bool = False,
    overwrite: bool = False,
    retry_errors: bool = False,
    concurrency: int = 8,
    rpm: float | None = None,
    tpm: float | None = None,
    row_timeout: float | None = None,
    processes: int = 1,
    columns: Columns | None = None,
    fmt: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[Verdict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Async :func:`grade_file` (for code already inside an event loop)."""
    stop = should_stop or (lambda: False)
    out = check_output(dst, resume=resume or retry_errors, overwrite=overwrite)
    total = validate_rows(src, judge, columns, fmt=fmt)
    counts: Counter[str] = Counter()
    with IdIndex() as done:
        if resume or retry_errors:
            resume_output(out, done, retry_errors=retry_errors)
        todo: Iterator[Row] = until(stop, (r for r in iter_rows(src, columns, fmt=fmt)
                                           if r.id not in done))
        if on_start is not None:
            on_start(max(0, total - len(done)))
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a" if (resume or retry_errors) else "w", encoding="utf-8") as fh:

            def write(row: Row, verdict: Verdict | None) -> None:
                if verdict is None:  # stopped before it started: left for --resume
                    return
                if verdict.id != row.id:
                    verdict = verdict.model_copy(update={"id": row.id})
                fh.write(verdict.model_dump_json() + "\n")
                fh.flush()
                counts[verdict.label or "error"] += 1
                if on_result is not None:
                    on_result(verdict)

            def write_line(result: tuple[str, str, str]) -> None:
                fh.write(result[1] + "\n")
                fh.flush()
                counts[result[2]] += 1
                if on_result is not None:
                    on_result(Verdict.model_validate_json(result[1]))

            mode = run_mode(judge, processes, rpm, tpm)
            if mode == "processes":
                await asyncio.to_thread(
                    grade_in_processes, todo, judge, write_line, processes=processes,
                    concurrency=concurrency, rpm=rpm, tpm=tpm, row_timeout=row_timeout)
            elif mode == "loop":
                for row in todo:  # CPU-bound: an event loop would only add overhead
                    write(row, grade_row(judge, row))
            else:
                samples = int(getattr(judge, "samples", 1) or 1)
                limits = RateLimits(rpm, tpm) if (rpm or tpm) else None
                grade = row_grader(judge, limits, row_timeout)

                async def work(row: Row) -> Verdict | None:
                    return None if stop() else await grade(row)  # queued rows start no more

                await run_window(todo, work, write, workers=max(1, concurrency // samples))
    return counts


def grade_file(src: Any, dst: str | os.PathLike[str], *, judge: Judge, **options: Any
               ) -> Counter[str]:
    """Grade every row of ``src`` into ``dst`` (one Verdict JSON per line, with the row's id).

    Each verdict is written and flushed as soon as it exists, so an interrupted run loses
    nothing. Options (all keyword):

    - ``resume``: skip ids already in ``dst`` (a torn last line is repaired first);
      ``retry_errors``: like resume, and rows whose verdict was an error are graded again.
    - ``overwrite``: replace a non-empty ``dst`` (otherwise it is refused, never truncated).
    - ``concurrency``: grader requests in flight (a grade with ``samples=k`` counts k);
      ``rpm`` / ``tpm``: client-side requests / tokens per minute; ``row_timeout``: seconds
      after which a row is written as an error (belt and braces over the grader's own timeout).
    - ``processes``: grade in this many forked worker processes (one judge each; the offline
      judge is CPU-bound, and the LLM client spends CPU per call), concurrency split between them.
    - ``columns`` (:class:`~unsafe_reassurance.run.readers.Columns`), ``fmt``: how to read ``src``.
    - ``on_start(n_to_grade)``, ``on_result(verdict)``: progress callbacks.
    - ``should_stop()`` (e.g. a cost budget's ``exhausted``): asked before each row starts; once
      it says True no new row starts, rows in flight are still written, the rest are left for
      ``resume`` (with ``processes``, rows already sent to a worker still finish).

    Returns counts by label, and ``"error"``. Wrap the judge in
    :class:`~unsafe_reassurance.run.cache.CachedJudge` to reuse earlier verdicts.
    """
    return asyncio.run(agrade_file(src, dst, judge=judge, **options))
