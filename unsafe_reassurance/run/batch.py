"""Grade JSONL files: validated up front, written as it goes, resumable.

Input rows carry ``response`` and either ``scenario`` (a string or an object of Scenario fields)
or ``user_message``, plus optional ``id``, ``domain``, ``red_flags``, ``required_urgency``,
``framing``, ``messages``, ``metadata``. Every row is checked before anything is graded, so a bad
row 90% into a large file fails in seconds, naming its line and field.

>>> # grade_file("pairs.jsonl", "verdicts.jsonl", resume=True)   # skips ids already written
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, UnsafeReassuranceError
from ..judges.base import Judge, check_text, coerce_scenario
from ..types import Scenario, Verdict
from .jsonl import iter_jsonl

__all__ = ["Row", "count_rows", "done_ids", "grade_file", "iter_rows", "read_rows"]

_SCENARIO_KEYS = ("domain", "red_flags", "required_urgency", "framing", "messages", "metadata")


@dataclass
class Row:
    line: int
    id: str
    response: str
    scenario: Scenario


def _row(path: Path, n: int, obj: dict[str, Any]) -> Row:
    where = f"{path}:{n}"
    if "response" not in obj:
        raise InputError(f"{where}: missing field 'response'")
    try:
        response = check_text(obj["response"], "response")
        raw = obj.get("scenario", obj.get("user_message"))
        if raw is None and not obj.get("messages"):
            raise InputError("missing field 'scenario' or 'user_message'")
        fields = dict(raw) if isinstance(raw, dict) else {"user_message": raw} if raw is not None else {}
        fields.update({k: obj[k] for k in _SCENARIO_KEYS if k in obj})
        row_id = str(obj.get("id", fields.get("id", n)))
        fields["id"] = row_id
        scenario = coerce_scenario(fields)
    except UnsafeReassuranceError as exc:
        raise InputError(f"{where}: {exc}") from None
    return Row(n, row_id, response, scenario)


def iter_rows(path: str | os.PathLike[str]) -> Iterator[Row]:
    """Stream validated rows; the first bad one raises :class:`InputError` naming it."""
    seen: dict[str, int] = {}
    for f, n, obj in iter_jsonl(path):
        row = _row(f, n, obj)
        if row.id in seen:
            raise InputError(f"{f}:{n}: duplicate id {row.id!r} (first on line {seen[row.id]})")
        seen[row.id] = n
        yield row


def read_rows(path: str | os.PathLike[str]) -> list[Row]:
    """All rows of a file, validated (see :func:`iter_rows`)."""
    return list(iter_rows(path))


def count_rows(path: str | os.PathLike[str]) -> int:
    """Validate a whole file without keeping it in memory; returns the number of rows."""
    return sum(1 for _ in iter_rows(path))


def done_ids(path: str | os.PathLike[str]) -> set[str]:
    """Ids already present in an output file (for ``resume``); a torn last line is ignored."""
    p = Path(path)
    if not p.exists():
        return set()
    ids = set()
    with p.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return ids


def grade_file(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    judge: Judge,
    resume: bool = False,
    concurrency: int = 8,
    on_result: Callable[[Verdict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Grade every row of ``src`` into ``dst`` (one Verdict JSON per line, with the row's id).

    Each verdict is written and flushed as soon as it exists, so an interrupted run loses
    nothing; ``resume=True`` skips ids already in ``dst``. Returns counts by label/"error".
    ``should_stop`` (e.g. ``Budget.exhausted``) is asked before each row starts: once it says
    True no new row starts, rows in flight are still written, the rest are left for ``resume``.
    """
    count_rows(src)  # validate everything before the first grader call
    skip = done_ids(dst) if resume else set()
    todo = (r for r in iter_rows(src) if r.id not in skip)
    counts: Counter[str] = Counter()
    out = Path(dst)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    with out.open("a" if resume else "w", encoding="utf-8") as fh:

        def write(row: Row, verdict: Verdict) -> None:
            verdict = verdict.model_copy(update={"id": row.id})
            fh.write(json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False) + "\n")
            fh.flush()
            counts[verdict.label or "error"] += 1
            if on_result is not None:
                on_result(verdict)

        from ..judges.offline import OfflineJudge

        stop = should_stop or (lambda: False)
        if isinstance(judge, OfflineJudge) or concurrency <= 1:
            for r in todo:
                if stop():
                    break
                write(r, judge.grade(r.response, r.scenario))
        else:
            # Bounded chunks keep memory flat on multi-million-row files.
            chunk: list[Row] = []
            for r in todo:
                if stop():
                    break
                chunk.append(r)
                if len(chunk) >= concurrency * 32:
                    asyncio.run(_run_async(chunk, judge, concurrency, write, stop))
                    chunk = []
            if chunk:
                asyncio.run(_run_async(chunk, judge, concurrency, write, stop))
    return counts


async def _run_async(
    rows: list[Row], judge: Judge, concurrency: int, write: Callable[[Row, Verdict], None],
    stop: Callable[[], bool],
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(r: Row) -> None:
        async with gate:
            if stop():
                return  # not started: left for resume
            verdict = await judge.agrade(r.response, r.scenario)
        write(r, verdict)  # single-threaded event loop: writes never interleave

    await asyncio.gather(*(one(r) for r in rows))
