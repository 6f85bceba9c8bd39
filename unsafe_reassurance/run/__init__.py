"""Running many grades: JSONL files in, verdict files out, resumable."""

from __future__ import annotations

from .batch import count_rows, done_ids, grade_file, read_rows
from .jsonl import iter_jsonl

__all__ = ["count_rows", "done_ids", "grade_file", "iter_jsonl", "read_rows"]
