#!/usr/bin/env python3
"""A small in-sandbox agent program for tests, standard library only.

It does what real agent programs (mini-swe-agent, Claude Code, Codex) do, in a few lines: reads
its instructions from $HORIZON_INSTRUCTIONS_FILE, asks the model at $OPENAI_BASE_URL with the key
in $OPENAI_API_KEY (OpenAI Chat Completions, `bash` and `submit` tools), runs each `bash` call with
the shell in its working directory and sends the output back, and on `submit` writes the answer to
submission.txt and exits 0. A refused model call (HTTP 4xx/5xx) ends it with status 3, after
printing what it was told. Tests install it in an agent layer (`layer_steps`).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

MAX_TURNS = 20
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": {arg: {"type": "string"}}, "required": [arg]},
        },
    }
    for name, description, arg in (
        ("bash", "Run a shell command.", "command"),
        ("submit", "Submit the answer.", "answer"),
    )
]


def ask(messages: list[dict[str, object]]) -> dict[str, object]:
    """One model call; the assistant message of its answer."""
    body = json.dumps({"model": os.environ.get("HORIZON_MODEL", ""), "messages": messages, "tools": TOOLS})
    request = urllib.request.Request(
        os.environ["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions",
        data=body.encode(),
        headers={
            "authorization": f"Bearer {os.environ['OPENAI_API_KEY']}",
            "content-type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        reply: dict[str, object] = json.load(response)["choices"][0]["message"]
        return reply


def main() -> int:
    """Work on the task until `submit`, a refused call, or MAX_TURNS."""
    instructions = Path(os.environ["HORIZON_INSTRUCTIONS_FILE"]).read_text()
    messages: list[dict[str, object]] = [{"role": "user", "content": instructions}]
    for _ in range(MAX_TURNS):
        try:
            reply = ask(messages)
        except urllib.error.HTTPError as exc:
            sys.stdout.write(f"model call refused: HTTP {exc.code} {exc.read()[:300]!r}\n")
            return 3
        calls = reply.get("tool_calls") or []
        assert isinstance(calls, list)
        messages.append({"role": "assistant", "content": reply.get("content") or "", "tool_calls": calls})
        if not calls:
            messages.append({"role": "user", "content": "Call a tool."})
        for call in calls:
            arguments = json.loads(call["function"]["arguments"])
            if call["function"]["name"] == "submit":
                Path("submission.txt").write_text(arguments["answer"])
                return 0
            done = subprocess.run(
                arguments["command"], shell=True, capture_output=True, text=True, timeout=120
            )
            output = f"exit {done.returncode}\n{done.stdout}{done.stderr}"
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": output})
    return 4


def layer_steps(path: str = "/opt/horizon-agent/bin/tiny-agent") -> str:
    """Agent-layer build steps that install this script at `path` (no network, no COPY)."""
    encoded = base64.b64encode(Path(__file__).read_bytes()).decode()
    return (
        f"RUN python3 -c \"import base64; open('{path}', 'wb').write(base64.b64decode('{encoded}'))\" "
        f"&& chmod 755 {path}"
    )


if __name__ == "__main__":
    sys.exit(main())
