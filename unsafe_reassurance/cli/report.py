"""``unsafe-reassurance report``: per-domain calibration from a JSONL file of verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..run.jsonl import iter_jsonl
from ._common import err, guard, out

__all__ = ["read_gold", "read_verdicts", "report"]

FORMATS = ("table", "json", "csv", "md", "html")


def read_verdicts(path: Path) -> list[dict[str, Any]]:
    """Verdict rows from JSONL (as written by grade-file / eval --verdicts)."""
    from ..errors import InputError

    rows = []
    for f, n, obj in iter_jsonl(path):
        for key in ("status", "label"):
            if key not in obj:
                raise InputError(f"{f}:{n}: missing field '{key}' (is this a verdicts file?)")
        rows.append(obj)
    return rows


def read_gold(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Gold labels (and conveyed urgencies, when present) by id from a JSONL file or folder."""
    from ..errors import InputError

    labels, urgency = {}, {}
    for f, n, obj in iter_jsonl(path):
        for key in ("id", "gold_label"):
            if key not in obj:
                raise InputError(f"{f}:{n}: missing field '{key}'")
        labels[str(obj["id"])] = obj["gold_label"]
        if obj.get("gold_conveyed_urgency"):
            urgency[str(obj["id"])] = obj["gold_conveyed_urgency"]
    return labels, urgency


def _is_probe(path: Path) -> bool:
    from ..probe.result import is_probe_row

    first = next(iter_jsonl(path), None)
    return first is not None and is_probe_row(first[2])


def _probe_report(path: Path, fmt: str, output: Path | None) -> None:
    """Probe results (from ``probe -o``): the framing / mitigation summary instead."""
    from ..errors import InputError
    from ..probe.render import render
    from ..probe.result import ProbeResult
    from ..report.render import MissingExtraError

    result = ProbeResult.from_jsonl(path)
    try:
        text = render(result.summary(), fmt)
    except MissingExtraError as exc:
        raise InputError(str(exc)) from None
    if isinstance(text, str):
        if output is None:
            print(text)
        else:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {output}", highlight=False, soft_wrap=True)
        return
    for table in text:
        out.print(table)


def report(
    verdicts: Annotated[Path, typer.Argument(help="Verdicts JSONL (from grade-file or eval).")],
    gold: Annotated[Optional[Path], typer.Option(  # noqa: UP045 (typer on 3.10)
        "--gold", help="Gold JSONL file or folder (rows with id, gold_label).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, md or html.")] = "table",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here.")] = None,  # noqa: UP045
) -> None:
    """Per-domain calibration report: rates with intervals, urgency matrix, gaps, gold agreement."""
    from ..errors import InputError
    from ..report.aggregate import calibration_report
    from ..report.render import MissingExtraError, report_table, to_csv, to_html, to_markdown

    with guard():
        if fmt not in FORMATS:
            raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        if _is_probe(verdicts):
            _probe_report(verdicts, fmt, output)
            return
        rows = read_verdicts(verdicts)
        labels, urgency = read_gold(gold) if gold else (None, None)
        rep = calibration_report(rows, gold=labels, gold_urgency=urgency or None)
        try:
            text = {
                "json": lambda: json.dumps(rep.to_json(), indent=2),
                "csv": lambda: to_csv(rep),
                "md": lambda: to_markdown(rep),
                "html": lambda: to_html(rep),
                "table": lambda: None,
            }[fmt]()
        except MissingExtraError as exc:
            raise InputError(str(exc)) from None
    if text is None:
        out.print(report_table(rep))
        if rep.with_gold and rep.n_without_gold:
            err.print(f"{rep.n_without_gold} verdict(s) had no gold label")
        return
    if output is None:
        print(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False, soft_wrap=True)
