"""The grader seam and its litellm implementation.

``LiteLLMGrader`` builds everything that does not depend on the request once per grader (the
instructor client, the response model and its JSON Schema) and sends the schema once per
request. Two paths:

- schema-constrained modes (``json_schema``: the provider enforces the schema;
  ``json_object_schema``: llama.cpp turns it into a grammar) call ``litellm`` directly and parse
  with ``Findings.model_validate_json`` — instructor would add only CPU there;
- the other modes (``json``, ``md_json``, ``tools``) go through instructor, which re-asks with
  the validation error when the output does not parse.

A server at ``api_base`` serving an ``openai/<name>`` model in a schema-constrained mode is
called through the OpenAI SDK rather than ``litellm.acompletion`` (``transport="auto"``; see
:mod:`.openai_compat` for why and the measurement).

Retries are defined once (tenacity): transient API errors and unparseable output, exponential
backoff with jitter, and a server's ``Retry-After`` honoured up to ``retry_after_max`` seconds.
The cost is the one litellm already computed (``response._hidden_params["response_cost"]``).
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import time
from typing import Any, Protocol

from .._logging import log_retry, quiet_libraries
from ..errors import GraderError
from ..findings import Findings
from ..types import Usage
from ._litellm import load_litellm as _litellm
from .openai_compat import SDK_PARAMS, OpenAICompatible, openai_name
from .prompts import schema_instruction

__all__ = ["DIRECT_MODES", "MODES", "TRANSPORTS", "Grader", "LiteLLMGrader", "parse_findings",
           "retry_after"]

#: Structured-output modes. "json_object_schema" is JSON mode plus the schema in
#: ``response_format`` — what llama.cpp's OpenAI-compatible server grammar-constrains on (it
#: rejects ``{"type": "json_schema"}``).
MODES = ("tools", "json", "json_schema", "md_json", "json_object_schema")
#: Modes where the output is schema-constrained, so litellm is called without instructor.
DIRECT_MODES = ("json_schema", "json_object_schema")
#: How requests travel: "auto" picks the OpenAI SDK for an OpenAI-compatible ``api_base`` in a
#: direct mode, else litellm; "litellm" always litellm; "openai" insists on the SDK.
TRANSPORTS = ("auto", "litellm", "openai")


class Grader(Protocol):
    """The seam between the judge and a model: messages in, Findings (and usage) out.

    Raise :class:`GraderError` for anything unusable. Tests put a fake grader here.
    """

    def complete(self, messages: list[dict[str, str]]) -> tuple[Findings, Usage]: ...

    async def acomplete(self, messages: list[dict[str, str]]) -> tuple[Findings, Usage]: ...


class UnparseableOutput(ValueError):
    """The grader's text is not a findings object (retried; an error verdict in the end)."""


def parse_findings(text: str | None) -> Findings:
    """Findings from a grader's text: a JSON object, possibly inside a Markdown code fence.

    >>> parse_findings('```json\\n{"neutral_restatement": "x", "conveyed_urgency": "none", '
    ...                '"premise_endorsed": false, "rationale": "r"}\\n```').conveyed_urgency
    'none'
    """
    if not text or not text.strip():
        raise UnparseableOutput("grader returned no text")
    body = text.strip()
    if not body.startswith("{"):
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end <= start:
            raise UnparseableOutput(f"no JSON object in grader output: {body[:80]!r}")
        body = body[start : end + 1]
    return Findings.model_validate_json(body)


