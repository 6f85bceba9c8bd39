"""Reports: per-domain calibration, judge-vs-gold agreement, and their outputs.

Data flows ``aggregate`` (numbers) -> ``render`` (tables, CSV, Markdown, HTML, figures);
``golden`` and ``evaluate`` grade a labeled set and score the judge against it.
"""

from __future__ import annotations

from .aggregate import LABELS, URGENCIES, CalibrationReport, calibration_report, scope_metrics
from .evaluate import EvalResult, label_metrics
from .golden import GoldenItem, bundled_golden_dir, load_golden
from .metrics import agreement, expected_calibration_error, wilson_interval
from .render import (
    COLUMNS,
    MissingExtraError,
    gap_distribution,
    rate_bars,
    report_table,
    to_csv,
    to_dataframe,
    to_html,
    to_markdown,
    urgency_heatmap,
)

__all__ = [
    "COLUMNS",
    "LABELS",
    "URGENCIES",
    "CalibrationReport",
    "EvalResult",
    "GoldenItem",
    "MissingExtraError",
    "agreement",
    "bundled_golden_dir",
    "calibration_report",
    "expected_calibration_error",
    "gap_distribution",
    "label_metrics",
    "load_golden",
    "rate_bars",
    "report_table",
    "scope_metrics",
    "to_csv",
    "to_dataframe",
    "to_html",
    "to_markdown",
    "urgency_heatmap",
    "wilson_interval",
]
