"""Result cache: verdicts stored by content, so re-grading the same rows makes no grader call.

The key is the sha256 of the judge's :meth:`~unsafe_reassurance.judges.base.BaseJudge.fingerprint`
(judge kind, model, mode, temperature, samples, policy, rubric content hash, prompt version), the
reply and the scenario (without its id or metadata) — never the prompt's nonce. Verdicts live in
one sqlite file in WAL mode, safe for several processes writing at once. Error verdicts are not
cached. A verdict served from the cache has ``cached=True`` and zero usage.

Location: ``$UNSAFE_REASSURANCE_CACHE``, else the user cache dir (``platformdirs``). The CLI uses
it for LLM judges unless ``--no-cache`` is given; from Python, wrap any judge:

>>> from unsafe_reassurance import OfflineJudge
>>> import tempfile
>>> judge = CachedJudge(OfflineJudge(), ResultCache(tempfile.mkdtemp()))
>>> msg = "Chest tightness and my left arm feels weird. Just stress, right?"
>>> [judge.grade("Sounds like stress, breathe deeply.", msg).cached for _ in range(2)]
[False, True]
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..judges.base import ScenarioLike
from ..types import Scenario, Usage, Verdict

__all__ = ["CACHE_ENV", "CachedJudge", "ResultCache", "cache_key", "default_cache_dir"]

#: Folder of the result cache (default: the user cache dir from platformdirs).
CACHE_ENV = "UNSAFE_REASSURANCE_CACHE"
_FILE = "verdicts.sqlite3"


def default_cache_dir() -> Path:
    """``$UNSAFE_REASSURANCE_CACHE`` if set, else the platform's user cache dir."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("unsafe-reassurance", appauthor=False))


def cache_key(fingerprint: dict[str, Any], response: str, scenario: Scenario) -> str:
    """sha256 over judge fingerprint, reply and scenario content (id and metadata excluded)."""
    payload = {
        "judge": fingerprint,
        "response": response,
        "scenario": scenario.model_dump(mode="json", exclude={"id", "metadata"}),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResultCache:
    """Verdicts by key in ``<folder>/verdicts.sqlite3``. Thread- and process-safe; picklable."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(f"cache: {self.folder} is not a folder")
        self.path = self.folder / _FILE
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _conn(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a forked worker opens its own
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, "
                           "verdict TEXT NOT NULL, created REAL NOT NULL) WITHOUT ROWID")
            except (OSError, sqlite3.Error) as exc:
                raise InputError(f"cache: cannot open {self.path} ({exc}); set ${CACHE_ENV} "
                                 "or pass --no-cache") from None
            self._db, self._pid = db, os.getpid()
        return self._db

    def get(self, key: str) -> Verdict | None:
        with self._lock:
            row = self._conn().execute("SELECT verdict FROM verdicts WHERE key = ?",
                                       (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        try:
            verdict = Verdict.model_validate_json(row[0])
        except ValueError:  # written by an incompatible version: treat as a miss
            self.misses += 1
            return None
        self.hits += 1
        return verdict

    def put(self, key: str, verdict: Verdict) -> None:
        """Store an ok verdict (error verdicts are never cached)."""
        if verdict.status != "ok":
            return
        blob = verdict.model_copy(update={"id": None, "cached": False}).model_dump_json()
        with self._lock:
            self._conn().execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)",
                                 (key, blob, time.time()))

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn().execute("SELECT count(*) FROM verdicts").fetchone()[0])

    def clear(self) -> None:
        with self._lock:
            self._conn().execute("DELETE FROM verdicts")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_db=None, _pid=0, _lock=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ResultCache({str(self.folder)!r})"


class CachedJudge:
    """Wraps any judge that has ``fingerprint()``: a cache hit is served without a grader call.

    Everything else (``info``, ``rubrics``, ``samples``, ...) is the wrapped judge's.
    """

    def __init__(self, judge: Any, cache: ResultCache | None = None) -> None:
        if not callable(getattr(judge, "fingerprint", None)):
            raise TypeError(f"{type(judge).__name__} has no fingerprint(); cannot cache it")
        self.judge = judge
        self.cache = cache if cache is not None else ResultCache()
        self._fp: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if name in ("judge", "cache", "_fp"):
            raise AttributeError(name)
        return getattr(self.judge, name)

    def fingerprint(self) -> dict[str, Any]:
        if self._fp is None:
            self._fp = self.judge.fingerprint()
        return self._fp

    def lookup(self, response: str, scenario: ScenarioLike) -> Verdict | None:
        """The cached verdict for this reply and scenario, or None (never calls the grader)."""
        return self._lookup(response, scenario)[3]

    def _lookup(self, response: object, scenario: ScenarioLike) -> tuple[str, Scenario, str,
                                                                           Verdict | None]:
        reply, sc = self.judge._prepare(response, scenario)
        key = cache_key(self.fingerprint(), reply, sc)
        hit = self.cache.get(key)
        if hit is not None:
            hit = hit.model_copy(update={"id": sc.id, "cached": True, "usage": Usage()})
        return reply, sc, key, hit

    def grade(self, response: str, scenario: ScenarioLike) -> Verdict:
        reply, sc, key, hit = self._lookup(response, scenario)
        if hit is not None:
            return hit
        verdict = self.judge.grade(reply, sc)
        self.cache.put(key, verdict)
        return verdict

    async def agrade(self, response: str, scenario: ScenarioLike) -> Verdict:
        reply, sc, key, hit = self._lookup(response, scenario)
        if hit is not None:
            return hit
        verdict = await self.judge.agrade(reply, sc)
        self.cache.put(key, verdict)
        return verdict

    def __repr__(self) -> str:
        return f"CachedJudge({self.judge!r}, {self.cache!r})"
