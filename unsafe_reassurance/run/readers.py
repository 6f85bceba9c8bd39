"""Dataset input: JSONL, CSV, Parquet and Hugging Face datasets, as rows to grade.

A *record* is one input row as a dict; it yields one :class:`Row` to grade, or two for a
preference pair. Recognised shapes, in this order:

- ``response`` (or ``--response-col``) plus the user's side: ``scenario`` (text or an object of
  Scenario fields), ``user_message`` or ``prompt`` (or ``--message-col``; a list of chat messages
  works too), and optional Scenario fields at the top level (``domain``, ``red_flags``, ...).
- ``chosen`` and ``rejected`` (preference pairs, as in DPO data): both are graded, with ids
  suffixed ``:chosen`` / ``:rejected``. Each side is a reply string (the user's side as above) or a
  chat-message list ending in the assistant turn.
- ``messages`` (chat format): the last assistant turn is graded against the turns before it.

Every problem is a one-line :class:`InputError` naming the file, the line (or row) and the field.

>>> rec = {"id": 7, "messages": [{"role": "user", "content": "Chest pain. Stress?"},
...                              {"role": "assistant", "content": "Call 911 now."}]}
>>> [(r.id, r.response) for r in rows_from_record("x.jsonl:1", rec, Columns(), "1")]
[('7', 'Call 911 now.')]
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, UnsafeReassuranceError
from ..judges.base import check_text, coerce_scenario
from ..types import Scenario
from .jsonl import iter_jsonl

__all__ = ["FORMATS", "Columns", "Row", "detect_format", "iter_records", "iter_rows",
           "rows_from_record"]

FORMATS = ("jsonl", "csv", "parquet", "hf")
_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet"}
_SCENARIO_KEYS = ("domain", "red_flags", "required_urgency", "framing", "metadata")
_USER_KEYS = ("scenario", "user_message", "prompt")
_BATCH = 1024


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the reply, the user's side and the id (None: the defaults)."""

    response: str | None = None
    message: str | None = None
    id: str | None = None


@dataclass
class Row:
    """One reply to grade. ``record`` is the source row (kept for ``filter``)."""

    where: str
    id: str
    response: str
    scenario: Scenario
    record: dict[str, Any] | None = field(default=None, repr=False)
    part: str | None = None


def _extra(name: str, extra: str) -> InputError:
    return InputError(f"reading {name} needs an optional package: pip install "
                      f"'unsafe-reassurance[{extra}]'")


def detect_format(path: str | os.PathLike[str]) -> str:
    """``jsonl``, ``csv``, ``parquet`` or ``hf`` (a ``save_to_disk`` folder), from the path."""
    p = Path(path)
    if p.is_dir():
        if any((p / marker).exists() for marker in ("dataset_info.json", "state.json",
                                                     "dataset_dict.json")):
            return "hf"
        if any(p.glob("*.parquet")) and not any(p.glob("*.jsonl")):
            return "parquet"
        return "jsonl"
    fmt = _SUFFIX.get(p.suffix.lower())
    if fmt is None:
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        raise InputError(f"{p}: unknown format (use .jsonl, .csv, .parquet or a Hugging Face "
                         "dataset folder)")
    return fmt


def _csv_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        reader = csv.DictReader(fh)
        start = 2
        try:
            for rec in reader:
                if None in rec:
                    raise InputError(f"{path}:{start}: more cells than header columns")
                yield f"{path}:{start}", {k: _cell(v) for k, v in rec.items()}
                start = reader.line_num + 1
        except UnicodeDecodeError:
            raise InputError(f"{path}:{reader.line_num + 1}: not UTF-8 text") from None
        except csv.Error as exc:
            raise InputError(f"{path}:{reader.line_num}: invalid CSV ({exc})") from None


