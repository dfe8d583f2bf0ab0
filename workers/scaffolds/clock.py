"""An attempt's working clock: wall time since the agent started, less the time spent waiting on
the model provider (docs/agents.md, "Limits").

A rate-limited or failing provider must not eat the agent's time: the `time_limit_s` stop reason
fires on working time, which leaves out every provider wait (queueing for a request slot, failed
requests, backoff sleeps; counted by the transport as they happen). A wall-clock safety cap
(`wall_time_limit_s`, by default the working limit plus the outage budget) still ends every
attempt: reaching it while working time is under the limit means the provider took the time,
so it raises `ProviderOutage`, an infrastructure failure that is retried and never scored.

Scaffolds use it through `ScaffoldContext.clock` with the context's limits:

    if ctx.clock.time_up(ctx.limits):                   # raises ProviderOutage at the wall cap
        stop with StopReason.TIME_LIMIT
    timeout = ctx.clock.time_left_s(ctx.limits)         # None: no limit; else seconds a command may run
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from workers.providers.base import ProviderOutage


class TimeLimits(Protocol):
    """The limits the clock checks (`AgentLimits` has them); None means no limit."""

    @property
    def time_limit_s(self) -> float | None:
        """Working seconds the agent has."""
        ...

    @property
    def wall_time_limit_s(self) -> float | None:
        """Wall-clock seconds the attempt may take at most, provider waits included."""
        ...


class WallTimeExceeded(ProviderOutage):
    """The wall-clock cap ran out while the agent still had working time: the provider's waits
    took it, so the attempt is an infrastructure failure, not the agent's time limit."""


def _no_wait() -> float:
    return 0.0


class AttemptClock:
    """Wall, provider-wait and working seconds of one attempt since the agent started.

    `provider_wait_s` returns the attempt's provider wait so far (the attempt's `WaitBudget`);
    `now` is injectable so that tests can move time without waiting.
    """

    def __init__(
        self,
        provider_wait_s: Callable[[], float] = _no_wait,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider_wait_s = provider_wait_s
        self._now = now
        self._started = now()

    def wall_s(self) -> float:
        """Seconds since the agent started."""
        return max(0.0, self._now() - self._started)

    def provider_wait_s(self) -> float:
        """Seconds of that spent waiting on the model provider."""
        return self._provider_wait_s()

    def working_s(self) -> float:
        """Seconds the agent has worked: wall time less provider waits."""
        return max(0.0, self.wall_s() - self.provider_wait_s())

    def time_up(self, limits: TimeLimits) -> bool:
        """True once working time has reached `limits.time_limit_s` (or the wall cap, if lower or
        alone: working time can never pass it).

        Raises WallTimeExceeded (a ProviderOutage) once wall time has reached
        `limits.wall_time_limit_s` while working time is still under that limit.
        """
        working = self.working_s()
        set_limits = [t for t in (limits.time_limit_s, limits.wall_time_limit_s) if t is not None]
        if set_limits and working >= min(set_limits):
            return True
        wall = self.wall_s()
        if limits.wall_time_limit_s is not None and wall >= limits.wall_time_limit_s:
            raise WallTimeExceeded(
                f"the attempt reached its wall-clock cap of {limits.wall_time_limit_s:g} s after "
                f"{working:.0f} s of work and {self.provider_wait_s():.0f} s waiting on the provider"
            )
        return False

    def time_left_s(self, limits: TimeLimits) -> float | None:
        """Seconds the agent may still use (working time left, within the wall cap), or None."""
        left = [
            limit - used
            for limit, used in (
                (limits.time_limit_s, self.working_s()),
                (limits.wall_time_limit_s, self.wall_s()),
            )
            if limit is not None
        ]
        return max(0.0, min(left)) if left else None

    def readings(self) -> dict[str, float]:
        """`working_s`, `wall_s` and `provider_wait_s`, rounded, for transcripts and run_attempts."""
        wall = self.wall_s()
        wait = self.provider_wait_s()
        return {
            "working_s": round(max(0.0, wall - wait), 3),
            "wall_s": round(wall, 3),
            "provider_wait_s": round(wait, 3),
        }
