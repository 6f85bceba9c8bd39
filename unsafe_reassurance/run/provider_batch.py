"""Provider batch jobs: write grading requests for a batch API, turn its results into verdicts.

``export_requests`` renders every row with
:meth:`~unsafe_reassurance.judges.llm.LLMJudge.render` (the same prompt a live grade sends) into
one of three JSONL shapes:

- ``openai``: OpenAI Batch API input, ``{"custom_id", "method": "POST", "url":
  "/v1/chat/completions", "body": {...}}``;
- ``anthropic``: Anthropic Message Batches requests, ``{"custom_id", "params": {...}}`` (the
  findings come back as a forced ``tool_use``; upload with the SDK's ``messages.batches.create``);
- ``prompts``: ``{"custom_id", "messages"}`` for anyone (or anything) answering by hand.

``import_results`` reads OpenAI output/error files, Anthropic results, or a simple
``{"custom_id", "content"}`` JSONL, and turns each answer into a verdict with
:meth:`~unsafe_reassurance.judges.llm.LLMJudge.verdict_from_text` (the same findings -> policy
path as a live grade). Provider errors, expired or canceled requests, unparseable answers and
rows without a result become error verdicts that say why; nothing is dropped silently.

Custom ids are the row ids when they fit the providers' rules (``[A-Za-z0-9_-]{1,64}``), else a
hash of the id; import recomputes them from the rows, so no mapping file is needed. The nonce
that fences the data in each prompt is random per row and not recorded: it only protects the
prompt, and import needs only the grader's findings text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import InputError
from ..judges.prompts import schema_instruction
from ..types import Usage, Verdict
from .batch import count_rows, done_ids, iter_rows
from .jsonl import iter_jsonl

__all__ = ["FORMATS", "Result", "custom_id", "export_requests", "import_results", "read_results"]

FORMATS = ("openai", "anthropic", "prompts")
Format = Literal["openai", "anthropic", "prompts"]
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def custom_id(row_id: str) -> str:
    """The batch ``custom_id`` for a row id: itself if the providers accept it, else a hash.

    >>> custom_id("cardiac-001"), custom_id("a b/c")
    ('cardiac-001', 'h-539138d518391ec4fc557ce35c37ead2')
    """
    if _SAFE_ID.match(row_id) and not row_id.startswith("h-"):
        return row_id
    return "h-" + hashlib.sha256(row_id.encode()).hexdigest()[:32]


def _model_name(model: str, provider: str) -> str:
    return model.split("/", 1)[1] if model.startswith(f"{provider}/") else model


def _request(fmt: Format, cid: str, messages: list[dict[str, str]], model: str, mode: str,
             max_tokens: int, schema: dict[str, Any]) -> dict[str, Any]:
    if fmt == "prompts":
        return {"custom_id": cid, "messages": _schema_in_system(messages)}
    if fmt == "anthropic":
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        params = {
            "model": _model_name(model, "anthropic"), "max_tokens": max_tokens, "temperature": 0,
            # The static prefix (tools, then system) is marked cacheable; below the provider's
            # minimum length the mark is simply ignored.
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "messages": [m for m in messages if m["role"] != "system"],
            "tools": [{"name": "Findings", "description": "Report the findings about the reply.",
                       "input_schema": schema}],
            "tool_choice": {"type": "tool", "name": "Findings"},
        }
        return {"custom_id": cid, "params": params}
    body: dict[str, Any] = {"model": _model_name(model, "openai"), "temperature": 0}
    if mode == "json":
        body["messages"] = _schema_in_system(messages)
        body["response_format"] = {"type": "json_object"}
    else:
        body["messages"] = messages
        body["response_format"] = {"type": "json_schema", "json_schema": {
            "name": "Findings", "schema": schema, "strict": False}}
    return {"custom_id": cid, "method": "POST", "url": "/v1/chat/completions", "body": body}


def _schema_in_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    out = [dict(m) for m in messages]
    out[0]["content"] = f"{out[0]['content']}\n\n{schema_instruction()}"
    return out


def export_requests(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    judge: Any,
    fmt: Format = "openai",
    mode: Literal["json_schema", "json"] = "json_schema",
    max_tokens: int = 1024,
) -> int:
    """Write one batch request per row of ``src`` (validated first); returns the count."""
    if fmt not in FORMATS:
        raise InputError(f"format: unknown {fmt!r} (choose from {', '.join(FORMATS)})")
    count_rows(src)  # every row valid before anything is written
    from ..findings import Findings

    schema = Findings.model_json_schema()
    n = 0
    out = Path(dst)
    with out.open("w", encoding="utf-8") as fh:
        for row in iter_rows(src):
            messages = judge.render(row.response, row.scenario)
            line = _request(fmt, custom_id(row.id), messages, judge.model, mode, max_tokens, schema)
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    return n


@dataclass
class Result:
    """One answer from a results file: the grader's text, or why there is none."""

    custom_id: str
    text: str | None = None
    error: str | None = None
    usage: Usage | None = None
    model: str | None = None


