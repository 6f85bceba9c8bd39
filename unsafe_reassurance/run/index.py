"""An on-disk set of row ids (a temporary sqlite database), so memory stays flat on huge files.

Used to reject duplicate ids while validating, and to skip rows already written on ``--resume``.
sqlite keeps only a small page cache in memory; the rest spills to a temporary file that is
deleted when the index is closed.

>>> with IdIndex() as ids:
...     ids.add("a", "in.jsonl:1"), ids.add("a", "in.jsonl:7"), "a" in ids, "b" in ids
(None, 'in.jsonl:1', True, False)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from types import TracebackType

__all__ = ["IdIndex"]


class IdIndex:
    """A set of ids, each with where it was first seen. One user at a time (any thread)."""

    def __init__(self, commit_every: int = 50_000) -> None:
        # "" = a private temporary on-disk database, removed on close.
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, loc TEXT) WITHOUT ROWID")
        self._pending = 0
        self._every = commit_every
        self._db.execute("BEGIN")

    def add(self, row_id: str, where: str = "") -> str | None:
        """Add an id; return where it was first seen if it was already present, else None."""
        cur = self._db.execute("INSERT OR IGNORE INTO ids VALUES (?, ?)", (row_id, where))
        if cur.rowcount == 0:
            (loc,) = self._db.execute("SELECT loc FROM ids WHERE id = ?", (row_id,)).fetchone()
            return str(loc)
        self._pending += 1
        if self._pending >= self._every:  # bound the size of the open transaction
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._pending = 0
        return None

    def __contains__(self, row_id: object) -> bool:
        return self._db.execute("SELECT 1 FROM ids WHERE id = ?", (row_id,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        return (str(r[0]) for r in self._db.execute("SELECT id FROM ids"))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM ids").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> IdIndex:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
