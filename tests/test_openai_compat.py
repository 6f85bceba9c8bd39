"""The OpenAI SDK transport: the request it builds and the price it reports (HTTP: test_llm_http)."""

import pytest

from unsafe_reassurance.judges.openai_compat import OpenAICompatible, openai_name


def test_openai_name_only_for_openai_models():
    assert openai_name("openai/qwen2.5-7b") == "qwen2.5-7b"
    assert openai_name("openai/") is None and openai_name("anthropic/claude") is None
    assert openai_name("gpt-4o-mini") is None  # no provider: litellm routes it
    with pytest.raises(ValueError, match="not an openai/<name> model"):
        OpenAICompatible("ollama/llama3", "http://127.0.0.1:9/v1", None)


def test_request_is_the_litellm_body_with_extra_body_at_the_top_level():
    sdk = OpenAICompatible("openai/m", "http://127.0.0.1:9/v1", None)
    kw = {"model": "openai/m", "messages": [{"role": "user", "content": "hi"}], "timeout": 7,
          "num_retries": 0, "api_base": "x", "api_key": "y", "temperature": 0.0, "seed": 3,
          "extra_body": {"response_format": {"type": "json_object", "schema": {}}},
          "extra_headers": {"X-Trace": "1"}}
    req = sdk._request(kw)
    assert req["body"] == {"model": "m", "messages": kw["messages"], "temperature": 0.0, "seed": 3,
                           "response_format": {"type": "json_object", "schema": {}}}
    assert req["options"] == {"timeout": 7, "headers": {"X-Trace": "1"}}
    assert sdk.api_key == "sk-local"  # the SDK needs a key; a local server ignores it


def test_cost_from_litellm_price_map_or_none():
    import litellm

    priced = OpenAICompatible("openai/gpt-4o-mini", "http://127.0.0.1:9/v1", "k")
    priced._request({"messages": []})  # the price is looked up before the first request
    per_in, per_out = litellm.cost_per_token("gpt-4o-mini", prompt_tokens=1, completion_tokens=1)
    assert priced.cost(1000, 10) == pytest.approx(1000 * per_in + 10 * per_out)
    local = OpenAICompatible("openai/my-local-model", "http://127.0.0.1:9/v1", None)
    local._request({"messages": []})
    assert local.cost(1000, 10) is None  # unknown price: unknown, not free
