import json

import pytest
from stub_server import StubServer, chat_body
from typer.testing import CliRunner

from unsafe_reassurance.cli import app

runner = CliRunner()
FAKE = "fakes:comforter"


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(autouse=True)
def _fakes_importable(monkeypatch):
    import pathlib

    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parent))


def test_json_prints_only_the_summary(tmp_path):
    out = tmp_path / "r.jsonl"
    r = run("probe", "--target-callable", FAKE, "--domains", "cardiac,eye", "--framings",
            "neutral,comfort_seeking", "--mitigations", "none,neutral_reformulation", "--json",
            "-o", str(out), "--no-progress")
    assert r.exit_code == 0, r.stderr
    s = json.loads(r.stdout)  # nothing else on stdout
    cs = s["framings"]["comfort_seeking"]
    assert {"n", "unsafe_rate", "fail_rate", "delta_unsafe_vs_neutral", "ci", "p_value"} <= set(cs)
    assert cs["n"] == 12 and cs["delta_unsafe_vs_neutral"] == 10 / 12  # 2 benign of 12
    nr = s["mitigations"]["neutral_reformulation"]
    assert nr["framings"]["comfort_seeking"]["delta_unsafe_vs_neutral"] == 0.0
    assert "delta_unsafe_vs_none" in nr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 12 * 2 * 2 and {"message", "reply", "verdict"} <= set(rows[0])
    assert "wrote 48 rows" in r.stderr


def test_report_understands_probe_results(tmp_path):
    out = tmp_path / "r.jsonl"
    run("probe", "--target-callable", FAKE, "--domains", "cardiac", "--framings",
        "neutral,comfort_seeking", "-o", str(out), "--no-progress")
    r = run("report", str(out))
    assert r.exit_code == 0, r.stderr
    assert "comfort_seeking" in r.stdout and "+0.83" in r.stdout
    r = run("report", str(out), "--format", "json")
    assert json.loads(r.stdout)["framings"]["neutral"]["n"] == 6
    r = run("report", str(out), "--format", "csv")
    assert r.stdout.startswith("mitigation,framing,domain,n,") and "ci_low" in r.stdout


def test_html_report(tmp_path):
    page = tmp_path / "p.html"
    r = run("probe", "--target-callable", FAKE, "--per-domain", "1", "--framings",
            "neutral,comfort_seeking,false_belief", "--html", str(page), "--no-progress")
    assert r.exit_code == 0, r.stderr
    assert page.read_text().count("data:image/png") == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--target-callable", FAKE, "--framings", "neutral,sadness"], "--framings: unknown 'sadness'"),
    (["--target-callable", FAKE, "--mitigations", "none,prayer"], "--mitigations: unknown 'prayer'"),
    (["--target-callable", FAKE, "--persona", "grumpy"], "--persona: unknown"),
    (["--target-callable", FAKE, "--domains", "astrology"], "--domains: unknown astrology"),
    ([], "--target-model: required"),
    (["--target-callable", "nomodule:fn"], "--target-callable: cannot load"),
    (["--target-callable", "fakes:broken", "--per-domain", "1", "--framings", "neutral"],
     "every request failed; first error: target broken raised RuntimeError: model offline"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    r = run("probe", "--no-progress", *args)
    assert r.exit_code == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2  # the error line (and a finished bar)


def test_scenario_file_without_facts(tmp_path):
    bad = tmp_path / "s.jsonl"
    bad.write_text('{"id": "a", "domain": "cardiac"}\n')
    r = run("probe", "--target-callable", FAKE, "--scenarios", str(bad), "--no-progress")
    assert r.exit_code == 2 and "s.jsonl:1: missing field 'facts'" in r.stderr


def test_litellm_target_over_loopback_with_persona_and_samples(tmp_path):
    with StubServer([(200, chat_body("Please call emergency services now."))]) as stub:
        r = run("probe", "--target-model", "openai/stub", "--target-api-base", stub.base_url,
                "--persona", "warm", "--samples", "2", "--temperature", "0.5", "--domains",
                "cardiac", "--per-domain", "2", "--framings", "neutral,comfort_seeking",
                "--json", "--no-progress")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["framings"]["comfort_seeking"]["unsafe_rate"] == 0.0
    assert len(stub.requests) == 2 * 2 * 2
    req = stub.requests[0]
    assert req["messages"][0]["role"] == "system" and "warm, supportive" in req["messages"][0]["content"]
    assert req["temperature"] == 0.5


def test_litellm_target_failure_is_retried_then_counted(tmp_path):
    script = [(500, {"error": {"message": "boom"}})] * 2 + [(200, chat_body("Call 999 now."))]
    with StubServer(script) as stub:
        r = run("probe", "--target-model", "openai/stub", "--target-api-base", stub.base_url,
                "--target-max-attempts", "3", "--domains", "cardiac", "--per-domain", "1",
                "--framings", "neutral", "--json", "--no-progress")
    assert r.exit_code == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["errors"] == 0 and len(stub.requests) == 3


def test_rewriter_model_variants_that_change_the_reading_are_discarded():
    # The stub "rewrites" every message into a reply-like text with no red flags, so the judge's
    # reading of each variant differs from the facts' and every variant is discarded.
    with StubServer([(200, chat_body("Thanks for asking, have a lovely day."))]) as stub:
        r = run("probe", "--target-callable", FAKE, "--rewriter-model", "openai/stub",
                "--rewriter-api-base", stub.base_url, "--domains", "cardiac", "--per-domain", "3",
                "--framings", "neutral,comfort_seeking", "--json", "--no-progress")
    assert r.exit_code == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["rewriter"] == {"comfort_seeking": {"kept": 0, "discarded": 3},
                             "neutral": {"kept": 0, "discarded": 3}}
    assert len(stub.requests) == 6 and "Keep EVERY fact" in stub.requests[0]["messages"][0]["content"]
    assert s["framings"]["comfort_seeking"]["delta_unsafe_vs_neutral"] == 1.0  # templates used


def test_golden_set_as_scenarios():
    from unsafe_reassurance.report.golden import bundled_golden_dir

    r = run("probe", "--target-callable", FAKE, "--golden", str(bundled_golden_dir() / "cardiac.jsonl"),
            "--framings", "neutral,comfort_seeking", "--json", "--no-progress")
    assert r.exit_code == 0, r.stderr
    cs = json.loads(r.stdout)["framings"]["comfort_seeking"]
    assert cs["n"] >= 5 and cs["delta_unsafe_vs_neutral"] > 0.5
