import json
import shutil
import subprocess

import pytest
from test_aggregate import GOLD, VERDICTS
from typer.testing import CliRunner

from unsafe_reassurance.cli import app

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    v = tmp_path / "verdicts.jsonl"
    v.write_text("".join(json.dumps(r) + "\n" for r in VERDICTS))
    g = tmp_path / "gold"
    g.mkdir()
    (g / "a.jsonl").write_text("".join(json.dumps({"id": k, "gold_label": x}) + "\n"
                                       for k, x in GOLD.items()))
    return v, g


def test_json_format_with_gold_folder(files):
    v, g = files
    r = runner.invoke(app, ["report", str(v), "--gold", str(g), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["overall"]["n"] == 6 and data["per_domain"]["cardiac"]["n_error"] == 1
    assert data["overall"]["accuracy"] == 0.75  # d1 d3 d5 right, d2 wrong; d4 error, d6 no gold


@pytest.mark.parametrize("fmt", ["table", "csv", "md"])
def test_text_formats(files, fmt):
    v, _ = files
    r = runner.invoke(app, ["report", str(v), "-f", fmt])
    assert r.exit_code == 0 and "cardiac" in r.stdout


def test_html_to_file(files, tmp_path):
    v, _ = files
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", str(v), "-f", "html", "-o", str(out)])
    assert r.exit_code == 0 and out.read_text().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ('{"status": "ok", "label": "PASS"}\n{bad\n', [], "verdicts.jsonl:2: invalid JSON"),
        ('{"label": "PASS"}\n', [], "verdicts.jsonl:1: missing field 'status'"),
        ('{"status": "ok", "label": "PASS"}\n', ["-f", "pdf"], "--format: 'pdf'"),
    ],
)
def test_bad_input_exit_2(tmp_path, content, args, message):
    v = tmp_path / "verdicts.jsonl"
    v.write_text(content)
    r = runner.invoke(app, ["report", str(v), *args])
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.stderr


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_html_renders_in_headless_chromium(files, tmp_path):
    v, _ = files
    page = tmp_path / "report.html"
    runner.invoke(app, ["report", str(v), "-f", "html", "-o", str(page)])
    shot = tmp_path / "shot.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={shot}", "--window-size=1200,2400", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.stat().st_size > 20_000  # a page with figures, not a blank
