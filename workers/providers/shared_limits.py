"""Limits on the requests to one model endpoint: concurrency, request rate, and provider pauses.

An endpoint is its URL's scheme, host, port and path together with the name of the environment
variable its key comes from (never the key): two keys for one URL are two accounts with limits of
their own. Each endpoint gets

- at most `concurrency` requests in flight (HORIZON_PROVIDER_CONCURRENCY);
- optionally at most `rpm` requests a minute (HORIZON_PROVIDER_RPM), as a GCRA schedule: each
  request reserves the next free moment, allowing a burst of one second's worth;
- a "paused until" moment that a rate-limited answer sets (its `Retry-After` or reset headers),
  so that every client waits it out instead of all retrying at once.

With Redis (`REDIS_URL`) the limits hold for the whole deployment: `SharedLimits` keeps them in
Redis, changed only by atomic Lua scripts that read Redis's own clock (hosts' clocks may differ).
A request slot is a lease, a member of a sorted set scored by its expiry, renewed by a keeper
thread while the request runs; the slots of a worker killed mid-request expire by themselves
within `LEASE_TTL_S`. Waiting for a slot polls with a short, growing, jittered delay.

Without Redis (embedded mode), or while Redis does not answer, `LocalLimits` keeps the same
limits in this process only. A Redis outage therefore never fails a run: the client logs a warning
and uses its local limits for `REDIS_RETRY_AFTER_S` before trying Redis again (docs/operations.md,
"Provider limits").
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import random
import threading
import time
import uuid
from typing import NamedTuple, Protocol
from urllib.parse import urlsplit

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "horizon:provider-limits"
# A slot's lease lives this long unless renewed; the keeper renews every third of it.
LEASE_TTL_S = 30.0
# After a failed Redis command, use the local limits this long before trying Redis again.
REDIS_RETRY_AFTER_S = 5.0
REDIS_TIMEOUT_S = 2.0
# Polling for a free slot: the first delay, its growth, and its ceiling.
POLL_FIRST_S = 0.02
POLL_GROWTH = 1.5
POLL_MAX_S = 0.5


class Lease(NamedTuple):
    """A held request slot: `token` names a Redis lease, None a slot of the local semaphore."""

    token: str | None


class EndpointLimits(Protocol):
    """What `JsonPoster` asks of an endpoint's limits."""

    def acquire(self, timeout_s: float) -> Lease | None:
        """Take a request slot, waiting at most `timeout_s`; None when none came free in time."""

    def release(self, lease: Lease) -> None:
        """Give a slot back."""

    def rate_wait_s(self) -> float:
        """Reserve the next request under the rate limit; the seconds to wait before sending it."""

    def paused_s(self) -> float:
        """Seconds until the endpoint's pause (set by a rate-limited answer) ends; 0 when none."""

    def pause(self, seconds: float) -> None:
        """Hold every client of the endpoint back for `seconds` (an earlier, longer pause stays)."""


def endpoint_identity(url: str, key_env: str | None) -> str:
    """The endpoint a limit applies to: scheme, host, port and path of `url`, and the key's
    variable name. Credentials in the URL, its query and its fragment are left out."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    host = (parts.hostname or "").lower()
    return f"{scheme}://{host}:{port}{parts.path.rstrip('/')} key={key_env or '-'}"


def gcra_interval_and_tolerance(rpm: int) -> tuple[float, float]:
    """Seconds between requests at `rpm` a minute, and how far ahead of that schedule a request
    may go (a burst of one second's worth of requests, at least one)."""
    interval = 60.0 / rpm
    burst = max(1, math.floor(rpm / 60))
    return interval, interval * (burst - 1)


class LocalLimits:
    """The limits of one endpoint within this process (embedded mode, and the Redis fallback)."""

    def __init__(self, concurrency: int, rpm: int | None) -> None:
        self._slots = threading.BoundedSemaphore(concurrency)
        self._rpm = rpm
        self._lock = threading.Lock()
        self._next_at = 0.0  # GCRA's theoretical arrival time (monotonic)
        self._paused_until = 0.0

    def acquire(self, timeout_s: float) -> Lease | None:
        """Take a slot of the process's semaphore, waiting at most `timeout_s`."""
        return Lease(None) if self._slots.acquire(timeout=max(0.0, timeout_s)) else None

    def release(self, lease: Lease) -> None:
        """Give the slot back."""
        self._slots.release()

    def rate_wait_s(self) -> float:
        """Reserve the next request's moment; seconds to wait until it."""
        if self._rpm is None:
            return 0.0
        interval, tolerance = gcra_interval_and_tolerance(self._rpm)
        with self._lock:
            now = time.monotonic()
            arrival = max(self._next_at, now)
            self._next_at = arrival + interval
            return max(0.0, arrival - tolerance - now)

    def paused_s(self) -> float:
        """Seconds left of the endpoint's pause in this process."""
        with self._lock:
            return max(0.0, self._paused_until - time.monotonic())

    def pause(self, seconds: float) -> None:
        """Pause this process's clients of the endpoint."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


# Redis's clock in milliseconds, for the scripts below (scripts replicate by effects since Redis
# 5, so reading TIME before writing is allowed).
_NOW_MS = (
    "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
)

# KEYS[1] the slots (sorted set: lease token -> expiry ms); ARGV: limit, token, ttl ms.
_ACQUIRE = (
    _NOW_MS
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
  return 1
end
return 0
"""
)

