"""What a frontier agent's run costs and how long it worked, as Horizon records them.

1. Caching: one 200-turn react attempt at long context (each turn's command prints a few
   thousand characters, so the prompt grows to about 150k tokens) against the local stand-in for
   Anthropic's Messages API (tests/fakes/scripted_anthropic.py, which splits usage into cache
   reads, cache writes and uncached input the way the real API reports it). The same script runs
   twice: with `cache_control` breakpoints (the default) and without. Printed: the recorded cost
   of each, their ratio, and what the cached run would have been billed had every prompt token
   been priced at the full input rate (how Horizon priced it before cache prices existed).
2. Rate limits: a short attempt whose provider answers 429 with `Retry-After` several times. The
   agent's time limit is shorter than the wall time the attempt takes; printed: wall time,
   working time (wall time less provider waits), the waits, and the stop reason, which must be
   the agent's own (`submitted`), not `time_limit`.

Prices are Claude Sonnet 4.5's published ones: $3 input, $0.30 cache read, $3.75 cache write
(5-minute cache), $15 output per million tokens. Needs the local Docker daemon and base image.

    .venv/bin/python benchmarks/bench_frontier.py [--turns 200] [--chars 3000]

Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec  # noqa: E402
from tests.fakes.scripted_anthropic import ScriptedAnthropicServer  # noqa: E402
from workers.execution import (  # noqa: E402
    AgentConfig,
    AttemptOutcome,
    AttemptSpec,
    TaskBundle,
    execute_attempt,
)
from workers.metering import AttemptMeter  # noqa: E402
from workers.providers.config import ModelConfig  # noqa: E402
from workers.sandbox.docker.backend import DockerBackend  # noqa: E402
from workers.sandbox.docker.images import ensure_base_image  # noqa: E402

INSTANCE = "bench-frontier"
INPUT, OUTPUT, CACHE_READ, CACHE_WRITE = 3.0, 15.0, 0.30, 3.75


def _task(time_limit_s: float) -> TaskBundle:
    return TaskBundle(
        task_id="bench-frontier",
        version=1,
        instructions="Inspect the data, then submit the word done.",
        environment=EnvironmentSpec(),
        scorer=ScorerSpec(command='[ "$(cat /scorer/submission.txt)" = done ] && echo 1 || echo 0'),
        solution=None,
        limits=ResourceLimits(cpus=1.0, memory_mb=256, pids=128, disk_mb=64),
        time_limit_s=time_limit_s,
    )


def _attempt(
    backend: DockerBackend, url: str, settings: dict[str, Any], time_limit_s: float
) -> tuple[AttemptOutcome, AttemptMeter, float]:
    model = ModelConfig(
        name="claude-sonnet-4-5",
        provider="anthropic",
        base_url=url,
        context_window=200_000,
        max_output_tokens=1024,
        input_price_per_mtok=INPUT,
        output_price_per_mtok=OUTPUT,
        cached_input_price_per_mtok=CACHE_READ,
        cache_write_price_per_mtok=CACHE_WRITE,
    )
    spec = AttemptSpec(
        run_id=0,
        attempt=1,
        task=_task(time_limit_s),
        agent=AgentConfig(name="bench", scaffold="react", settings=settings),
        model=model,
    )
    meter = AttemptMeter()
    started = time.monotonic()
    outcome = execute_attempt(spec, backend, heartbeat=lambda: None, meter=meter)
    return outcome, meter, time.monotonic() - started


def caching(backend: DockerBackend, turns: int, chars: int) -> None:
    """Print the recorded cost of one long attempt with and without prompt caching."""
    command = f"head -c {chars} /dev/zero | tr '\\0' x; echo"
    script: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": command}}], "repeat": turns - 1},
        {"tool_calls": [{"name": "submit", "arguments": {"answer": "done"}}]},
    ]
    settings = {"max_tool_output_chars": chars + 200, "action_limit": turns + 10}
    results = {}
    for label, caching_on in (("with caching", True), ("without caching", False)):
        with ScriptedAnthropicServer(script) as server:
            outcome, meter, wall = _attempt(
                backend, server.root_url, {**settings, "prompt_caching": caching_on}, 3600
            )
            assert not server.rejections, server.rejections
        results[label] = (outcome, meter)
        print(
            f"{label:>16}: {meter.model_calls} calls, stop {outcome.stop_reason}, prompt tokens "
            f"{meter.tokens_in:,} (cache read {meter.cache_read_tokens:,}, cache write "
            f"{meter.cache_write_tokens:,}), output {meter.tokens_out:,}; recorded cost "
            f"${outcome.cost_usd:.2f} ({wall:.0f} s)"
        )
    cached, uncached = results["with caching"][0], results["without caching"][0]
    meter = results["with caching"][1]
    flat = (meter.tokens_in * INPUT + meter.tokens_out * OUTPUT) / 1e6
    print(f"uncached / cached cost: {uncached.cost_usd / cached.cost_usd:.1f}x")
    print(f"the cached run priced with every prompt token at the input rate: ${flat:.2f}")


def rate_limits(backend: DockerBackend, retry_after_s: float, limited_calls: int) -> None:
    """Print wall and working time of an attempt that met rate limits."""
    script: list[dict[str, Any]] = []
    limited = {"status": 429, "error": "rate limited", "headers": {"retry-after": str(retry_after_s)}}
    for _ in range(limited_calls):
        script.append(limited)
        script.append({"tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}]})
    script.append({"tool_calls": [{"name": "submit", "arguments": {"answer": "done"}}]})
    waits = retry_after_s * limited_calls
    time_limit = max(5.0, waits / 2)
    with ScriptedAnthropicServer(script) as server:
        outcome, meter, wall = _attempt(backend, server.root_url, {}, time_limit)
    print(
        f"time limit {time_limit:.0f} s; provider waits {meter.provider_wait_s:.1f} s "
        f"({limited_calls} x 429 with Retry-After {retry_after_s:.0f} s); attempt wall "
        f"{wall:.1f} s, agent wall {outcome.wall_s or 0:.1f} s, agent working "
        f"{outcome.working_s or 0:.1f} s; stop reason {outcome.stop_reason}"
    )


def main() -> None:
    """Run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--retry-after", type=float, default=3.0)
    parser.add_argument("--limited-calls", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the 429s are expected here, not worth a warning
    backend = DockerBackend(instance=INSTANCE)
    ensure_base_image(backend.client)
    try:
        caching(backend, args.turns, args.chars)
        rate_limits(backend, args.retry_after, args.limited_calls)
    finally:
        backend.close()


if __name__ == "__main__":
    main()
