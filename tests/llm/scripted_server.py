"""A scripted OpenAI-compatible chat-completions server (a real HTTP process for the tests).

Usage: ``python scripted_server.py SCRIPT.json LOG.jsonl``; prints ``PORT <n>`` once listening.
The script maps a model name (or ``*``) to a list of steps, consumed in order (the last one
repeats). A step: ``{"status": 200, "content": "...", "delay": 0.0, "retry_after": "1"}``.
Every request is appended to the log as one JSON line (model, last user message, whether an
Authorization header came).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _State:
    def __init__(self, script: dict[str, list[dict[str, Any]]], log: Path) -> None:
        self.script = script
        self.log = log
        self.position: dict[str, int] = {}
        self.lock = threading.Lock()

    def next_step(self, model: str) -> dict[str, Any]:
        with self.lock:
            steps = self.script.get(model) or self.script.get("*") or [{"status": 500}]
            index = self.position.get(model, 0)
            self.position[model] = index + 1
            return steps[min(index, len(steps) - 1)]

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock, self.log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


def make_handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            model = str(request.get("model", ""))
            messages = request.get("messages") or [{}]
            state.record(
                {
                    "path": self.path,
                    "model": model,
                    "user": messages[-1].get("content", ""),
                    "authorization": bool(self.headers.get("Authorization")),
                    "max_tokens": request.get("max_tokens"),
                }
            )
            step = state.next_step(model)
            time.sleep(float(step.get("delay", 0.0)))
            status = int(step.get("status", 200))
            if status == 200:
                content = step.get("content", "")
                body = {
                    "id": "chatcmpl-scripted",
                    "object": "chat.completion",
                    "created": 0,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": len(str(messages)) // 4,
                        "completion_tokens": len(content) // 4,
                        "total_tokens": len(str(messages)) // 4 + len(content) // 4,
                    },
                }
            else:
                body = {"error": {"message": f"scripted {status}", "type": "server_error"}}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if step.get("retry_after") is not None:
                self.send_header("Retry-After", str(step["retry_after"]))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    script = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    state = _State(script, Path(sys.argv[2]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    sys.stdout.write(f"PORT {server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
