"""A Harbor Dockerfile's ENTRYPOINT / CMD / HEALTHCHECK as task services (task.yaml `services:`).

Harbor starts the container with its image's ENTRYPOINT/CMD, so a task whose Dockerfile runs a
server (often with a HEALTHCHECK) gets that server before the agent. Horizon's sandbox runs only
a keep-alive process, and starts services itself (`core.taskspec.ServiceSpec`,
workers/task_services.py): this module turns the final stage's instructions into one service, with
Docker's rules for combining ENTRYPOINT and CMD, and the HEALTHCHECK's command and its
start period, interval and retries as the time the service has to become healthy.

A command that only keeps the container alive (a bare shell, `sleep infinity`,
`tail -f /dev/null`) is not a service: the sandbox does that already.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from core.importers.common import ImportProblem
from core.taskspec import MAX_SERVICE_COMMAND_CHARS, MAX_SERVICE_START_S

# Docker's HEALTHCHECK defaults.
DEFAULT_INTERVAL_S = 30.0
DEFAULT_RETRIES = 3
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_SHELLS = {"sh", "bash", "zsh", "ash", "dash"}
_KEEP_ALIVE = (("sleep", "infinity"), ("tail", "-f", "/dev/null"))


def _form(rest: str) -> list[str] | str:
    """An instruction's argument: exec form (a JSON list of strings) or shell form (text)."""
    rest = rest.strip()
    if rest.startswith("["):
        try:
            value: Any = json.loads(rest)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    return rest


def _shell(value: list[str] | str) -> str:
    """A command line for `sh -c`: exec form quoted word by word, shell form as written."""
    return shlex.join(value) if isinstance(value, list) else value


def _seconds(text: str, option: str) -> float:
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ImportProblem(f"HEALTHCHECK {option}={text[:40]!r} is not a duration such as 30s or 1m30s")
    return sum(float(n) * _UNIT_S[u] for n, u in parts)


def _keeps_alive(words: list[str]) -> bool:
    if not words:
        return True
    name = words[0].rsplit("/", 1)[-1]
    if name in _SHELLS and all(w in ("-l", "-i", "--login") for w in words[1:]):
        return True
    return tuple([name, *words[1:]]) in _KEEP_ALIVE


@dataclass
class DockerfileServices:
    """What the final build stage says about services, gathered line by line."""

    entrypoint: list[str] | str | None = None
    cmd: list[str] | str | None = None
    healthcheck: str | None = None
    healthcheck_line: str = ""
    timeout_s: int = 0
    user: str = ""
    changes: list[str] = field(default_factory=list)

    def new_stage(self) -> None:
        """A FROM line: what earlier stages said does not reach the final image."""
        self.entrypoint = self.cmd = self.healthcheck = None
        self.user = ""

    def read(self, keyword: str, rest: str) -> bool:
        """Note one instruction; True when it is one this module takes out of the Dockerfile."""
        if keyword == "USER":
            self.user = rest.strip()
        elif keyword == "ENTRYPOINT":
            self.entrypoint = _form(rest)
        elif keyword == "CMD":
            self.cmd = _form(rest)
        elif keyword == "HEALTHCHECK":
            self._healthcheck(rest)
        else:
            return False
        return keyword != "USER"

    def _healthcheck(self, rest: str) -> None:
        if rest.strip().upper() == "NONE":
            self.healthcheck = None
            return
        match = re.fullmatch(r"\s*((?:--\S+\s+)*)CMD\s+(.*)", rest, re.IGNORECASE | re.DOTALL)
        if match is None:
            raise ImportProblem(f"HEALTHCHECK {rest.strip()[:60]!r} has no CMD")
        options: dict[str, str] = {}
        for option in match.group(1).split():
            name, _, value = option[2:].partition("=")
            options[name.lower()] = value
        command = _shell(_form(match.group(2)))
        if not command.strip():
            raise ImportProblem("HEALTHCHECK CMD names no command")
        interval = (
            _seconds(options["interval"], "--interval") if "interval" in options else DEFAULT_INTERVAL_S
        )
        start = _seconds(options["start-period"], "--start-period") if "start-period" in options else 0.0
        try:
            retries = int(options.get("retries", DEFAULT_RETRIES))
        except ValueError:
            raise ImportProblem(
                f"HEALTHCHECK --retries={options['retries'][:20]!r} is not a number"
            ) from None
        # Docker calls a service unhealthy after the start period and `retries` failed checks.
        wanted = math.ceil(start + interval * max(1, retries))
        self.timeout_s = max(1, min(MAX_SERVICE_START_S, wanted))
        if wanted > MAX_SERVICE_START_S:
            self.changes.append(
                f"the HEALTHCHECK allows {wanted} s to become healthy; Horizon waits at most "
                f"{MAX_SERVICE_START_S} s"
            )
        self.healthcheck = command

    def services(self) -> list[dict[str, Any]]:
        """task.yaml `services:` for the final stage (none or one), with the changes listed."""
        if self.entrypoint is None and self.cmd is None:
            if self.healthcheck is not None:
                raise ImportProblem(
                    "the Dockerfile has a HEALTHCHECK but no ENTRYPOINT or CMD: the service it checks "
                    "comes from the base image, which the importer cannot see"
                )
            return []
        if isinstance(self.entrypoint, list):
            cmd = (
                self.cmd if isinstance(self.cmd, list) else (["/bin/sh", "-c", self.cmd] if self.cmd else [])
            )
            argv: list[str] | str = [*self.entrypoint, *cmd]
        else:
            # A shell-form ENTRYPOINT ignores CMD, as Docker does.
            argv = self.entrypoint if self.entrypoint is not None else (self.cmd or "")
        command = _shell(argv)
        shown = " ".join(command.split())[:120]
        words = argv if isinstance(argv, list) else shlex.split(argv, posix=True) if argv else []
        if self.healthcheck is None and _keeps_alive(words):
            self.changes.append(
                f"Dockerfile: ENTRYPOINT/CMD `{shown}` only keeps the container alive; the sandbox does that"
            )
            return []
        if len(command) > MAX_SERVICE_COMMAND_CHARS:
            raise ImportProblem(
                f"the ENTRYPOINT/CMD is longer than {MAX_SERVICE_COMMAND_CHARS} characters; "
                "put it in a script"
            )
        service: dict[str, Any] = {"command": command}
        if self.healthcheck is not None:
            service["healthcheck"] = self.healthcheck
            service["timeout_s"] = self.timeout_s
            check = " ".join(self.healthcheck.split())[:120]
            how = f"healthy once `{check}` exits 0 (within {self.timeout_s} s)"
        else:
            how = "checked to be running (the Dockerfile has no HEALTHCHECK)"
        user = f" instead of USER {self.user}" if self.user and self.user not in ("root", "0", "0:0") else ""
        self.changes.append(
            f"Dockerfile: ENTRYPOINT/CMD `{shown}` becomes a service started as root{user} in the work "
            f"directory before the agent, {how}"
        )
        return [service]
