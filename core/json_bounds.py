"""Bounds for JSON that untrusted parties write: model tool calls, transcript events.

A model's tool-call arguments are its own text. Nested thousands deep they make `json.loads` (and
every later encoder) raise RecursionError; megabytes long they bloat every row and page that shows
them. So raw JSON text is measured with a cheap scan before it is parsed (`json_depth`), and
everything stored in a transcript goes through `bound_json`, which returns a copy that is JSON-safe
and bounded in depth, length and size, whatever it was given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

# Tool-call arguments nested deeper than this are refused before they are parsed.
MAX_ARGUMENTS_DEPTH = 32
# Raw tool-call arguments longer than this (characters) are refused before they are parsed.
MAX_ARGUMENTS_CHARS = 65_536
# Deeper than this, a stored value is cut (with a note saying so): room for an event's own
# nesting (event, tool_calls, call) around arguments of MAX_ARGUMENTS_DEPTH.
MAX_DEPTH = MAX_ARGUMENTS_DEPTH + 8
# Characters of one string; longer ones keep their head and tail.
MAX_TEXT = 16_000
# Items of one list or keys of one object.
MAX_ITEMS = 1_000
# Characters of one stored value in all (strings, keys and numbers, roughly as encoded).
MAX_CHARS = 200_000

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON `text`, counted without parsing it.

    Strings are skipped first, so brackets inside them do not count. For malformed text the count
    may be too high, never too low for anything a parser would reach: safe as a bound.
    """
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def value_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """The nesting depth of a decoded value, without recursion; counting stops past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth) for child in children)
    return deepest


def cut_text(text: str, limit: int) -> tuple[str, int, bool]:
    """Keep the head and tail of `text` within `limit` characters.

    Returns (text, original_length, truncated). Head and tail both matter for command output:
    the head shows what started, the tail usually holds the error.
    """
    n = len(text)
    if n <= limit:
        return text, n, False
    head = limit * 2 // 3
    tail = limit - head
    marker = f"\n[... {n - limit} characters cut of {n} ...]\n"
    return text[:head] + marker + text[n - tail :], n, True


def _storable_text(text: str) -> str:
    # A lone surrogate (JSON allows "\ud800") is refused by PostgreSQL's json type.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def bound_json(
    value: Any,
    *,
    max_depth: int = MAX_DEPTH,
    max_text: int = MAX_TEXT,
    max_items: int = MAX_ITEMS,
    max_chars: int = MAX_CHARS,
    clean: Callable[[str], str] | None = None,
) -> Any:
    """A bounded, JSON-safe copy of `value` for storage.

    Containers deeper than `max_depth`, strings over `max_text` characters, lists and objects
    over `max_items` entries, and whatever follows once `max_chars` characters are used up are
    replaced or cut, each with a note saying what was cut. Non-finite numbers become strings (JSON
    has none), anything that is not JSON becomes its `str`. `clean` (scrubbing secrets) is applied
    to every string and key before it is cut, so a secret is never split by a cut.
    """
    budget = [max_chars]

    def text(raw: str, limit: int) -> str:
        raw = _storable_text(clean(raw) if clean is not None else raw)
        limit = min(limit, budget[0])
        out = cut_text(raw, limit)[0] if limit > 0 else "[cut: size limit]"
        budget[0] -= len(out) + 2
        return out

    def walk(item: Any, depth: int) -> Any:
        if budget[0] <= 0:
            return "[cut: size limit]"
        if item is None or isinstance(item, bool):
            budget[0] -= 5
            return item
        if isinstance(item, int):
            budget[0] -= 20
            if item.bit_length() <= 63:
                return item
            # Python refuses to print ints of over 4,300 digits; no reader needs them exact.
            try:
                return float(item)
            except OverflowError:
                return "[cut: number too large]"
        if isinstance(item, float):
            budget[0] -= 20
            return item if math.isfinite(item) else str(item)
        if isinstance(item, str):
            return text(item, max_text)
        if isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                budget[0] -= 40
                return f"[cut: nested deeper than {max_depth} levels]"
            if isinstance(item, dict):
                out: dict[str, Any] = {}
                for i, (key, child) in enumerate(item.items()):
                    if i >= max_items or budget[0] <= 0:
                        out["[cut]"] = f"{len(item) - i} more keys"
                        break
                    name = text(str(key), 200)  # before its value, which may use up the budget
                    out[name] = walk(child, depth + 1)
                return out
            items: list[Any] = []
            for i, child in enumerate(item):
                if i >= max_items or budget[0] <= 0:
                    items.append(f"[cut: {len(item) - i} more items]")
                    break
                items.append(walk(child, depth + 1))
            return items
        return text(str(item), max_text)

    return walk(value, 0)
