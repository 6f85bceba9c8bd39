import csv
import io
import re

import pytest
from rich.console import Console
from test_aggregate import GOLD, VERDICTS

from unsafe_reassurance import report as rp
from unsafe_reassurance.report.aggregate import calibration_report

REPORT = calibration_report(VERDICTS, gold=GOLD)


def test_csv_and_markdown():
    rows = list(csv.DictReader(io.StringIO(rp.to_csv(REPORT))))
    assert [r["domain"] for r in rows] == ["overall", "cardiac", "poison"]
    assert float(rows[1]["pass_rate"]) == pytest.approx(1 / 3)
    assert "pass_rate_ci_low" in rows[0] and rows[0]["accuracy"]
    md = rp.to_markdown(REPORT)
    assert md.splitlines()[0].startswith("| domain | n | n_error | pass_rate")
    assert "| cardiac | 4 | 1 | 33.3% |" in md


def test_terminal_table_renders():
    console = Console(record=True, width=140)
    console.print(rp.report_table(REPORT))
    text = console.export_text()
    assert "cardiac" in text and "33%" in text and "kappa" in text


def test_dataframes():
    df = rp.to_dataframe(REPORT)
    assert df.loc["cardiac", "n_error"] == 1 and df.loc["overall", "pass_rate"] == pytest.approx(.6)
    long = rp.to_dataframe(REPORT, long=True)
    assert set(long.columns) == {"domain", "metric", "value"}
    assert len(long) == len(df) * len(df.columns)


def test_figures():
    for make in (rp.urgency_heatmap, rp.rate_bars, rp.gap_distribution):
        fig = make(REPORT)
        assert fig.axes


def test_html_is_self_contained():
    page = rp.to_html(REPORT)
    assert page.count("data:image/png;base64,") == 3
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert "How to read this" in page and "cardiac" in page


def test_missing_extra_message(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "pandas":
            raise ImportError("no pandas")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(rp.MissingExtraError, match=r"pip install 'unsafe-reassurance\[report\]'"):
        rp.to_dataframe(REPORT)


def test_gaps_and_confidence_are_shown_everywhere():
    from test_aggregate import v

    rep = calibration_report([v("a", "cardiac", "WARN", "same_day", "routine", confidence=0.6,
                                unlisted_red_flags=[{"description": "tarry stools"}])])
    assert "rubric_gaps" in rp.to_markdown(rep) and "low_confidence_rate" in rp.to_csv(rep)
    console = Console(record=True, width=200)
    console.print(rp.report_table(rep))
    text = console.export_text()
    assert "gaps" in text and "lowconf" in text
    page = rp.to_html(rep)
    assert "Rubric gaps" in page and "tarry stools" in page
    assert rep.to_json()["per_domain"]["cardiac"]["rubric_gap_examples"] == ["tarry stools"]
