"""Split a dataset by verdict: kept rows to one file, dropped rows to another (RLHF filtering).

Each record is written once, in input order, with verdict columns added (``ur_id``, the
record's id, then ``ur_label``, ``ur_status``, ``ur_error``, ``ur_domain``,
``ur_required_urgency``, ``ur_conveyed_urgency``, ``ur_confidence``, ``ur_cached``). A preference
pair gets both sides' columns (``ur_chosen_*``, ``ur_rejected_*``) and is kept when its **chosen**
reply's label is kept. Error verdicts are dropped unless ``"error"`` is in ``keep`` (fail closed).

``resume`` continues JSONL splits after a crash exactly as ``grade-file --resume`` does (same
:mod:`~unsafe_reassurance.run.output` helpers): each file's torn last line is repaired, and a
record is done when its ``ur_id`` is in either file; ``retry_errors`` also takes records with an
error verdict out of both files and grades them again. Without ``--dropped``, dropped records are
in no file, so a resumed run grades them again (from the result cache for an LLM judge).

>>> verdict_columns(Verdict(label="PASS", judge={"name": "offline"}))["ur_label"]
'PASS'
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import count
from typing import Any

from ..errors import InputError
from ..judges.base import Judge
from ..types import Verdict
from .batch import validate_rows
from .grading import grade_row, row_grader
from .index import IdIndex
from .output import check_output, resume_output
from .pool import grade_in_processes, run_mode
from .readers import Columns, Row, detect_format, iter_rows
from .window import RateLimits, run_window, until
from .writers import RecordWriter, open_writer, output_format

__all__ = ["KEEP_CHOICES", "afilter_file", "filter_file", "record_id", "verdict_columns",
           "with_verdicts"]

KEEP_CHOICES = ("PASS", "WARN", "FAIL", "error")
_FIELDS = ("label", "status", "error", "domain", "required_urgency", "conveyed_urgency",
           "confidence", "cached")
_ID = "ur_id"
_STATUS = ("ur_status", "ur_chosen_status", "ur_rejected_status")


def verdict_columns(verdict: Verdict, prefix: str = "ur_") -> dict[str, Any]:
    """The verdict fields added to a filtered record, as plain JSON values."""
    data = verdict.model_dump(mode="json", include=set(_FIELDS))
    return {f"{prefix}{k}": data.get(k) for k in _FIELDS}


def record_id(row: Row) -> str:
    """The id of the record a row comes from (a preference pair's rows share their record's)."""
    return row.id.removesuffix(f":{row.part}") if row.part else row.id


def _has_error(record: Mapping[str, Any]) -> bool:
    return any(record.get(k) == "error" for k in _STATUS)


def _records(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Group the rows of one record (a preference pair yields two in a row)."""
    group: list[Row] = []
    for row in rows:
        if group and row.record is not group[0].record:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def with_verdicts(group: list[Row], verdicts: list[Verdict]) -> tuple[dict[str, Any], Verdict]:
    """A record's source row plus its verdict columns, and the verdict that decides keeping."""
    record = dict(group[0].record or {})
    record[_ID] = record_id(group[0])
    if len(group) == 1 and group[0].part is None:
        record.update(verdict_columns(verdicts[0]))
        return record, verdicts[0]
    decisive = verdicts[0]
    for row, verdict in zip(group, verdicts, strict=True):
        record.update(verdict_columns(verdict, f"ur_{row.part}_"))
        if row.part == "chosen":
            decisive = verdict
    return record, decisive


def _in_processes(items: Iterable[tuple[int, list[Row]]], judge: Any,
                  done: Callable[[tuple[int, list[Row]], list[Verdict]], None], **options: Any
                  ) -> None:
    """Grade records' rows in worker processes; ``done`` gets each record once all its rows are
    graded (the source record stays in this process, only the rows travel)."""
    groups: dict[int, tuple[list[Row], dict[str, Verdict]]] = {}
    owner: dict[str, int] = {}

    def rows() -> Iterator[Row]:
        for seq, group in items:
            groups[seq] = (group, {})
            for row in group:
                owner[row.id] = seq
                yield dataclasses.replace(row, record=None)

    def write(result: tuple[str, str, str]) -> None:
        seq = owner.pop(result[0])
        group, got = groups[seq]
        got[result[0]] = Verdict.model_validate_json(result[1])
        if len(got) == len(group):
            del groups[seq]
            done((seq, group), [got[r.id] for r in group])

    grade_in_processes(rows(), judge, write, **options)


def _check_keep(keep: Iterable[str]) -> set[str]:
    wanted = set(keep)
    bad = sorted(wanted - set(KEEP_CHOICES))
    if bad or not wanted:
        raise InputError(f"--keep: expected some of {', '.join(KEEP_CHOICES)}, got "
                         f"{', '.join(bad) or 'nothing'}")
    return wanted


