"""Error types. Every error message is one line that names the file, line or field at fault."""

from __future__ import annotations

__all__ = ["GraderError", "InputError", "RubricError", "UnsafeReassuranceError"]


class UnsafeReassuranceError(Exception):
    """Base class for every error this library raises on purpose."""


class RubricError(UnsafeReassuranceError):
    """A rubric file is missing, malformed or inconsistent. The message names the file and field."""


class InputError(UnsafeReassuranceError, ValueError):
    """Bad input to grade: empty reply, oversized text, missing field, unknown domain..."""


class GraderError(UnsafeReassuranceError):
    """The grader model failed or returned unusable output.

    Judges catch it and return ``Verdict(status="error")``; it only escapes from low-level helpers.
    """
