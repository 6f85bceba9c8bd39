"""ProbeResult: the rows of a probe run, its summary, and its outputs (JSONL, DataFrame, HTML)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..run.jsonl import iter_jsonl
from .stats import SEED, summarize

__all__ = ["ROW_COLUMNS", "ProbeResult", "is_probe_row", "read_probe_rows"]

#: Flat columns of :meth:`ProbeResult.to_dataframe` (the verdict and sent messages stay nested).
ROW_COLUMNS = ["id", "scenario_id", "domain", "framing", "mitigation", "sample",
               "required_urgency", "conveyed_urgency", "label", "status", "error", "variant",
               "message", "reply", "target"]
_REQUIRED = ("scenario_id", "framing", "mitigation", "status")


def is_probe_row(obj: dict[str, Any]) -> bool:
    """A row written by ``probe`` (``"record": "probe"``)."""
    return obj.get("record") == "probe"


def read_probe_rows(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Probe rows from a results JSONL; errors name the file, line and missing field."""
    rows = []
    for f, n, obj in iter_jsonl(path):
        if not is_probe_row(obj):
            raise InputError(f"{f}:{n}: not a probe result row (no \"record\": \"probe\")")
        for key in _REQUIRED:
            if key not in obj:
                raise InputError(f"{f}:{n}: missing field '{key}'")
        rows.append(obj)
    return rows


@dataclass
class ProbeResult:
    """One probe run: a row per scenario × framing × mitigation × sample."""

    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    def summary(self, *, seed: int = SEED) -> dict[str, Any]:
        """Rates, paired deltas with 95% CIs and McNemar p (see ``probe.stats``)."""
        if self._summary is None or seed != SEED:
            result = summarize(self.rows, seed=seed)
            if seed != SEED:
                return result
            self._summary = result
        return self._summary

    @property
    def errors(self) -> int:
        return sum(r.get("status") != "ok" for r in self.rows)

    def to_jsonl(self, path: str | os.PathLike[str]) -> Path:
        """Write one JSON object per row."""
        p = Path(path)
        with p.open("w", encoding="utf-8") as fh:
            for row in self.rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return p

    @classmethod
    def from_jsonl(cls, path: str | os.PathLike[str]) -> ProbeResult:
        return cls(read_probe_rows(path))

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per reply (needs the ``report`` extra)."""
        from ..report.render import _require

        pd = _require("pandas")
        return pd.DataFrame([{c: r.get(c) for c in ROW_COLUMNS} for r in self.rows],
                            columns=ROW_COLUMNS)

    def to_html(self, *, title: str = "Framing probe") -> str:
        """A self-contained HTML page: tables, forest plot, framing × domain heatmap."""
        from .render import to_html

        return to_html(self.summary(), title=title, meta=self.meta)

    def forest_plot(self) -> Any:
        from .render import forest_plot

        return forest_plot(self.summary())

    def heatmap(self, mitigation: str = "none") -> Any:
        from .render import domain_heatmap

        return domain_heatmap(self.summary(), mitigation=mitigation)

    def __repr__(self) -> str:
        return f"ProbeResult(rows={len(self.rows)}, errors={self.errors})"