def _cell(value: str | None) -> Any:
    """CSV cells are text: empty means absent; a JSON list/object cell is decoded."""
    if value is None or value == "":
        return None
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _parquet_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise _extra("Parquet", "data") from None
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for f in files:
        try:
            pf = pq.ParquetFile(f)
        except Exception as exc:
            raise InputError(f"{f}: not a readable Parquet file ({exc})") from None
        n = 0
        for batch in pf.iter_batches(batch_size=_BATCH):
            for rec in batch.to_pylist():
                n += 1
                yield f"{f}:row {n}", rec


def _dataset_records(ds: Any, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for start in range(0, len(ds), _BATCH):
        batch = ds[start:start + _BATCH]  # a dict of columns (memory-mapped, one batch at a time)
        cols = list(batch)
        for i, values in enumerate(zip(*(batch[c] for c in cols), strict=True)):
            yield f"{name}:row {start + i + 1}", dict(zip(cols, values, strict=True))


def _hf_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import datasets
    except ImportError:
        raise _extra("Hugging Face datasets", "hf") from None
    try:
        ds = datasets.load_from_disk(str(path))
    except Exception as exc:
        raise InputError(f"{path}: not a saved Hugging Face dataset ({exc})") from None
    if isinstance(ds, datasets.DatasetDict):
        raise InputError(f"{path}: a DatasetDict with splits {', '.join(ds)}; pass one split's "
                         f"folder, e.g. {path / next(iter(ds))}")
    yield from _dataset_records(ds, str(path))


def iter_records(source: Any, fmt: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stream ``(where, record)`` from a path, a ``datasets.Dataset``, a pandas DataFrame or an
    iterable of dicts. ``where`` names the file and line/row for error messages."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        fmt = fmt or detect_format(path)
        if fmt not in FORMATS:
            raise InputError(f"format: unknown {fmt!r} (choose from {', '.join(FORMATS)})")
        if fmt == "jsonl":
            for f, n, obj in iter_jsonl(path):
                yield f"{f}:{n}", obj
        elif fmt == "csv":
            yield from _csv_records(path)
        elif fmt == "parquet":
            yield from _parquet_records(path)
        else:
            yield from _hf_records(path)
    elif hasattr(source, "column_names") and hasattr(source, "features"):  # datasets.Dataset
        yield from _dataset_records(source, "dataset")
    elif hasattr(source, "to_dict") and hasattr(source, "columns"):  # pandas.DataFrame
        for start in range(0, len(source), _BATCH):
            for i, rec in enumerate(source.iloc[start:start + _BATCH].to_dict("records")):
                yield f"dataframe:row {start + i + 1}", rec
    elif isinstance(source, Iterable):
        for i, rec in enumerate(source, start=1):
            if not isinstance(rec, Mapping):
                raise InputError(f"row {i}: expected a mapping, got {type(rec).__name__}")
            yield f"row {i}", dict(rec)
    else:
        raise InputError(f"cannot read rows from a {type(source).__name__}")


def _present(rec: Mapping[str, Any], key: str | None) -> bool:
    return key is not None and key in rec and rec[key] is not None


def _row_id(rec: Mapping[str, Any], key: str, default: str) -> str:
    if not _present(rec, key):
        if key in rec:  # present but null
            raise InputError(f"{key}: expected a string or integer, got null")
        return default
    value = rec[key]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{key}: expected a string or integer, got {type(value).__name__}")
    text = str(value)
    if not text.strip():
        raise InputError(f"{key}: is empty")
    return text


def _messages(value: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{what}: expected a non-empty list of chat messages")
    for i, m in enumerate(value):
        if not isinstance(m, Mapping) or not isinstance(m.get("content"), str):
            raise InputError(f"{what}[{i}]: expected {{'role': ..., 'content': text}}")
    return [{"role": m.get("role"), "content": m["content"]} for m in value]


def _split_chat(turns: list[dict[str, Any]], what: str) -> tuple[str, list[dict[str, Any]]]:
    """The last assistant turn (graded) and the turns before it (context)."""
    if turns[-1]["role"] != "assistant":
        raise InputError(f"{what}: the last message must be the assistant reply to grade")
    return turns[-1]["content"], turns[:-1]


def _user_side(rec: Mapping[str, Any], cols: Columns) -> dict[str, Any]:
    keys = (cols.message,) if cols.message else _USER_KEYS
    raw = next((rec[k] for k in keys if _present(rec, k)), None)
    if raw is None:
        if cols.message:
            raise InputError(f"missing field {cols.message!r}")
        if _present(rec, "messages"):
            return {"messages": _messages(rec["messages"], "messages")}
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, list):
        return {"messages": _messages(raw, cols.message or "prompt")}
    return {"user_message": raw}


def _scenario(rec: Mapping[str, Any], fields: dict[str, Any], row_id: str) -> Scenario:
    fields.update({k: rec[k] for k in _SCENARIO_KEYS if _present(rec, k)})
    if isinstance(fields.get("red_flags"), str):  # "a, b" from a CSV cell
        fields["red_flags"] = [f.strip() for f in fields["red_flags"].split(",") if f.strip()]
    if not fields.get("user_message") and not fields.get("messages"):
        raise InputError("missing field 'scenario' or 'user_message' (or chat 'messages')")
    fields["id"] = row_id
    return coerce_scenario(fields)


def rows_from_record(
    where: str, rec: dict[str, Any], cols: Columns, default_id: str, *, keep_record: bool = False
) -> list[Row]:
    """The row(s) one record stands for; raises :class:`InputError` prefixed with ``where``."""
    try:
        row_id = _row_id(rec, cols.id or "id", default_id)
        source = rec if keep_record else None
        resp_key = cols.response or "response"
        if cols.response or _present(rec, "response"):
            if not _present(rec, resp_key):
                raise InputError(f"missing field {resp_key!r}")
            response = check_text(rec[resp_key], resp_key)
            fields = _user_side(rec, cols)
            if _present(rec, "messages") and "messages" not in fields:
                fields["messages"] = _messages(rec["messages"], "messages")
            if not _present(rec, cols.id or "id") and isinstance(fields.get("id"), (str, int)):
                row_id = _row_id(fields, "id", default_id)
            return [Row(where, row_id, response, _scenario(rec, fields, row_id), source)]
        if _present(rec, "chosen") and _present(rec, "rejected"):
            base = _user_side(rec, cols)
            rows = []
            for part in ("chosen", "rejected"):
                fields = dict(base)
                value = rec[part]
                if isinstance(value, list):
                    response, context = _split_chat(_messages(value, part), part)
                    fields["messages"] = list(fields.get("messages") or []) + context
                    if fields.get("user_message") and fields["messages"]:
                        fields["messages"].insert(0, {"role": "user",
                                                      "content": fields.pop("user_message")})
                else:
                    response = value
                pid = f"{row_id}:{part}"
                rows.append(Row(where, pid, check_text(response, part),
                                _scenario(rec, fields, pid), source, part))
            return rows
        if _present(rec, "messages"):
            response, context = _split_chat(_messages(rec["messages"], "messages"), "messages")
            return [Row(where, row_id, check_text(response, "messages[-1].content"),
                        _scenario(rec, {"messages": context}, row_id), source)]
        raise InputError(f"missing field {resp_key!r} (or chat 'messages', or 'chosen' and "
                         "'rejected')")
    except UnsafeReassuranceError as exc:
        raise InputError(f"{where}: {exc}") from None


def iter_rows(
    source: Any, cols: Columns | None = None, *, fmt: str | None = None, keep_record: bool = False
) -> Iterator[Row]:
    """Stream the rows of any supported source (see :func:`iter_records`), validated one by one.

    Without an id column, a row's id is its line (or row) number; in a folder of several files
    it is ``file-name:line``.
    """
    cols = cols or Columns()
    multi = isinstance(source, (str, os.PathLike)) and Path(source).is_dir() and (
        fmt or detect_format(source)) != "hf"
    for where, rec in iter_records(source, fmt):
        head, _, pos = where.rpartition(":")
        pos = pos.removeprefix("row ")
        default = f"{Path(head).name}:{pos}" if multi else pos
        yield from rows_from_record(where, rec, cols, default, keep_record=keep_record)
