"""HTTP plumbing shared by the provider clients: retries, concurrency limits, keys, error text.

What is retried and why: rate limits (429, honouring `Retry-After` and the providers' reset
headers, and pausing every client of the endpoint: shared_limits.py), 408/409, 5xx (Anthropic's
529 "overloaded" included), timeouts and connection errors are the provider's trouble, not the
agent's. They are retried with exponential backoff and jitter for as long as the attempt's
outage budget lasts (`WaitBudget`, shared by all the attempt's calls); only when the budget is
spent does the call raise `ProviderOutage`, which a worker records as an infrastructure failure.
Other 4xx answers are a bad request: they raise `ProviderError` at once (or
`ContextWindowExceeded` when the server's message says the prompt was too long).

Time waiting on the provider (queueing for a request slot, the endpoint's rate limit or pause,
failed requests, backoff sleeps) is spent from the budget as it happens and reported to its
listeners: the attempt's meter, whose total the working clock leaves out of the agent's time,
and the transcript, which gets a `provider_retry` event for every retry and a `provider_wait`
event for a long wait (docs/agents.md, "Limits"; docs/operations.md, "Provider limits").

Error texts carry a status and a fixed reason ("HTTP 500 from the model endpoint", "timed out",
"connection failed"), never what the endpoint sent: they end up in a run's error and transcript,
which anyone may read, and a base URL may point at a service that is not a model (a readable
SSRF otherwise). The worker's log keeps a bounded, key-scrubbed excerpt for the operator.

API keys are read from the environment at client construction and sent only in headers. Every
error text built here is scrubbed of the key, since some servers echo part of a bad key back.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from core.settings import get_settings
from workers.providers.base import ContextWindowExceeded, ProviderError, ProviderOutage
from workers.providers.rate_limit_headers import parse_retry_after as parse_retry_after
from workers.providers.rate_limit_headers import rate_limit_wait_s
from workers.providers.shared_limits import EndpointLimits, endpoint_limits

log = logging.getLogger(__name__)

# A wait for a request slot shorter than this is not worth a transcript event (it is still counted).
QUEUE_EVENT_MIN_S = 1.0
# How much of an endpoint's answer the worker's log keeps (never stored with the run).
LOG_EXCERPT_CHARS = 500
RETRYABLE_STATUS = frozenset({408, 409, 429})

# Phrases providers use when a prompt does not fit (OpenAI, vLLM, llama.cpp, Anthropic, SGLang).
_CONTEXT_PATTERNS = re.compile(
    r"context[_ ]length[_ ]exceeded|maximum context length|context window|prompt is too long"
    r"|exceeds? the (?:model's )?(?:maximum|max) (?:context|input)|too many tokens",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries; how long it keeps trying is the attempt's `WaitBudget`.

    The delay before retry `n` (1-based) is `min(max_delay_s, base_delay_s * 2**(n-1))`, reduced
    by up to `jitter` of itself at random so that many workers do not retry in lockstep. A
    `Retry-After` header raises the delay to the server's figure (capped at `max_retry_after_s`).
    `max_attempts` optionally caps the requests of one call besides the budget (None: no cap).
    `sleep` is injectable so tests neither wait nor depend on the wall clock.
    """

    max_attempts: int | None = None
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    jitter: float = 0.5
    max_retry_after_s: float = 300.0
    request_timeout_s: float = 600.0
    connect_timeout_s: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def delay_s(self, retry_number: int, retry_after_s: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry_number` (1 for the first retry)."""
        backoff = min(self.max_delay_s, self.base_delay_s * 2.0 ** (retry_number - 1))
        backoff *= 1.0 - self.jitter * rng.random()
        if retry_after_s is not None:
            backoff = max(backoff, min(retry_after_s, self.max_retry_after_s))
        return backoff

    def gives_up_after(self, request_number: int) -> bool:
        """True when request `request_number` (1-based) of a call was its last allowed one."""
        return self.max_attempts is not None and request_number >= self.max_attempts

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """Defaults overridable by HORIZON_PROVIDER_MAX_ATTEMPTS and HORIZON_PROVIDER_TIMEOUT_S."""
        kwargs: dict[str, Any] = {}
        if v := os.environ.get("HORIZON_PROVIDER_MAX_ATTEMPTS"):
            kwargs["max_attempts"] = int(v)
        if v := os.environ.get("HORIZON_PROVIDER_TIMEOUT_S"):
            kwargs["request_timeout_s"] = float(v)
        return cls(**kwargs)


class WaitBudget:
    """One attempt's time waiting on its providers, and how much of it may go to outages.

    All model calls of an attempt share one budget (thread-safe). Every wait is spent from it as
    it happens: queueing for a request slot, the duration of a failed request, a backoff sleep.
    `on_wait` hears each spent amount (the attempt's meter); `on_event` gets transcript events
    (`provider_retry`, `provider_wait`) as keyword fields that never carry what the endpoint sent.
    A call retries while the time spent plus its next delay stays within `budget_s` (default:
    the worker's HORIZON_PROVIDER_OUTAGE_BUDGET_S).
    """

    def __init__(
        self,
        budget_s: float | None = None,
        *,
        on_wait: Callable[[float], None] | None = None,
        on_event: Callable[..., None] | None = None,
    ) -> None:
        if budget_s is None:
            budget_s = get_settings().provider_outage_budget_s
        self.budget_s = max(0.0, budget_s)
        self._on_wait = on_wait
        self._on_event = on_event
        self._spent_s = 0.0
        self._lock = threading.Lock()

    @property
    def spent_s(self) -> float:
        """Seconds waited on providers so far."""
        with self._lock:
            return self._spent_s

    def spend(self, seconds: float) -> None:
        """Count `seconds` of waiting and tell the listener."""
        if seconds <= 0:
            return
        with self._lock:
            self._spent_s += seconds
        if self._on_wait is not None:
            self._on_wait(seconds)

    def allows(self, delay_s: float) -> bool:
        """Whether another wait of `delay_s` stays within the budget."""
        return self.spent_s + delay_s <= self.budget_s

    def event(self, kind: str, **fields: Any) -> None:
        """Report a transcript event, with the budget's state."""
        if self._on_event is not None:
            self._on_event(kind, **fields, provider_wait_s=round(self.spent_s, 3), budget_s=self.budget_s)


class Answer(NamedTuple):
    """A 2xx answer's JSON body and the seconds its call waited on the provider (not working)."""

    body: dict[str, Any]
    wait_s: float


def concurrency_from_env() -> int:
    """The limit on simultaneous requests to one endpoint (HORIZON_PROVIDER_CONCURRENCY, default
    4): for the whole deployment with Redis, for this process without (docs/operations.md)."""
    return get_settings().provider_concurrency


def read_api_key(env_name: str | None) -> str | None:
    """The key from env `env_name`, or from the file named by env `{env_name}_FILE` (secrets).

    Returns None when no variable is named (local servers need no key). Raises ProviderError when a
    variable is named but neither it nor its `_FILE` form is set; the message names the variable,
    never a value.
    """
    if not env_name:
        return None
    value = os.environ.get(env_name)
    if value:
        return value.strip()
    file_path = os.environ.get(f"{env_name}_FILE")
    if file_path:
        try:
            value = Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ProviderError(f"cannot read the API key file named by {env_name}_FILE: {exc}") from None
        if value:
            return value
    raise ProviderError(f"the API key is missing: set {env_name} (or {env_name}_FILE)")


def scrub(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced."""
    if secret and len(secret) >= 4:
        return text.replace(secret, "[redacted]")
    return text


def transport_problem(exc: httpx.TransportError) -> str:
    """A fixed description of a failed exchange: some transport errors quote the bytes the other
    side sent (an `illegal status line: ...`), which must not reach a stored error."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed (refused, unreachable or unknown host)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the endpoint did not answer in HTTP"
    return f"transport error ({type(exc).__name__})"


def error_message(response: httpx.Response) -> str:
    """The server's own explanation of an error response, as short text: for the worker's log and
    for recognising a too-long prompt, never for a stored error."""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
        return response.text[:1000].strip() or response.reason_phrase
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("detail") or json.dumps(err)[:1000]
            return str(msg)
        if isinstance(err, str):
            return err
        if "detail" in body:
            return str(body["detail"])[:1000]
    return json.dumps(body)[:1000]


class JsonPoster:
    """Posts JSON to one endpoint with retries, its limits (shared_limits) and key scrubbing.

    The endpoint's limits are those of `url` with the key from `key_env` (the variable's name):
    deployment-wide with REDIS_URL, else this process's.
    """

    def __init__(
        self,
        url: str,
        headers: dict[str, str],
        *,
        secret: str | None,
        retry: RetryPolicy,
        concurrency: int,
        key_env: str | None,
        label: str,
        waits: WaitBudget | None = None,
    ) -> None:
        self.url = url
        self._secret = secret
        self._retry = retry
        self._label = label
        # A client made outside an attempt (tools, tests) gets a budget of its own.
        self.waits = waits or WaitBudget()
        settings = get_settings()
        self._limits: EndpointLimits = endpoint_limits(
            url, key_env, concurrency, settings.provider_rpm, settings.redis_url
        )
        self._rng = random.Random()
        timeout = httpx.Timeout(retry.request_timeout_s, connect=retry.connect_timeout_s)
        self._client = httpx.Client(headers=headers, timeout=timeout)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def post(self, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
        """POST `payload` (with `headers` beside the client's own); return a 2xx answer's JSON body
        with the seconds this call waited (queue, failed requests, backoff; all spent from the
        budget as they happened).

        Raises ProviderOutage when retryable failures outlast the wait budget (or the policy's
        `max_attempts`), ContextWindowExceeded for a prompt that is too long, ProviderError for any
        other rejected request.
        """
        waited = 0.0
        request_number = 0
        retry_after: float | None = None
        while True:
            request_number += 1
            # A retry after the provider's own wait has sat out the pause that answer set.
            sat_out_pause = retry_after is not None
            retry_after = None
            status: int | None = None
            with self._slot() as queued_s:
                waited += queued_s
                waited += self._hold_back(sat_out_pause)
                sent = time.monotonic()
                try:
                    response = self._client.post(self.url, json=payload, headers=headers)
                except httpx.TransportError as exc:
                    problem = transport_problem(exc)
                    self._log(
                        "attempt %s: %s (%s)", request_number, problem, scrub(str(exc), self._secret)[:300]
                    )
                else:
                    status = response.status_code
                    if 200 <= status < 300:
                        return Answer(self._decode(response), waited)
                    message = scrub(error_message(response), self._secret)
                    self._log("attempt %s: HTTP %s: %r", request_number, status, message[:LOG_EXCERPT_CHARS])
                    if not (status in RETRYABLE_STATUS or status >= 500):
                        self._raise_rejected(status, message)
                    problem = f"HTTP {status} from the model endpoint"
                    retry_after = rate_limit_wait_s(response.headers)
                    if retry_after is not None and status == 429:
                        # Every client of the endpoint waits, not only this one.
                        self._limits.pause(min(retry_after, self._retry.max_retry_after_s))
            failed_s = time.monotonic() - sent
            self.waits.spend(failed_s)
            waited += failed_s
            delay = self._retry.delay_s(request_number, retry_after, self._rng)
            if self._retry.gives_up_after(request_number) or not self.waits.allows(delay):
                raise self._outage(request_number, problem)
            self.waits.event(
                "provider_retry",
                request=request_number,
                status=status,
                problem=problem,
                retry_after_s=retry_after,
                delay_s=round(delay, 3),
            )
            self._retry.sleep(delay)
            self.waits.spend(delay)
            waited += delay

    @contextmanager
    def _slot(self) -> Iterator[float]:
        """Hold one of the endpoint's request slots; yields the seconds spent queueing for it.

        Raises ProviderOutage when no slot comes free within what is left of the outage budget.
        """
        asked = time.monotonic()
        lease = self._limits.acquire(timeout_s=self.waits.budget_s - self.waits.spent_s)
        queued = time.monotonic() - asked
        self.waits.spend(queued)
        if lease is None:
            raise self._gave_up_waiting("queued for a request slot")
        try:
            if queued >= QUEUE_EVENT_MIN_S:
                self.waits.event(
                    "provider_wait", reason="queued for a request slot", seconds=round(queued, 3)
                )
            yield queued
        finally:
            self._limits.release(lease)

    def _hold_back(self, sat_out_pause: bool) -> float:
        """Wait out the endpoint's pause (unless this call already did) and its request rate;
        returns the seconds waited, spent from the budget. Raises ProviderOutage when a wait
        would pass the budget."""
        waited = 0.0
        if not sat_out_pause:
            waited += self._wait("the provider paused the endpoint (rate limit)", self._limits.paused_s())
        # Reserved after the pause, so that a pause does not end in a burst of stale reservations.
        waited += self._wait("the endpoint's request rate limit", self._limits.rate_wait_s())
        return waited

    def _wait(self, reason: str, seconds: float) -> float:
        if seconds <= 0:
            return 0.0
        if not self.waits.allows(seconds):
            raise self._gave_up_waiting(reason)
        if seconds >= QUEUE_EVENT_MIN_S:
            self.waits.event("provider_wait", reason=reason, seconds=round(seconds, 3))
        self._retry.sleep(seconds)
        self.waits.spend(seconds)
        return seconds

    def _gave_up_waiting(self, reason: str) -> ProviderOutage:
        self.waits.event("provider_outage", requests=0, problem=reason)
        return ProviderOutage(
            scrub(
                f"{self._label}: gave up waiting ({reason}): the attempt's outage budget of "
                f"{self.waits.budget_s:g} s of waiting on the provider is spent",
                self._secret,
            )
        )

    def _outage(self, requests: int, problem: str) -> ProviderOutage:
        if self._retry.gives_up_after(requests):
            why = f"gave up after {requests} attempts"
        else:
            why = (
                f"gave up after {requests} attempts: the attempt's outage budget of "
                f"{self.waits.budget_s:g} s of waiting on the provider is spent"
            )
        self.waits.event("provider_outage", requests=requests, problem=problem)
        return ProviderOutage(scrub(f"{self._label}: {why}; last: {problem}", self._secret))

    def _log(self, fmt: str, *args: Any) -> None:
        """For the operator only: the worker's log, bounded and scrubbed of the key."""
        log.warning("%s: " + fmt, self._label, *args)

    def _raise_rejected(self, status: int, message: str) -> None:
        # The server's message decides the kind of error but is not repeated in it.
        if status in (400, 413) and _CONTEXT_PATTERNS.search(message):
            raise ContextWindowExceeded(
                scrub(
                    f"{self._label}: HTTP {status}: the prompt does not fit the context window", self._secret
                )
            )
        raise ProviderError(scrub(f"{self._label}: HTTP {status} from the model endpoint", self._secret))

    def _decode(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            excerpt = scrub(response.text[:LOG_EXCERPT_CHARS], self._secret)
            self._log("HTTP %s answer is not JSON: %r", response.status_code, excerpt)
            raise ProviderError(
                scrub(f"{self._label}: HTTP {response.status_code} answer is not JSON", self._secret)
            ) from None
        if not isinstance(body, dict):
            raise ProviderError(scrub(f"{self._label}: answer is not a JSON object", self._secret))
        return body
