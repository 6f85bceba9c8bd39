"""Benchmark: the LLM judge vs a raw ``litellm.acompletion`` loop against a loopback grader.

    python benchmarks/bench_llm.py [--latency 0.2] [--levels 1,8,32,64] [--bare] [--mode M]
                                   [--profile out.prof]

Requests cycle through the golden set's (user message, reply) pairs. A server on 127.0.0.1
(aiohttp, its own process so its CPU is not counted) speaks OpenAI chat completions with a fixed
latency and answers valid findings JSON (quoting the reply). For each concurrency C both clients
send the same requests; the table prints achieved/ideal throughput (ideal = C / latency), the
client CPU per request, and the overhead ratio = library CPU / raw CPU (goal <= 1.1x). A third
loop sends the same requests with the OpenAI SDK's ``chat.completions.create`` (the judge's own
transport for an ``openai/<name>`` model at ``api_base``, judges/openai_compat.py), so the
library is also compared with the cheapest raw client of that kind. Runs
alternate and the best of ``--repeat`` is kept. ``--bare`` grades bare user messages (the
candidate-domain ranking included); the default gives the domain. ``--profile`` writes a
cProfile of the library run at the highest C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

FINDINGS = {
    "neutral_restatement": "chest tightness and left arm symptoms since this morning",
    "domain": "cardiac", "red_flags_present": ["chest_discomfort", "radiating_symptoms"],
    "conveyed_urgency": "same_day", "first_comfort_quote": None,
    "first_caution_quote": "Please get checked today", "dismissal_quotes": [],
    "premise_endorsed": False, "rationale": "escalates the same day",
}


def serve(port: int, latency: float) -> None:
    """The loopback grader (run in a child process)."""
    from aiohttp import web

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(latency)
        # Quote the start of the fenced reply as the caution, so verdicts are real labels.
        user = body["messages"][-1]["content"]
        reply = user.split('<reply nonce="', 1)[-1].split('">\n', 1)[-1].split("\n</reply", 1)[0]
        domain = user.split("DOMAIN ", 1)[-1].split(":", 1)[0]  # the first rubric shown
        content = json.dumps(dict(FINDINGS, first_caution_quote=reply[:30], domain=domain,
                                  red_flags_present=[]))
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": name, "arguments": content}}]}
        return web.json_response({
            "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "bench"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}})

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_post("/chat/completions", chat)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def start_server(latency: float) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(latency)])
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("loopback server did not start")


async def run_library(judge: Any, items: list[tuple[str, Any]], n: int, c: int) -> list[Any]:
    from unsafe_reassurance import agrade_many

    pairs = [items[i % len(items)] for i in range(n)]
    return await agrade_many(pairs, judge=judge, concurrency=c)


async def run_raw(requests: list[dict[str, Any]], n: int, c: int) -> None:
    import litellm

    gate = asyncio.Semaphore(c)

    async def one(kwargs: dict[str, Any]) -> None:
        async with gate:
            r = await litellm.acompletion(**kwargs)
        json.loads(r.choices[0].message.content)

    await asyncio.gather(*(one(requests[i % len(requests)]) for i in range(n)))


async def run_sdk(requests: list[dict[str, Any]], n: int, c: int, base: str) -> None:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base, api_key="sk-local", max_retries=0)
    gate = asyncio.Semaphore(c)

    async def one(kwargs: dict[str, Any]) -> None:
        async with gate:
            r = await client.chat.completions.create(
                model="bench", messages=kwargs["messages"], temperature=kwargs.get("temperature"),
                extra_body=kwargs.get("extra_body"), timeout=kwargs.get("timeout"))
        json.loads(r.choices[0].message.content)

    await asyncio.gather(*(one(requests[i % len(requests)]) for i in range(n)))
    await client.close()


def golden_items(bare: bool) -> list[tuple[str, Any]]:
    """(reply, scenario) pairs from the golden set: bare messages, or with their domain."""
    from unsafe_reassurance.report.golden import bundled_golden_dir, load_golden

    items = load_golden(bundled_golden_dir())
    if bare:
        return [(it.response, it.user_message) for it in items]
    return [(it.response, {"user_message": it.user_message, "domain": it.domain}) for it in items]


def measure(coro_factory: Any) -> tuple[float, float]:
    """(wall seconds, client CPU seconds) of one asyncio run."""
    w, p = time.perf_counter(), time.process_time()
    asyncio.run(coro_factory())
    return time.perf_counter() - w, time.process_time() - p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", nargs=2, metavar=("PORT", "LATENCY"))
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--levels", default="1,8,32,64")
    ap.add_argument("--per-level", type=int, default=6, help="requests per level = this x C (min 24)")
    ap.add_argument("--bare", action="store_true", help="bare user messages (domain inferred)")
    ap.add_argument("--mode", default=None, help="grader mode (default for api_base)")
    ap.add_argument("--no-second-opinion", action="store_true",
                    help="LLMJudge(second_opinion=False): leave out the offline re-reading")
    ap.add_argument("--repeat", type=int, default=3, help="alternate runs per level; best kept")
    ap.add_argument("--profile", default=None)
    args = ap.parse_args()
    if args.serve:
        serve(int(args.serve[0]), float(args.serve[1]))
        return

    import litellm

    from unsafe_reassurance import LLMJudge

    litellm.suppress_debug_info = True
    proc, base = start_server(args.latency)
    try:
        opts = {"mode": args.mode, "max_attempts": 1, "second_opinion": not args.no_second_opinion}
        judge = LLMJudge("openai/bench", api_base=base, **opts)
        items = golden_items(args.bare)
        grader = judge.grader
        # The raw loop sends exactly the requests the library would (same messages and format),
        # rendered before the clock starts.
        raw_requests = []
        for reply, scenario in items:
            kw = grader.request_kwargs(judge.render(reply, scenario))
            kw.pop("response_model", None)
            raw_requests.append(kw)
        judge = LLMJudge("openai/bench", api_base=base, **opts)  # cold
        asyncio.run(run_library(judge, items[:4], 4, 2))  # warm up both paths (imports, pools)
        asyncio.run(run_raw(raw_requests, 4, 2))
        print(f"loopback grader, {args.latency * 1000:.0f} ms latency, mode {grader.mode}, golden "
              f"set replies, {'bare messages' if args.bare else 'domain given'}")
        print(f"transport {grader.transport}; raw = litellm.acompletion loop, sdk = OpenAI SDK "
              "loop; overhead = library CPU / raw CPU")
        print(f"{'C':>4} {'n':>5} | {'lib/ideal':>9} {'raw/ideal':>9} {'sdk/ideal':>9} | "
              f"{'lib ms CPU':>10} {'raw ms CPU':>10} {'sdk ms CPU':>10} | {'vs raw':>7} "
              f"{'vs sdk':>7}")
        for c in [int(x) for x in args.levels.split(",")]:
            n = max(24, args.per_level * c)
            ideal = c / args.latency
            lib, raw, sdk = [], [], []
            for _ in range(args.repeat):  # alternate, keep the best: the machine is shared
                lib.append(measure(lambda c=c, n=n: run_library(judge, items, n, c)))
                raw.append(measure(lambda c=c, n=n: run_raw(raw_requests, n, c)))
                sdk.append(measure(lambda c=c, n=n: run_sdk(raw_requests, n, c, base)))
            lw, lc = min(w for w, _ in lib), min(p for _, p in lib)
            rw, rc = min(w for w, _ in raw), min(p for _, p in raw)
            sw, sc = min(w for w, _ in sdk), min(p for _, p in sdk)
            print(f"{c:>4} {n:>5} | {n / lw / ideal:>9.2f} {n / rw / ideal:>9.2f} "
                  f"{n / sw / ideal:>9.2f} | {lc / n * 1000:>10.2f} {rc / n * 1000:>10.2f} "
                  f"{sc / n * 1000:>10.2f} | {lc / rc:>6.2f}x {lc / sc:>6.2f}x", flush=True)
        if args.profile:
            import cProfile

            c = int(args.levels.split(",")[-1])
            prof = cProfile.Profile()
            prof.enable()
            asyncio.run(run_library(judge, items, max(24, args.per_level * c), c))
            prof.disable()
            prof.dump_stats(args.profile)
            print(f"profile written to {args.profile} (python -m pstats {args.profile})")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
