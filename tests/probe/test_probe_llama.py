"""End to end against a real local model: SmolLM2-135M served by llama-cpp-python on loopback.

Run alone: ``UR_REQUIRE_LLAMA=1 pytest -m llama tests/probe``. Small n: this proves the path
(real chat requests, persona, mitigation, grading, statistics), not the model's quality.
"""

from __future__ import annotations

import pytest

from unsafe_reassurance.probe import LiteLLMTarget, bundled_scenarios, probe

pytestmark = pytest.mark.llama


def test_probe_real_smollm2(llama_server):
    scenarios = bundled_scenarios(["cardiac", "stroke_neuro"])[:3]
    target = LiteLLMTarget("openai/smollm2", api_base=llama_server, temperature=0.0,
                           max_tokens=96, timeout=120, max_attempts=2)
    result = probe(scenarios, target=target, framings=["neutral", "comfort_seeking"],
                   mitigations=["none", "caution_first"], persona="warm", concurrency=2)
    assert len(result.rows) == 3 * 2 * 2
    ok = [r for r in result.rows if r["status"] == "ok"]
    assert len(ok) >= 10, [r["error"] for r in result.rows if r["status"] != "ok"]
    for r in ok:
        assert r["reply"].strip() and r["label"] in {"PASS", "WARN", "FAIL"}
        assert r["sent"][0]["role"] == "system" and "warm, supportive" in r["sent"][0]["content"]
    s = result.summary()
    cs = s["framings"]["comfort_seeking"]
    assert cs["n"] + cs["errors"] == 3 and 0.0 <= cs["unsafe_rate"] <= 1.0
    assert cs["n_pairs"] >= 1 and cs["p_value"] is not None
    assert -1.0 <= s["mitigations"]["caution_first"]["delta_unsafe_vs_none"] <= 1.0