def _outputs(kept: Any, dropped: Any, in_fmt: str, cont: bool, overwrite: bool
             ) -> list[tuple[Any, str]]:
    """The checked output paths and formats; refused as ``grade-file`` refuses its output."""
    outs = [(check_output(kept, resume=cont, overwrite=overwrite), output_format(kept, in_fmt))]
    if dropped is not None:
        outs.append((check_output(dropped, resume=cont, overwrite=overwrite, flag="--dropped"),
                     output_format(dropped, in_fmt)))
    if len({os.path.abspath(p) for p, _ in outs}) < len(outs):
        raise InputError(f"{dropped}: --dropped must differ from -o")
    if cont:
        for path, out_fmt in outs:
            if out_fmt != "jsonl":
                raise InputError(f"{path}: --resume needs .jsonl outputs (a {out_fmt} file cannot "
                                 "be continued); use --overwrite, the result cache makes the "
                                 "rerun cheap")
    return outs


async def afilter_file(
    src: Any,
    kept: str | os.PathLike[str],
    dropped: str | os.PathLike[str] | None = None,
    *,
    judge: Judge,
    keep: Iterable[str] = ("PASS",),
    resume: bool = False,
    retry_errors: bool = False,
    overwrite: bool = False,
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
    """Async :func:`filter_file`."""
    wanted = _check_keep(keep)
    stop = should_stop or (lambda: False)
    cont = resume or retry_errors
    in_fmt = fmt or (detect_format(src) if isinstance(src, (str, os.PathLike)) else "jsonl")
    outs = _outputs(kept, dropped, in_fmt, cont, overwrite)
    total = validate_rows(src, judge, columns, fmt=fmt)
    counts: Counter[str] = Counter()
    writers: list[RecordWriter] = []
    with IdIndex() as done:
        if cont:  # records already in either file are done
            for path, _ in outs:
                resume_output(path, done, retry_errors=retry_errors, key=_ID, is_error=_has_error)
            if len(done):
                counts["resumed"] = len(done)
                total = sum(record_id(r) not in done for r in iter_rows(src, columns, fmt=fmt))
        if on_start is not None:
            on_start(total)
        try:
            writers = [open_writer(p, f, append=cont) for p, f in outs]
            pending: dict[int, tuple[dict[str, Any], bool] | None] = {}
            next_out = 0

            def done_record(item: tuple[int, list[Row]], verdicts: list[Verdict | None]) -> None:
                nonlocal next_out
                seq, group = item
                if any(v is None for v in verdicts):  # stopped before it started: left for resume
                    pending[seq] = None
                    return
                graded = [v for v in verdicts if v is not None]
                for v in graded:
                    if on_result is not None:
                        on_result(v)
                record, decisive = with_verdicts(group, graded)
                pending[seq] = (record, (decisive.label or "error") in wanted)
                # Write in input order, and never past a record left for resume, so the files
                # always hold a prefix of the input: a resumed run appends the rest in order.
                while pending.get(next_out) is not None:
                    rec, keep_it = pending.pop(next_out)  # type: ignore[misc]
                    counts["kept" if keep_it else "dropped"] += 1
                    if keep_it:
                        writers[0].write(rec)
                    elif len(writers) > 1:
                        writers[1].write(rec)
                    next_out += 1

            rows = iter_rows(src, columns, fmt=fmt, keep_record=True)
            todo = (g for g in _records(rows) if not (cont and record_id(g[0]) in done))
            items = zip(count(), until(stop, todo))
            mode = run_mode(judge, processes, rpm, tpm)
            if mode == "processes":
                await asyncio.to_thread(
                    _in_processes, items, judge, done_record, processes=processes,
                    concurrency=concurrency, rpm=rpm, tpm=tpm, row_timeout=row_timeout)
            elif mode == "loop":
                for seq, group in items:
                    done_record((seq, group), [grade_row(judge, r) for r in group])
            else:
                samples = int(getattr(judge, "samples", 1) or 1)
                slots = max(1, concurrency // samples)
                gate = asyncio.Semaphore(slots)  # rows in flight: a pair takes two
                grade = row_grader(judge, RateLimits(rpm, tpm) if (rpm or tpm) else None,
                                   row_timeout)

                async def one(row: Row) -> Verdict:
                    async with gate:
                        verdict: Verdict = await grade(row)
                    return verdict

                async def work(item: tuple[int, list[Row]]) -> list[Verdict | None]:
                    if stop():  # queued records start no more
                        return [None] * len(item[1])
                    return list(await asyncio.gather(*(one(r) for r in item[1])))

                await run_window(items, work, done_record, workers=slots)
        finally:
            for w in writers:
                w.close()
    return counts


def filter_file(src: Any, kept: str | os.PathLike[str], dropped: str | os.PathLike[str] | None = None,
                *, judge: Judge, **options: Any) -> Counter[str]:
    """Grade ``src`` and write the records whose label is in ``keep`` (default PASS) to ``kept``,
    the others to ``dropped`` if given. Outputs take the format of their suffix (``.jsonl``,
    ``.csv``, ``.parquet``), else the input's; a non-empty output is refused unless
    ``overwrite``, or ``resume`` / ``retry_errors`` (JSONL outputs only; see the module docstring).
    Other options as :func:`~unsafe_reassurance.run.batch.grade_file` (``should_stop`` included).
    Returns counts of ``kept`` and ``dropped`` records (this run), and ``resumed``: records
    already in the outputs."""
    return asyncio.run(afilter_file(src, kept, dropped, judge=judge, **options))
