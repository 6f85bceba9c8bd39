"""Reading JSONL files (or folders of them) with one-line errors that name file and line."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["iter_jsonl", "jsonl_files"]


def jsonl_files(path: str | os.PathLike[str]) -> list[Path]:
    """The file itself, or a folder's ``*.jsonl`` files in name order."""
    p = Path(path)
    if p.is_dir():
        files = sorted(p.glob("*.jsonl"))
        if not files:
            raise InputError(f"{p}: no .jsonl files")
        return files
    if p.is_file():
        return [p]
    raise InputError(f"{p}: no such file or folder")


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    """Stream ``(file, line_number, object)``; blank lines are skipped, anything that is not a
    UTF-8 JSON object raises :class:`InputError` naming the file and line."""
    for f in jsonl_files(path):
        try:
            fh = f.open("rb")
        except OSError as exc:
            raise InputError(f"{f}: cannot read ({exc.strerror})") from None
        with fh:
            for n, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    raise InputError(f"{f}:{n}: not UTF-8 text") from None
                except json.JSONDecodeError as exc:
                    # json's own messages may end in "at" ("Invalid control character at").
                    msg = exc.msg.removesuffix(" at")
                    raise InputError(f"{f}:{n}: invalid JSON ({msg}, column {exc.colno})"
                                     ) from None
                if not isinstance(obj, dict):
                    raise InputError(f"{f}:{n}: expected a JSON object, got {type(obj).__name__}")
                yield f, n, obj
