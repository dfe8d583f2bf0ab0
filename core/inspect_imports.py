"""Which Inspect agents and tools an agent of kind `inspect` may name (docs/agents.md, "Inspect agents").

An Inspect agent is Python code that the worker imports and calls in its own process, with
keyword arguments the agent's submitter wrote. Any importable callable would do whatever its
arguments say (`subprocess:run` runs a host command), so only the import paths the operator lists
may be named: HORIZON_INSPECT_AGENTS for agents, HORIZON_INSPECT_TOOLS for tools, each exact
`module:name` paths or prefixes ending in `*`. The API refuses other paths when an agent is made,
and the worker checks again before it imports anything (settings may differ between the two).
"""

from __future__ import annotations

import re
from typing import Literal

from core.agent_kinds import INSPECT_AGENT_PATTERN
from core.settings import Settings

ImportKind = Literal["agent", "tool"]
MAX_IMPORT_PATH_CHARS = 200


def listed_patterns(value: str) -> list[str]:
    """The comma-separated paths and `*` prefixes of a setting."""
    return [p.strip() for p in value.split(",") if p.strip()]


def import_allowed(path: str, patterns: list[str]) -> bool:
    """True when `path` is one of `patterns` or starts with a pattern's text before its `*`."""
    return any(path.startswith(p[:-1]) if p.endswith("*") else path == p for p in patterns)


def inspect_import_problem(path: object, kind: ImportKind, settings: Settings) -> str | None:
    """None when an Inspect agent may name `path` as its agent (or tool); otherwise why not."""
    setting = "HORIZON_INSPECT_AGENTS" if kind == "agent" else "HORIZON_INSPECT_TOOLS"
    if not isinstance(path, str) or not path:
        return f"an inspect {kind} is named by an import path such as inspect_ai.agent:react"
    if len(path) > MAX_IMPORT_PATH_CHARS or not re.fullmatch(INSPECT_AGENT_PATTERN, path):
        shown = path[:MAX_IMPORT_PATH_CHARS]
        return f"inspect {kind} {shown!r} is not an import path of the form package.module:name"
    patterns = listed_patterns(settings.inspect_agents if kind == "agent" else settings.inspect_tools)
    if not import_allowed(path, patterns):
        return (
            f"inspect {kind} {path!r} is not allowed on this deployment; {setting} lists "
            f"{', '.join(patterns) or 'none'} (the operator may add import paths there)"
        )
    return None


def inspect_settings_problem(agent: object, tools: object, settings: Settings) -> str | None:
    """None when an Inspect agent's `agent` and each of its `tools` are paths `settings` list;
    otherwise why not. The API asks this when an agent is made, the worker again before importing."""
    problem = inspect_import_problem(agent, "agent", settings)
    if problem is not None or tools is None:
        return problem
    shape = 'each inspect tool is "module:name" or {"tool": "module:name", "args": {...}}'
    if not isinstance(tools, list):
        return shape
    for tool in tools:
        if isinstance(tool, dict):
            if not set(tool) <= {"tool", "args"} or not isinstance(tool.get("args") or {}, dict):
                return shape
            tool = tool.get("tool")
        if problem := inspect_import_problem(tool, "tool", settings):
            return problem
    return None