def _openai(obj: dict[str, Any], cid: str) -> Result:
    if obj.get("error"):
        e = obj["error"]
        return Result(cid, error=f"provider error {e.get('code')}: {e.get('message')}")
    resp = obj.get("response") or {}
    body = resp.get("body") or {}
    status = resp.get("status_code")
    if status != 200:
        msg = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
        return Result(cid, error=f"provider HTTP {status}: {msg or 'no message'}")
    try:
        message = body["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return Result(cid, error="provider response has no message")
    text = message.get("content")
    calls = message.get("tool_calls") or []
    if not text and calls:
        text = calls[0].get("function", {}).get("arguments")
    u = body.get("usage") or {}
    return Result(cid, text=text, model=body.get("model"),
                  usage=Usage(prompt_tokens=u.get("prompt_tokens", 0) or 0,
                              completion_tokens=u.get("completion_tokens", 0) or 0))


def _anthropic(obj: dict[str, Any], cid: str) -> Result:
    result = obj["result"] or {}
    kind = result.get("type")
    if kind == "errored":
        inner = (result.get("error") or {}).get("error") or result.get("error") or {}
        return Result(cid, error=f"provider error {inner.get('type')}: {inner.get('message')}")
    if kind in ("canceled", "expired"):
        return Result(cid, error=f"provider batch request {kind}")
    if kind != "succeeded":
        return Result(cid, error=f"provider result type {kind!r}")
    message = result.get("message") or {}
    text = None
    for block in message.get("content") or []:
        if block.get("type") == "tool_use":
            text = json.dumps(block.get("input"))
            break
        if block.get("type") == "text" and text is None:
            text = block.get("text")
    u = message.get("usage") or {}
    return Result(cid, text=text, model=message.get("model"),
                  usage=Usage(prompt_tokens=u.get("input_tokens", 0) or 0,
                              completion_tokens=u.get("output_tokens", 0) or 0))


def _parse(obj: Any, where: str) -> Result:
    if not isinstance(obj, dict) or not isinstance(obj.get("custom_id"), str):
        raise InputError(f"{where}: no 'custom_id' (expected a batch result line)")
    cid = obj["custom_id"]
    if "result" in obj:
        return _anthropic(obj, cid)
    if "response" in obj or isinstance(obj.get("error"), dict):
        return _openai(obj, cid)
    if obj.get("error"):  # the simple format may say why there is no answer
        return Result(cid, error=f"no answer: {obj['error']}")
    if "content" in obj:
        content = obj["content"]
        return Result(cid, text=content if isinstance(content, str) or content is None
                      else json.dumps(content))
    raise InputError(f"{where}: not an OpenAI or Anthropic batch result, nor "
                     "{custom_id, content}")


def read_results(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Result]:
    """Every answer by custom id. An answer replaces an earlier error for the same id (a retried
    request); two answers for one id are an error."""
    found: dict[str, Result] = {}
    for path in paths:
        for f, n, obj in iter_jsonl(path):
            r = _parse(obj, f"{f}:{n}")
            prev = found.get(r.custom_id)
            if prev is not None and prev.error is None:
                if r.error is not None:
                    continue  # keep the answer
                raise InputError(f"{f}:{n}: a second answer for custom_id {r.custom_id!r}")
            found[r.custom_id] = r
    return found


def import_results(
    results: Iterable[str | os.PathLike[str]],
    rows: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    judge: Any,
    missing: Literal["error", "skip"] = "error",
    resume: bool = False,
) -> Counter[str]:
    """Write one verdict per row of ``rows`` from the batch answers (see the module docstring).

    ``missing="skip"`` leaves rows without an answer unwritten (import the next results file
    with ``resume=True``); the default writes an error verdict for each.
    """
    answers = read_results(results)
    count_rows(rows)
    known = {custom_id(r.id) for r in iter_rows(rows)}
    stray = [c for c in answers if c not in known]
    if stray:
        raise InputError(f"{len(stray)} result(s) match no row of {rows} (e.g. custom_id "
                         f"{stray[0]!r}): is --rows the file that was exported?")
    skip = done_ids(dst) if resume else set()
    counts: Counter[str] = Counter()
    with Path(dst).open("a" if resume else "w", encoding="utf-8") as fh:
        for verdict in _verdicts(iter_rows(rows), answers, judge, missing, skip):
            fh.write(json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False) + "\n")
            counts[verdict.label or "error"] += 1
    return counts


def _verdicts(rows: Iterator[Any], answers: dict[str, Result], judge: Any, missing: str,
              skip: set[str]) -> Iterator[Verdict]:
    for row in rows:
        if row.id in skip:
            continue
        answer = answers.get(custom_id(row.id))
        if answer is None and missing == "skip":
            continue
        if answer is None or answer.error is not None:
            why = answer.error if answer is not None else "no result for this row in the results"
            verdict = Verdict.failed(why, judge.info, id=row.id, domain=row.scenario.domain,
                                     policy=judge.policy.name)
        else:
            verdict = judge.verdict_from_text(answer.text, row.response, row.scenario,
                                              usage=answer.usage)
            if answer.model:
                verdict = verdict.model_copy(update={
                    "judge": verdict.judge.model_copy(update={"model": answer.model})})
        yield verdict.model_copy(update={"id": row.id})
