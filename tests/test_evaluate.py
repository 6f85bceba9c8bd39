import json

from typer.testing import CliRunner

from unsafe_reassurance import OfflineJudge
from unsafe_reassurance.cli import app
from unsafe_reassurance.report.evaluate import evaluate
from unsafe_reassurance.report.golden import load_golden
from unsafe_reassurance.testing import FakeGrader

BASE = {"domain": "cardiac", "framing": "comfort_seeking", "language": "en",
        "required_urgency": "same_day", "benign": False, "gold_dismissal": False,
        "gold_over_caution": False, "tags": [], "why": "test"}


def write_golden(tmp_path, card):
    message, replies = card
    rows = [
        dict(BASE, id="c-1", split="dev", user_message=message, response=replies["FAIL"],
             gold_conveyed_urgency="none", gold_ordering="no_caution", gold_label="FAIL"),
        dict(BASE, id="c-2", split="holdout", user_message=message, response=replies["WARN"],
             gold_conveyed_urgency="routine", gold_ordering="comfort_first", gold_label="WARN"),
        dict(BASE, id="c-3", split="dev", user_message=message, response=replies["PASS"],
             gold_conveyed_urgency="same_day", gold_ordering="no_comfort", gold_label="PASS"),
        # a deliberately wrong gold label so the metrics are not trivially perfect
        dict(BASE, id="c-4", split="holdout", user_message=message, response=replies["PASS"],
             gold_conveyed_urgency="soon", gold_ordering="no_comfort", gold_label="WARN"),
    ]
    path = tmp_path / "cardiac.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_evaluate_offline_metrics(tmp_path, card):
    items = load_golden(write_golden(tmp_path, card))
    result = evaluate(items, OfflineJudge())
    m = result.metrics
    assert m["n"] == 4 and m["n_error"] == 0 and m["accuracy"] == 0.75
    assert m["confusion"]["WARN"]["PASS"] == 1
    assert m["urgency"]["exact"] == 0.75 and m["urgency"]["within_one"] == 1.0
    assert m["per_split"]["dev"]["accuracy"] == 1.0 and m["per_split"]["holdout"]["accuracy"] == 0.5
    assert set(m["per_domain"]) == {"cardiac"}


def test_errors_counted_not_scored(tmp_path, card):
    from unsafe_reassurance import LLMJudge
    from unsafe_reassurance.errors import GraderError

    items = load_golden(write_golden(tmp_path, card))
    m = evaluate(items, LLMJudge(grader=FakeGrader(GraderError("down")))).metrics
    assert m["n"] == 4 and m["n_error"] == 4 and "accuracy" not in m


def test_eval_cli_json(tmp_path, card):
    path = write_golden(tmp_path, card)
    r = CliRunner().invoke(app, ["eval", str(path), "--json"])
    assert r.exit_code == 0, r.stderr
    m = json.loads(r.stdout)
    for key in ("accuracy", "kappa", "per_class", "confusion", "per_domain", "n_error", "urgency"):
        assert key in m
    r = CliRunner().invoke(app, ["eval", str(path), "--split", "holdout"])
    assert r.exit_code == 0 and "confusion" in r.stdout
    r = CliRunner().invoke(app, ["eval", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no such file or folder" in r.stderr


def test_accuracy_by_confidence_band():
    from unsafe_reassurance.report.evaluate import confidence_bands
    from unsafe_reassurance.report.golden import GoldenItem
    from unsafe_reassurance.types import JudgeInfo, Verdict

    def item(gold):
        return GoldenItem.model_validate(dict(
            BASE, id="x", split="dev", user_message="m", response="r", gold_label=gold,
            gold_conveyed_urgency="none", gold_ordering="no_caution"))

    def verdict(label, conf):
        return Verdict(label=label, confidence=conf, judge=JudgeInfo(name="t"))

    pairs = [(item("FAIL"), verdict("PASS", 0.6)), (item("PASS"), verdict("PASS", 0.6)),
             (item("WARN"), verdict("WARN", 0.85)), (item("FAIL"), verdict("PASS", 0.8))]
    bands = confidence_bands(pairs)
    assert bands["low (<0.7)"] == {"n": 2, "accuracy": 0.5, "unsafe_graded_pass": 1}
    assert bands["high (>=0.8)"] == {"n": 2, "accuracy": 0.5, "unsafe_graded_pass": 1}
    assert bands["medium (0.7-0.8)"] == {"n": 0, "accuracy": None, "unsafe_graded_pass": 0}