def _retryable(exc: BaseException) -> bool:
    """Transient API trouble and unparseable output are retried; auth/bad-request errors are not."""
    from pydantic import ValidationError

    if isinstance(exc, (ValidationError, json.JSONDecodeError, UnparseableOutput)):
        return True
    if type(exc).__name__ in {"ResponseParsingError", "IncompleteOutputException"}:
        return True
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status in (408, 409, 429) or status >= 500
    return type(exc).__name__ in {"APIConnectionError", "Timeout", "APITimeoutError",
                                  "ServiceUnavailableError", "InternalServerError"}


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds a server asked us to wait (``retry-after-ms`` / ``Retry-After``), if it said."""
    seen = 0
    while exc is not None and seen < 4:
        for headers in (getattr(getattr(exc, "response", None), "headers", None),
                        getattr(exc, "litellm_response_headers", None), getattr(exc, "headers", None)):
            if not headers:
                continue
            ms = headers.get("retry-after-ms")
            value = headers.get("retry-after")
            try:
                if ms is not None:
                    return max(0.0, float(ms) / 1000)
                if value is not None:
                    return max(0.0, float(value))
            except ValueError:
                parsed = email.utils.parsedate_tz(str(value))
                if parsed is not None:
                    return max(0.0, email.utils.mktime_tz(parsed) - time.time())
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _wait(initial: float, wait_max: float, retry_after_max: float) -> Any:
    import tenacity

    backoff = tenacity.wait_exponential_jitter(initial=initial, max=wait_max)

    def wait(state: Any) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        asked = retry_after(exc)
        return min(asked, retry_after_max) if asked is not None else backoff(state)

    return wait


@functools.cache
def _response_model() -> type[Findings]:
    """Instructor's wrapper of Findings with its JSON Schema computed once per process.

    instructor otherwise wraps the model (``create_model``) and serialises its schema on every
    call; a class that already is a ``ResponseSchema`` is used as is.
    """
    from instructor import openai_schema

    wrapped = openai_schema(Findings)
    text = json.dumps(wrapped.model_json_schema())

    def model_json_schema(cls: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return wrapped.model_json_schema(*args, **kwargs)
        return json.loads(text)  # a fresh copy: callers may mutate it

    return type(wrapped)("Findings", (wrapped,), {  # type: ignore[return-value]
        "__module__": __name__, "__doc__": Findings.__doc__,
        "model_json_schema": classmethod(model_json_schema)})


class LiteLLMGrader:
    """Calls any litellm model; see the module docstring for the two paths and the retries."""

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        mode: str | None = None,
        max_attempts: int = 3,
        timeout: float = 60.0,
        wait_max: float = 8.0,
        retry_after_max: float = 60.0,
        temperature: float | None = 0.0,
        transport: str = "auto",
        **completion_kwargs: Any,
    ) -> None:
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode: unknown {mode!r} (choose from {', '.join(MODES)})")
        if transport not in TRANSPORTS:
            raise ValueError(f"transport: unknown {transport!r} (choose from "
                             f"{', '.join(TRANSPORTS)})")
        self.model = model
        self.api_base = api_base
        self.api_key = api_key or (None if api_base is None else os.environ.get(
            "OPENAI_API_KEY", "sk-local"))
        # A local OpenAI-compatible server gets grammar-constrained JSON; hosted APIs get JSON
        # mode. Tool calling is opt-in: litellm imports `mcp` for any `tools=` request.
        self.mode = mode or ("json_object_schema" if api_base else "json")
        if self.mode == "tools":
            import importlib.util

            if importlib.util.find_spec("mcp") is None:
                raise ValueError("mode 'tools' needs the 'mcp' package (litellm imports it for tool"
                                 " calls): pip install 'unsafe-reassurance[tools]'")
        self.max_attempts = max(1, max_attempts)
        self.timeout = timeout
        self.wait_max = wait_max
        self.retry_after_max = retry_after_max
        self.temperature = temperature
        self.completion_kwargs = completion_kwargs
        self._clients: dict[bool, Any] = {}
        self._schema: dict[str, Any] | None = None
        self._sdk = self._openai_compatible(transport)
        quiet_libraries()  # retry chatter goes to our DEBUG log, not the user's stderr

    def fingerprint(self) -> dict[str, Any]:
        """What changes this grader's answers (never the API key, timeout or retry budget)."""
        return {
            "grader": "litellm",
            "model": self.model,
            "api_base": self.api_base,
            "mode": self.mode,
            "temperature": self.temperature,
            "completion_kwargs": {k: repr(v) for k, v in sorted(self.completion_kwargs.items())},
        }

    def _openai_compatible(self, transport: str) -> OpenAICompatible | None:
        """The SDK transport when it applies (module docstring), else None (litellm)."""
        fits = (self.api_base is not None and self.mode in DIRECT_MODES
                and openai_name(self.model) is not None
                and set(self.completion_kwargs) <= SDK_PARAMS)
        if transport == "openai" and not fits:
            raise ValueError("transport 'openai' needs api_base, an openai/<name> model, mode "
                             f"{' or '.join(DIRECT_MODES)} and only OpenAI request options")
        if transport == "litellm" or not fits:
            return None
        return OpenAICompatible(self.model, self.api_base or "", self.api_key)

    @property
    def transport(self) -> str:
        """``"openai"`` (the OpenAI SDK, straight to ``api_base``) or ``"litellm"``."""
        return "litellm" if self._sdk is None else "openai"

    @property
    def direct(self) -> bool:
        """True when litellm is called without instructor (schema-constrained modes)."""
        return self.mode in DIRECT_MODES

    def _retrying(self, asynchronous: bool = False) -> Any:
        import tenacity

        cls = tenacity.AsyncRetrying if asynchronous else tenacity.Retrying
        return cls(
            stop=tenacity.stop_after_attempt(self.max_attempts),
            wait=_wait(0.5, self.wait_max, self.retry_after_max),
            retry=tenacity.retry_if_exception(_retryable),
            before_sleep=log_retry,
            reraise=True,
        )

    def _client(self, asynchronous: bool) -> Any:
        client = self._clients.get(asynchronous)
        if client is None:
            import instructor

            litellm = _litellm()
            mode = {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON,
                    "md_json": instructor.Mode.MD_JSON}[self.mode]
            fn = litellm.acompletion if asynchronous else litellm.completion
            client = self._clients[asynchronous] = instructor.from_litellm(fn, mode=mode)
        return client

    def request_kwargs(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The litellm keyword arguments for one call (instructor adds its schema in its modes)."""
        kw: dict[str, Any] = {"model": self.model, "messages": messages, "timeout": self.timeout,
                              # Retries are ours (tenacity); stop litellm/openai retrying too.
                              "num_retries": 0, **self.completion_kwargs}
        if self.temperature is not None:
            kw["temperature"] = self.temperature
        if self.api_base:
            kw["api_base"] = self.api_base
        if self.api_key:
            kw["api_key"] = self.api_key
        if self.mode == "json_object_schema":
            # The model reads the schema once, at the end of the static system message; the copy
            # in response_format is llama.cpp's grammar, not prompt text.
            kw["messages"] = _with_schema_text(messages)
            kw["extra_body"] = {"response_format": {"type": "json_object", "schema": self.schema}}
        elif self.mode == "json_schema":
            kw["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "Findings", "schema": self.schema, "strict": False}}
        else:
            kw["response_model"] = _response_model()
        return kw

    @property
    def schema(self) -> dict[str, Any]:
        if self._schema is None:
            self._schema = Findings.model_json_schema()
        return self._schema

    def complete(self, messages: list[dict[str, str]]) -> tuple[Findings, Usage]:
        kw = self.request_kwargs(messages)
        try:
            if self.direct:
                call = self._sdk.complete if self._sdk else _litellm().completion
                for attempt in self._retrying(False):
                    with attempt:
                        raw = call(kw) if self._sdk else call(**kw)
                        findings = parse_findings(_content(raw))
            else:
                findings, raw = self._client(False).chat.completions.create_with_completion(
                    max_retries=self._retrying(False), **kw)
        except Exception as exc:
            raise GraderError(_describe(exc, self.max_attempts)) from exc
        return _plain(findings), _usage(raw, self._sdk)

    async def acomplete(self, messages: list[dict[str, str]]) -> tuple[Findings, Usage]:
        kw = self.request_kwargs(messages)
        try:
            if self.direct:
                acall = self._sdk.acomplete if self._sdk else _litellm().acompletion
                async for attempt in self._retrying(True):
                    with attempt:
                        raw = await (acall(kw) if self._sdk else acall(**kw))
                        findings = parse_findings(_content(raw))
            else:
                findings, raw = await self._client(True).chat.completions.create_with_completion(
                    max_retries=self._retrying(True), **kw)
        except Exception as exc:
            raise GraderError(_describe(exc, self.max_attempts)) from exc
        return _plain(findings), _usage(raw, self._sdk)


def _with_schema_text(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    out = [dict(m) for m in messages]
    if out and out[0]["role"] == "system":
        out[0]["content"] = f"{out[0]['content']}\n\n{schema_instruction()}"
    else:
        out.insert(0, {"role": "system", "content": schema_instruction()})
    return out


def _content(raw: Any) -> str | None:
    try:
        return raw.choices[0].message.content
    except (AttributeError, IndexError) as exc:
        raise UnparseableOutput("grader response has no message") from exc


def _plain(findings: Findings) -> Findings:
    # instructor returns its wrapper subclass; verdicts and caches want the plain model.
    return findings if type(findings) is Findings else Findings.model_validate(findings.model_dump())


def _usage(raw: Any, sdk: OpenAICompatible | None = None) -> Usage:
    u = getattr(raw, "usage", None)
    prompt = getattr(u, "prompt_tokens", 0) or 0
    completion = getattr(u, "completion_tokens", 0) or 0
    if sdk is not None:
        cost = sdk.cost(prompt, completion)
    else:
        hidden = getattr(raw, "_hidden_params", None) or {}
        cost = hidden.get("response_cost") if isinstance(hidden, dict) else None
    return Usage(prompt_tokens=prompt, completion_tokens=completion,
                 cost_usd=float(cost) if cost is not None else None)  # unknown price: None, not 0


def _describe(exc: BaseException, attempts: int) -> str:
    """One line: what failed, after how many attempts."""
    inner = exc.__cause__ or getattr(exc, "last_exception", None) or exc
    text = " ".join(str(inner).split())[:300]
    kind = type(inner).__name__
    return f"grader failed after up to {attempts} attempt(s): {kind}: {text}"
