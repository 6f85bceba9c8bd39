"""Running many grades: datasets in, verdict files out, resumable, cached, concurrent."""

from __future__ import annotations

from .batch import agrade_file, count_rows, done_ids, grade_file, read_rows, validate_rows
from .cache import CachedJudge, ResultCache
from .jsonl import iter_jsonl
from .readers import Columns, Row, iter_rows
from .window import RateLimits

__all__ = [
    "CachedJudge",
    "Columns",
    "RateLimits",
    "ResultCache",
    "Row",
    "agrade_file",
    "count_rows",
    "done_ids",
    "grade_file",
    "iter_jsonl",
    "iter_rows",
    "read_rows",
    "validate_rows",
]
