"""Equivalence check for offline-judge speed work: every verdict must stay byte-identical.

    python benchmarks/offline_equivalence.py record  [FILE]   # on the code before a change
    python benchmarks/offline_equivalence.py check   [FILE]   # after it: exit 1 on any difference
    python benchmarks/offline_equivalence.py check --quick [FILE]   # the in-order pass only

Grades a large fixed corpus with :class:`~unsafe_reassurance.OfflineJudge` and stores each
verdict's JSON (default ``FILE``: ``.offline_verdicts.jsonl.gz`` next to this script, untracked).
The corpus: every golden item with its expert domain and urgency and as a bare message; every
message in ``tests/rubric_messages.py`` (bare and, where known, with its domain) against a fixed
set of replies; every probe scenario under every framing; the demo items, ``examples/pairs.jsonl``
and the README examples; and every long string literal of the adversarial, offline, scenario,
framing and injection tests, graded both as a reply and as a user message. Verdicts carry no
timing, so nothing is dropped.

The check grades the corpus three times: in order with a fresh judge, in reverse order with
another fresh judge (a cache keyed on the wrong thing would show up here), and in order again
on the warm judge (a cache that returns stale or mutated results would show up here).
"""

from __future__ import annotations

import ast
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from unsafe_reassurance import OfflineJudge, Scenario  # noqa: E402
from unsafe_reassurance.demo import DEMO_ITEMS  # noqa: E402
from unsafe_reassurance.errors import InputError  # noqa: E402
from unsafe_reassurance.probe.framings import FRAMINGS, frame  # noqa: E402
from unsafe_reassurance.probe.scenarios import bundled_scenarios  # noqa: E402
from unsafe_reassurance.report.golden import bundled_golden_dir, load_golden  # noqa: E402
from unsafe_reassurance.rubrics import load_rubrics  # noqa: E402

DEFAULT = Path(__file__).with_name(".offline_verdicts.jsonl.gz")
LITERAL_SOURCES = [
    *sorted((ROOT / "tests" / "adversarial").glob("*.py")),
    ROOT / "tests" / "test_offline.py",
    ROOT / "tests" / "test_scenario.py",
    ROOT / "tests" / "test_framing.py",
    ROOT / "tests" / "test_injection.py",
    ROOT / "tests" / "test_findings.py",
    ROOT / "README.md",
]

Case = tuple[str, str, Any]  # (case id, reply, scenario)


def _replies() -> list[str]:
    """A fixed, varied set of replies: demo replies, pairs, and one golden reply per label."""
    replies = [d.response for d in DEMO_ITEMS]
    with (ROOT / "examples" / "pairs.jsonl").open() as fh:
        replies += [json.loads(line)["response"] for line in fh if line.strip()]
    seen: set[str] = set()
    for it in load_golden(bundled_golden_dir()):
        key = f"{it.gold_label}/{it.framing}"
        if key not in seen:
            seen.add(key)
            replies.append(it.response)
    return list(dict.fromkeys(replies))


def _literals() -> list[str]:
    """Long string literals (and README code strings) of the tests that probe edge cases."""
    out: list[str] = []
    for path in LITERAL_SOURCES:
        text = path.read_text()
        if path.suffix == ".md":
            import re

            out += [m.group(1) for m in re.finditer(r'"((?:[^"\\\n]|\\.){20,})"', text)]
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 20:
                out.append(node.value)
    return list(dict.fromkeys(s for s in out if s.strip()))


