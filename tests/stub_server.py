"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for grader tests (no internet)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def chat_body(content: str, *, prompt_tokens: int = 50, completion_tokens: int = 20) -> dict:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "stub",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


class StubServer:
    """Serves scripted replies: each item is (status, json_body), (status, raw_text) or
    (status, fn) where ``fn(request_json)`` returns the body (a grader that reads the prompt),
    optionally with a dict of extra response headers as a third element.

    The last item repeats when the script runs out. ``requests`` records every JSON body received.
    """

    def __init__(self, script: list[tuple[int, Any]]) -> None:
        self.script = list(script)
        self.requests: list[dict] = []
        self.times: list[float] = []  # time.monotonic() of each request
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                with stub.lock:
                    stub.times.append(time.monotonic())
                    stub.requests.append(request)
                    i = min(len(stub.requests), len(stub.script)) - 1
                status, body, *extra = stub.script[i]
                if callable(body):
                    body = body(request)
                data = body if isinstance(body, str) else json.dumps(body)
                self.send_response(status)
                for key, value in (extra[0] if extra else {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
