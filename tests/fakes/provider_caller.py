"""A separate process that calls a model endpoint through the worker's real client, for tests of
limits that must hold across processes (workers/providers/shared_limits.py).

    python -m tests.fakes.provider_caller BASE_URL --threads N --calls M --start-at UNIX_TIME

Each of N threads makes M chat completions one after another, all starting at `--start-at` (so
that several processes overlap). The environment configures the limits as for a worker
(REDIS_URL, HORIZON_PROVIDER_CONCURRENCY, HORIZON_PROVIDER_RPM). Prints one JSON line: the
replies received and the errors met.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from workers.providers.base import Message
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args(argv)
    replies: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def calls() -> None:
        client = make_client(
            ModelConfig(name="scripted-model", base_url=args.base_url),
            retry=RetryPolicy(base_delay_s=0.05, max_delay_s=0.2),
        )
        for _ in range(args.calls):
            try:
                reply = client.complete([Message(role="user", content="hi")], [], max_tokens=4)
            except Exception as exc:  # noqa: BLE001 - reported to the test
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            else:
                with lock:
                    replies.append(reply.message.content or "")

    time.sleep(max(0.0, args.start_at - time.time()))
    threads = [threading.Thread(target=calls) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sys.stdout.write(json.dumps({"replies": replies, "errors": errors}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