# KEYS[1] the slots; ARGV: token, ttl ms. 0 when the lease had already expired.
_RENEW = (
    _NOW_MS
    + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
  return 1
end
return 0
"""
)

# KEYS[1] the next free moment (ms); ARGV: interval ms, tolerance ms. Returns the wait in ms.
_RESERVE = (
    _NOW_MS
    + """
local arrival = tonumber(redis.call('GET', KEYS[1]) or '0')
if arrival < now then arrival = now end
local nxt = arrival + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', math.ceil(nxt - now) + 1000)
local wait = arrival - tonumber(ARGV[2]) - now
if wait < 0 then return 0 end
return math.ceil(wait)
"""
)

# KEYS[1] the pause's end (ms); ARGV: seconds in ms. Keeps a later end already set.
_PAUSE = (
    _NOW_MS
    + """
local till = now + tonumber(ARGV[1])
if till > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], till, 'PX', tonumber(ARGV[1]))
end
return 1
"""
)

_PAUSED = (
    _NOW_MS
    + """
local till = tonumber(redis.call('GET', KEYS[1]) or '0')
if till > now then return till - now end
return 0
"""
)


class SharedLimits:
    """The limits of one endpoint for the whole deployment, kept in Redis (see the module text).

    Any Redis error makes the call use `local` instead, for `REDIS_RETRY_AFTER_S`.
    """

    def __init__(
        self,
        client: redis.Redis,
        identity: str,
        concurrency: int,
        rpm: int | None,
        *,
        local: LocalLimits | None = None,
        lease_ttl_s: float = LEASE_TTL_S,
    ) -> None:
        self._redis = client
        self._identity = identity
        self._concurrency = concurrency
        self._rpm = rpm
        self._local = local or LocalLimits(concurrency, rpm)
        self._ttl_ms = max(1, round(lease_ttl_s * 1000))
        digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
        self._slots_key = f"{KEY_PREFIX}:{digest}:slots"
        self._rate_key = f"{KEY_PREFIX}:{digest}:next"
        self._pause_key = f"{KEY_PREFIX}:{digest}:paused-until"
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._reserve = client.register_script(_RESERVE)
        self._pause = client.register_script(_PAUSE)
        self._paused = client.register_script(_PAUSED)
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._keeper: threading.Thread | None = None
        self._redis_down_until = 0.0
        self._rng = random.Random()

    @property
    def slots_key(self) -> str:
        """The Redis key of the endpoint's leases (for operators and tests)."""
        return self._slots_key

    def acquire(self, timeout_s: float) -> Lease | None:
        """Take a deployment-wide slot, polling until one is free or `timeout_s` has passed."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        delay = POLL_FIRST_S
        token = uuid.uuid4().hex
        while True:
            if self._redis_is_down():
                return self._local.acquire(deadline - time.monotonic())
            try:
                got = self._acquire(keys=[self._slots_key], args=[self._concurrency, token, self._ttl_ms])
            except redis.RedisError as exc:
                self._redis_failed("take a request slot", exc)
                continue
            if got:
                self._hold(token)
                return Lease(token)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(left, delay * (0.5 + self._rng.random())))
            delay = min(POLL_MAX_S, delay * POLL_GROWTH)

    def release(self, lease: Lease) -> None:
        """Give the slot back (a Redis lease that cannot be removed expires by itself)."""
        if lease.token is None:
            self._local.release(lease)
            return
        with self._lock:
            self._held.discard(lease.token)
        try:
            self._redis.zrem(self._slots_key, lease.token)
        except redis.RedisError as exc:
            self._redis_failed("give a request slot back", exc)

    def rate_wait_s(self) -> float:
        """Reserve the next request's moment on the deployment's schedule; seconds until it."""
        if self._rpm is None:
            return 0.0
        if not self._redis_is_down():
            interval, tolerance = gcra_interval_and_tolerance(self._rpm)
            try:
                wait_ms = self._reserve(keys=[self._rate_key], args=[interval * 1000, tolerance * 1000])
                return float(wait_ms) / 1000.0
            except redis.RedisError as exc:
                self._redis_failed("reserve a request under the rate limit", exc)
        return self._local.rate_wait_s()

    def paused_s(self) -> float:
        """Seconds left of the deployment-wide pause of this endpoint."""
        local = self._local.paused_s()
        if self._redis_is_down():
            return local
        try:
            return max(local, float(self._paused(keys=[self._pause_key])) / 1000.0)
        except redis.RedisError as exc:
            self._redis_failed("read the endpoint's pause", exc)
            return local

    def pause(self, seconds: float) -> None:
        """Pause every client of the endpoint in the deployment for `seconds`."""
        self._local.pause(seconds)
        ms = round(seconds * 1000)
        if ms <= 0 or self._redis_is_down():
            return
        try:
            self._pause(keys=[self._pause_key], args=[ms])
        except redis.RedisError as exc:
            self._redis_failed("pause the endpoint", exc)

    # --- leases --------------------------------------------------------------------------------

    def _hold(self, token: str) -> None:
        with self._lock:
            self._held.add(token)
            if self._keeper is None or not self._keeper.is_alive():
                self._keeper = threading.Thread(
                    target=self._keep_leases, name="provider-lease-keeper", daemon=True
                )
                self._keeper.start()

    def _keep_leases(self) -> None:
        """Renew the held leases every third of their lifetime, for as long as the process lives."""
        while True:
            time.sleep(self._ttl_ms / 3000.0)
            with self._lock:
                held = list(self._held)
            for token in held:
                try:
                    if not self._renew(keys=[self._slots_key], args=[token, self._ttl_ms]):
                        log.warning(
                            "provider limits: a request slot of %s expired while in use", self._identity
                        )
                except redis.RedisError as exc:
                    self._redis_failed("renew a request slot", exc)
                    break

    # --- Redis outages -------------------------------------------------------------------------

    def _redis_is_down(self) -> bool:
        return time.monotonic() < self._redis_down_until

    def _redis_failed(self, action: str, exc: redis.RedisError) -> None:
        first = not self._redis_is_down()
        self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER_S
        if first:
            log.warning(
                "provider limits: Redis failed to %s (%s); limiting %s within this process for %g s",
                action,
                type(exc).__name__,
                self._identity,
                REDIS_RETRY_AFTER_S,
            )


_registry: dict[tuple[str, int, int | None, str | None], EndpointLimits] = {}
_registry_lock = threading.Lock()
_registry_pid = os.getpid()
_clients: dict[str, redis.Redis] = {}


def endpoint_limits(
    url: str, key_env: str | None, concurrency: int, rpm: int | None, redis_url: str | None
) -> EndpointLimits:
    """The process's limits object for an endpoint: shared through Redis when `redis_url` is set,
    else local. All clients of one endpoint with the same limits share one object."""
    global _registry_pid
    identity = endpoint_identity(url, key_env)
    key = (identity, concurrency, rpm, redis_url)
    with _registry_lock:
        if _registry_pid != os.getpid():  # a forked child starts afresh (no keeper thread came along)
            _registry.clear()
            _clients.clear()
            _registry_pid = os.getpid()
        limits = _registry.get(key)
        if limits is None:
            if redis_url:
                client = _clients.get(redis_url)
                if client is None:
                    client = redis.Redis.from_url(
                        redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
                    )
                    _clients[redis_url] = client
                limits = SharedLimits(client, identity, concurrency, rpm)
            else:
                limits = LocalLimits(concurrency, rpm)
            _registry[key] = limits
        return limits
