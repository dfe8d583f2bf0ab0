"""Scaffolds by name: the built-in ones and any a user registers.

    register_scaffold("mine", lambda settings: MyScaffold(settings))
    get_scaffold("mine", {"temperature": 0})

Built-ins: `oracle` and `null` (no model), `react`, `terminal`, `sandbox_program` (an agent
program inside the sandbox) and `inspect` (an Inspect agent); imported only when asked for, so
this module works without the providers or inspect_ai installed. A name of the form `package.module:Class`
is imported and called with the settings, so a scaffold can live outside this repository without
registering.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from workers.scaffolds.base import Scaffold
from workers.scaffolds.null import NullScaffold
from workers.scaffolds.oracle import OracleScaffold

ScaffoldFactory = Callable[[dict[str, Any]], Scaffold]


class UnknownScaffold(KeyError):
    """No scaffold is registered under the requested name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown scaffold"


# Built-ins resolved lazily: "module:attribute".
_LAZY: dict[str, str] = {
    "react": "workers.scaffolds.react:ReactScaffold",
    "terminal": "workers.scaffolds.terminal:TerminalScaffold",
    "sandbox_program": "workers.scaffolds.sandbox_program:SandboxProgramScaffold",
    # An Inspect agent named by its `agent` setting (needs the `inspect` extra: inspect_ai).
    "inspect": "workers.scaffolds.inspect_agent:InspectScaffold",
}
_FACTORIES: dict[str, ScaffoldFactory] = {"oracle": OracleScaffold, "null": NullScaffold}
_lock = threading.Lock()


def _import(target: str) -> ScaffoldFactory:
    module_name, _, attribute = target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise UnknownScaffold(f"cannot import scaffold {target!r}: {exc}") from exc
    if not callable(factory):
        raise UnknownScaffold(f"{target!r} is not callable")
    return factory  # type: ignore[no-any-return]


def register_scaffold(name: str, factory: ScaffoldFactory) -> None:
    """Make `get_scaffold(name, settings)` call `factory(settings)`. Re-registering replaces."""
    if not name or ":" in name:
        raise ValueError(f"invalid scaffold name {name!r}")
    with _lock:
        _FACTORIES[name] = factory
        _LAZY.pop(name, None)


def unregister_scaffold(name: str) -> None:
    """Forget a registered scaffold (built-ins included); unknown names are ignored."""
    with _lock:
        _FACTORIES.pop(name, None)
        _LAZY.pop(name, None)


def available_scaffolds() -> list[str]:
    """Names `get_scaffold` accepts (besides `module:Class` paths), sorted."""
    with _lock:
        return sorted({*_FACTORIES, *_LAZY})


def get_scaffold(name: str, settings: dict[str, Any] | None = None) -> Scaffold:
    """A new scaffold instance for `name`, configured with `settings`.

    Raises UnknownScaffold when the name is neither registered nor an importable `module:Class`.
    """
    with _lock:
        factory = _FACTORIES.get(name)
        lazy = _LAZY.get(name)
    if factory is None:
        if lazy is not None:
            factory = _import(lazy)
            with _lock:
                _FACTORIES.setdefault(name, factory)
        elif ":" in name:
            factory = _import(name)
        else:
            raise UnknownScaffold(f"unknown scaffold {name!r}; available: {', '.join(available_scaffolds())}")
    return factory(dict(settings or {}))
