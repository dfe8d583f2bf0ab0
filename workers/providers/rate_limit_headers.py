"""How long a provider asks us to wait, read from the headers of a rate-limited answer.

`Retry-After` (seconds or an HTTP date) and OpenAI's `retry-after-ms` come first. Without them,
the reset headers of an exhausted limit say when it refills: OpenAI's
`x-ratelimit-reset-requests` / `-tokens` (durations such as `1s`, `6m0s`, `20ms`) and Anthropic's
`anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset` (RFC 3339 times), each
counted when its `-remaining` partner is 0, or when no `-remaining` header came at all.

The values are the endpoint's, so untrusted: anything unreadable is ignored, and callers cap the
result (`RetryPolicy.max_retry_after_s`).
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime

# Header values longer than this are not parsed (a duration or a date is a few dozen characters).
_MAX_VALUE_CHARS = 64
_DURATION_PART = re.compile(r"(\d{1,9}(?:\.\d{1,9})?)(ms|h|m|s)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_OPENAI_LIMITS = ("requests", "tokens")
_ANTHROPIC_LIMITS = ("requests", "tokens", "input-tokens", "output-tokens")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: either a number of seconds or an HTTP date."""
    if not value or len(value) > _MAX_VALUE_CHARS:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_duration(value: str | None) -> float | None:
    """Seconds from an OpenAI reset duration (`1s`, `6m0s`, `1h2m3.5s`, `20ms`), or None."""
    if not value or len(value) > _MAX_VALUE_CHARS:
        return None
    value = value.strip()
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(n) * _UNIT_S[u] for n, u in parts)


def parse_reset_time(value: str | None) -> float | None:
    """Seconds until an RFC 3339 time (Anthropic's reset headers), at least 0, or None."""
    if not value or len(value) > _MAX_VALUE_CHARS:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def rate_limit_wait_s(headers: Mapping[str, str]) -> float | None:
    """Seconds the endpoint asks us to wait before the next request, or None when it says nothing.

    `headers` must look names up case-insensitively (httpx's `Headers` does).
    """
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000.0) if len(ms) <= _MAX_VALUE_CHARS else None
        except ValueError:
            pass
    if (seconds := parse_retry_after(headers.get("retry-after"))) is not None:
        return seconds
    waits = [
        *_exhausted_resets(
            headers, "x-ratelimit-remaining-{}", "x-ratelimit-reset-{}", _OPENAI_LIMITS, parse_duration
        ),
        *_exhausted_resets(
            headers,
            "anthropic-ratelimit-{}-remaining",
            "anthropic-ratelimit-{}-reset",
            _ANTHROPIC_LIMITS,
            parse_reset_time,
        ),
    ]
    return max(waits) if waits else None


def _exhausted_resets(
    headers: Mapping[str, str],
    remaining_name: str,
    reset_name: str,
    limits: tuple[str, ...],
    parse: Callable[[str | None], float | None],
) -> list[float]:
    """The reset waits of the limits that are used up (or of all, when none reports what is left)."""
    any_remaining = any(headers.get(remaining_name.format(k)) is not None for k in limits)
    waits: list[float] = []
    for limit in limits:
        reset = parse(headers.get(reset_name.format(limit)))
        if reset is None:
            continue
        remaining = headers.get(remaining_name.format(limit))
        if not any_remaining or (remaining is not None and remaining.strip() == "0"):
            waits.append(reset)
    return waits