def corpus() -> Iterator[Case]:
    from rubric_messages import BENIGN_MESSAGES, FLAG_MESSAGES, INFER_BENIGN, INFER_MESSAGES

    rubrics = load_rubrics()
    replies = _replies()
    for it in load_golden(bundled_golden_dir()):
        yield f"golden/given/{it.id}", it.response, it.scenario()
        yield f"golden/infer/{it.id}", it.response, it.scenario(infer=True)
        yield f"golden/domain/{it.id}", it.response, Scenario(user_message=it.user_message,
                                                             domain=it.domain)
    messages: list[tuple[str, str, str | None]] = []
    for domain, flags in FLAG_MESSAGES.items():
        messages += [(f"flag/{domain}/{fid}", msg, domain) for fid, msg in flags.items()]
    messages += [(f"benign/{i}", msg, domain if domain in rubrics else None)
                 for i, (domain, msg, _) in enumerate(BENIGN_MESSAGES)]
    messages += [(f"infer/{i}", msg, None) for i, (msg, _) in enumerate(INFER_MESSAGES)]
    messages += [(f"infer_benign/{i}", msg, None) for i, msg in enumerate(INFER_BENIGN)]
    for s in bundled_scenarios():
        explanations = rubrics[s.domain].comforting_explanations if s.domain in rubrics else []
        for name in FRAMINGS:
            msg = frame(name, s.facts, scenario_id=s.id, explanations=explanations,
                        fallback_explanation=s.comforting_explanation)
            messages.append((f"probe/{s.id}/{name}", msg, s.domain))
    for d in DEMO_ITEMS:
        yield f"demo/{d.name}", d.response, d.user_message
    with (ROOT / "examples" / "pairs.jsonl").open() as fh:
        for line in fh:
            row = json.loads(line)
            scenario = row.get("scenario") or {k: row[k] for k in ("user_message", "domain")
                                               if k in row}
            yield f"pairs/{row['id']}", row["response"], scenario
    for mid, msg, domain in messages:
        for r, reply in enumerate(replies):
            yield f"{mid}/bare/{r}", reply, msg
            if domain is not None and r % 3 == 0:
                yield f"{mid}/given/{r}", reply, Scenario(user_message=msg, domain=domain)
    literals = _literals()
    anchors = [DEMO_ITEMS[0].user_message, DEMO_ITEMS[3].user_message, DEMO_ITEMS[-1].user_message]
    for i, text in enumerate(literals):
        for a, msg in enumerate(anchors):
            yield f"literal/{i}/reply/{a}", text, msg
        yield f"literal/{i}/reply/given", text, Scenario(user_message=anchors[0], domain="cardiac")
        for r in (0, 2, 5):
            yield f"literal/{i}/message/{r}", replies[r], text


def grade_all(cases: list[Case], judge: OfflineJudge) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid, reply, scenario in cases:
        try:
            out[cid] = judge.grade(reply, scenario).model_dump_json()
        except InputError as exc:  # an over-long or empty literal: its error is behaviour too
            out[cid] = f"InputError: {exc}"
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    argv = [a for a in argv if a != "--quick"]
    if not argv or argv[0] not in ("record", "check"):
        print(__doc__)
        return 2
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    cases = list(corpus())
    ids = [c[0] for c in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate case ids in the corpus")
    judge = OfflineJudge()
    first = grade_all(cases, judge)
    if argv[0] == "record":
        with gzip.open(path, "wt") as fh:
            for cid in ids:
                fh.write(json.dumps([cid, first[cid]]) + "\n")
        print(f"recorded {len(ids)} verdicts to {path}")
        return 0
    with gzip.open(path, "rt") as fh:
        baseline = dict(json.loads(line) for line in fh)
    runs = {"in order": first}
    if not quick:
        runs["reversed, fresh judge"] = grade_all(cases[::-1], OfflineJudge())
        runs["in order, warm judge"] = grade_all(cases, judge)
    bad = 0
    if set(baseline) != set(ids):
        print(f"corpus changed: {len(set(baseline) ^ set(ids))} case ids differ from the baseline")
        bad += 1
    for name, got in runs.items():
        diff = [cid for cid in ids if baseline.get(cid) != got[cid]]
        for cid in diff[:5]:
            print(f"DIFF ({name}) {cid}\n  was: {baseline.get(cid)}\n  now: {got[cid]}")
        print(f"{name}: {len(ids) - len(diff)}/{len(ids)} verdicts identical")
        bad += len(diff)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
