"""The verdict output file: checked before anything runs, never truncated, repaired on resume.

- :func:`check_output` refuses a directory, an unwritable place, and (without ``resume`` or
  ``overwrite``) a non-empty existing file — before the input is even read.
- :func:`repair_tail` cuts a torn last line (a crash mid-write) back to the last newline.
- :func:`drop_errors` rewrites the file without its error verdicts (atomically), so that
  ``--retry-errors`` grades those rows again and each id still appears once.
- :func:`load_done` streams the ids already written into an on-disk :class:`IdIndex`.
- :func:`resume_output` does all three for ``--resume`` / ``--retry-errors`` (``grade-file``
  on its verdict file, ``filter`` on each of its split files).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from .index import IdIndex

__all__ = ["check_output", "drop_errors", "is_error_verdict", "load_done", "repair_tail",
           "resume_output"]

_BLOCK = 1 << 16


def check_output(path: str | os.PathLike[str], *, resume: bool = False,
                 overwrite: bool = False, flag: str = "-o") -> Path:
    """Validate an output path without touching it; raise a one-line :class:`InputError`."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory ({flag} needs a file path)")
    if p.exists():
        if not os.access(p, os.W_OK):
            raise InputError(f"{p}: not writable")
        if p.stat().st_size > 0 and not (resume or overwrite):
            raise InputError(f"{p}: exists and is not empty; pass --resume to continue it or "
                             "--overwrite to replace it")
        return p
    parent = p.parent
    while not parent.exists():  # the folders will be created; the nearest existing one must do
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{p}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{p}: folder {parent} is not writable")
    return p


def repair_tail(path: str | os.PathLike[str]) -> int:
    """Truncate a torn last line (no trailing newline); returns the number of bytes removed."""
    p = Path(path)
    if not p.exists():
        return 0
    with p.open("r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        end, cut = size, 0
        while end > 0:
            start = max(0, end - _BLOCK)
            fh.seek(start)
            i = fh.read(end - start).rfind(b"\n")
            if i >= 0:
                cut = start + i + 1
                break
            end = start
        fh.truncate(cut)
    return size - cut


def _records(path: Path) -> Iterator[tuple[bytes, dict[str, object] | None]]:
    with path.open("rb") as fh:
        for raw in fh:
            try:
                obj = json.loads(raw)
            except ValueError:
                obj = None
            yield raw, obj if isinstance(obj, dict) else None


def is_error_verdict(obj: Mapping[str, Any]) -> bool:
    """A verdict line whose grading failed (``status`` is ``"error"``)."""
    return obj.get("status") == "error"


def drop_errors(path: str | os.PathLike[str],
                is_error: Callable[[Mapping[str, Any]], bool] = is_error_verdict) -> int:
    """Rewrite the file without its error lines (atomic replace); returns how many went."""
    p = Path(path)
    if not p.exists():
        return 0
    dropped = 0
    fd, tmp = tempfile.mkstemp(prefix=p.name + ".", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for raw, obj in _records(p):
                if obj is not None and is_error(obj):
                    dropped += 1
                    continue
                out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        if dropped:
            os.replace(tmp, p)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dropped


def load_done(path: str | os.PathLike[str], index: IdIndex, key: str = "id") -> int:
    """Add every id (field ``key``) written in the file to ``index``; returns how many were
    added."""
    p = Path(path)
    if not p.exists():
        return 0
    added = 0
    for _, obj in _records(p):
        if obj is not None and obj.get(key) is not None:
            added += index.add(str(obj[key])) is None
    return added


def resume_output(path: str | os.PathLike[str], index: IdIndex, *, retry_errors: bool = False,
                  key: str = "id",
                  is_error: Callable[[Mapping[str, Any]], bool] = is_error_verdict) -> int:
    """Make a JSONL output ready to continue: repair a torn last line, drop the error lines if
    ``retry_errors`` (so those rows are graded again), and add the ids it holds to ``index``.
    Returns how many ids were added."""
    repair_tail(path)
    if retry_errors:
        drop_errors(path, is_error)
    return load_done(path, index, key)
