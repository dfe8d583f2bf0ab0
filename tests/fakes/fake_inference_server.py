"""A stand-in for an inference server (vLLM, llama.cpp) as a program, for tests of how servers are
started, shared and stopped: it answers `GET /v1/models` on 127.0.0.1 and counts its starts.

    python tests/fakes/fake_inference_server.py --port PORT --state FOLDER

On start it appends its pid to FOLDER/starts and writes FOLDER/env-<pid>.json with the
CUDA_VISIBLE_DEVICES it was given (null when unset). In a server template, `--state {weights}`
makes the weights path carry the folder, one per fake model.
"""

from __future__ import annotations

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The server template that starts this program; `{weights}` carries the state folder.
TEMPLATE = f"{{python}} {Path(__file__).resolve()} --port {{port}} --state {{weights}}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        if self.path != "/v1/models":
            self.send_error(404)
            return
        body = json.dumps({"object": "list", "data": [{"id": "fake", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _Handler)  # binds before counting
    pid = os.getpid()
    (args.state / f"env-{pid}.json").write_text(
        json.dumps({"CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES")})
    )
    with (args.state / "starts").open("a") as starts:
        starts.write(f"{pid}\n")
    print(f"listening on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
