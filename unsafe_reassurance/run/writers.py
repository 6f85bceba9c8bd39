"""Record writers for ``filter``: JSONL, CSV and Parquet, streaming, one record at a time.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "kept.jsonl"
>>> with open_writer(path) as w:
...     w.write({"response": "Call 911 now.", "ur_label": "PASS"})
>>> path.read_text()
'{"response": "Call 911 now.", "ur_label": "PASS"}\\n'
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from ..errors import InputError

__all__ = ["WRITE_FORMATS", "RecordWriter", "open_writer", "output_format"]

WRITE_FORMATS = ("jsonl", "csv", "parquet")
_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet"}


def output_format(path: str | os.PathLike[str], input_format: str) -> str:
    """The output's format: from its suffix, else the input's (a Hugging Face input needs one)."""
    fmt = _SUFFIX.get(Path(path).suffix.lower())
    if fmt is not None:
        return fmt
    if input_format in WRITE_FORMATS:
        return input_format
    raise InputError(f"{path}: name the output .jsonl, .csv or .parquet")


class RecordWriter:
    """Base: ``write(record)`` then ``close()`` (or use it as a context manager)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self.count += 1
        self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class _Jsonl(RecordWriter):
    """One line per record, flushed as it is written: a killed run leaves at most a torn last
    line (which ``--resume`` repairs), so a JSONL split can be continued."""

    def __init__(self, path: Path, append: bool = False) -> None:
        super().__init__(path)
        self._fh: TextIO = path.open("a" if append else "w", encoding="utf-8")

    def _write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


class _Csv(RecordWriter):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._fh: TextIO = path.open("w", encoding="utf-8", newline="")
        self._writer: csv.DictWriter[str] | None = None

    def _write(self, record: dict[str, Any]) -> None:
        if self._writer is None:
            self._writer = csv.DictWriter(self._fh, fieldnames=list(record), restval="")
            self._writer.writeheader()
        extra = [k for k in record if k not in self._writer.fieldnames]
        if extra:
            raise InputError(f"{self.path}: row {self.count} has columns not in the first row: "
                             f"{', '.join(extra)} (write .jsonl instead)")
        self._writer.writerow({k: "" if v is None else json.dumps(v, ensure_ascii=False)
                               if isinstance(v, (list, dict)) else v for k, v in record.items()})

    def close(self) -> None:
        self._fh.close()


class _Parquet(RecordWriter):
    def __init__(self, path: Path, batch_size: int = 1000) -> None:
        super().__init__(path)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError("writing Parquet needs an optional package: pip install "
                             "'unsafe-reassurance[data]'") from None
        self._batch: list[dict[str, Any]] = []
        self._size = batch_size
        self._writer: Any = None

    def _write(self, record: dict[str, Any]) -> None:
        self._batch.append(record)
        if len(self._batch) >= self._size:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._batch:
            return
        if self._writer is None:
            table = pa.Table.from_pylist(self._batch)
            # Verdict columns get fixed types, so an all-null first batch cannot pin them to null.
            fields = [pa.field(f.name, _verdict_type(f.name, f.type)) for f in table.schema]
            schema = pa.schema(fields)
            self._writer = pq.ParquetWriter(self.path, schema)
        table = pa.Table.from_pylist(self._batch, schema=self._writer.schema)
        self._writer.write_table(table)
        self._batch = []

    def close(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._flush()
        if self._writer is None:  # no rows: still write a valid, empty file
            pq.write_table(pa.table({}), self.path)
        else:
            self._writer.close()


def _verdict_type(name: str, inferred: Any) -> Any:
    import pyarrow as pa

    if not name.startswith("ur_"):
        return inferred
    if name.endswith("confidence"):
        return pa.float64()
    if name.endswith("cached"):
        return pa.bool_()
    return pa.string()


def open_writer(path: str | os.PathLike[str], fmt: str = "jsonl", *, append: bool = False
                ) -> RecordWriter:
    """A streaming writer for ``fmt`` (``jsonl``, ``csv`` or ``parquet``); creates folders.
    ``append`` continues an existing JSONL file (the other formats cannot be continued)."""
    p = Path(path)
    if append and fmt != "jsonl":
        raise InputError(f"{p}: only a .jsonl output can be continued, not {fmt}")
    p.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        return _Jsonl(p, append)
    if fmt == "csv":
        return _Csv(p)
    if fmt == "parquet":
        return _Parquet(p)
    raise InputError(f"format: cannot write {fmt!r} (choose from {', '.join(WRITE_FORMATS)})")
