"""OpenAI-compatible servers through the OpenAI SDK, without litellm's per-call bookkeeping.

For a server at ``api_base`` that speaks the OpenAI protocol (an ``openai/<name>`` model: vLLM,
llama.cpp, SGLang, TGI, LM Studio, a litellm proxy) litellm sends its request through the OpenAI
SDK anyway; around it, it spends about 3 ms of CPU per call on routing, logging and a cost lookup
(measured on this 2-core box, ``benchmarks/bench_batch.py``), which caps one process at about
0.7 of what 32 concurrent requests to a 200 ms server allow. The judge therefore sends the same
request straight through the SDK, with one client per event loop, the SDK's own retries off
(tenacity retries, in :mod:`.grader`) and the price taken once per model from litellm's price
map. The body goes out through the SDK's documented generic ``client.post`` (the way it offers for
any endpoint): ``chat.completions.create`` would first walk the whole request through its
TypedDict transformer, about 1 ms per call for a body that is already plain JSON.
``transport="litellm"`` on :class:`~.grader.LiteLLMGrader` opts out.

>>> openai_name("openai/smollm2"), openai_name("anthropic/claude-3-5-haiku")
('smollm2', None)
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

__all__ = ["SDK_PARAMS", "OpenAICompatible", "openai_name"]

#: ``completion_kwargs`` the SDK's ``chat.completions.create`` takes as they are. Anything else
#: (a litellm-only option) keeps the grader on litellm, which knows how to translate it.
SDK_PARAMS = frozenset({
    "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens",
    "n", "presence_penalty", "reasoning_effort", "seed", "service_tier", "stop", "top_logprobs",
    "top_p", "user", "extra_body", "extra_headers"})


_BODY = ("messages", "temperature", "response_format")


def openai_name(model: str) -> str | None:
    """The server-side model name of an ``openai/<name>`` litellm model, else None."""
    provider, _, name = model.partition("/")
    return name if provider == "openai" and name else None


class OpenAICompatible:
    """Sends litellm-shaped keyword arguments to an OpenAI-compatible server via the SDK.

    Responses are the SDK's ``ChatCompletion`` (``choices[0].message.content``, ``usage``), the
    same shape litellm returns, so parsing and usage accounting do not change.
    """

    def __init__(self, model: str, api_base: str, api_key: str | None) -> None:
        name = openai_name(model)
        if name is None:
            raise ValueError(f"not an openai/<name> model: {model!r}")
        self.model, self.name, self.api_base = model, name, api_base
        self.api_key = api_key or "sk-local"  # the SDK insists on a key; local servers ignore it
        self._sync: Any = None
        # An async client's connection pool belongs to the event loop that opened it; each
        # asyncio.run() (sync grade() with samples, one per grade_file) gets its own.
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary())
        self._prices: tuple[float, float] | bool | None = False  # False: not looked up yet

    def _request(self, kw: dict[str, Any]) -> dict[str, Any]:
        """``client.post`` arguments: the JSON body as litellm would send it, and the options."""
        if self._prices is False:  # before the first request: start-up, not per-call time
            self._prices = _prices(self.model, self.name)
        body = {k: v for k, v in kw.items() if k in SDK_PARAMS or k in _BODY}
        body.pop("extra_headers", None)
        body.update(body.pop("extra_body", None) or {})  # extra_body joins the top level
        body["model"] = self.name
        options: dict[str, Any] = {"timeout": kw.get("timeout")}
        if kw.get("extra_headers"):
            options["headers"] = kw["extra_headers"]
        from openai.types.chat import ChatCompletion

        return {"cast_to": ChatCompletion, "body": body, "options": options}

    def complete(self, kw: dict[str, Any]) -> Any:
        if self._sync is None:
            from openai import OpenAI

            self._sync = OpenAI(base_url=self.api_base, api_key=self.api_key, max_retries=0)
        return self._sync.post("/chat/completions", **self._request(kw))

    async def acomplete(self, kw: dict[str, Any]) -> Any:
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            from openai import AsyncOpenAI

            client = self._async[loop] = AsyncOpenAI(base_url=self.api_base,
                                                     api_key=self.api_key, max_retries=0)
        return await client.post("/chat/completions", **self._request(kw))

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """USD from litellm's price map (looked up once); None when the model has no price."""
        if not self._prices:
            return None
        per_in, per_out = self._prices
        return prompt_tokens * per_in + completion_tokens * per_out


def _prices(model: str, name: str) -> tuple[float, float] | None:
    from ._litellm import load_litellm

    table = load_litellm().model_cost
    for key in (model, name):
        info = table.get(key)
        if isinstance(info, dict) and "input_cost_per_token" in info:
            return (float(info["input_cost_per_token"]),
                    float(info.get("output_cost_per_token") or 0.0))
    return None
