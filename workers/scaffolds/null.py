"""The `null` scaffold: submits nothing at once. Its score is the floor a task gives for no work."""

from __future__ import annotations

from typing import Any

from core.states import StopReason
from workers.scaffolds.base import ScaffoldContext, ScaffoldResult


class NullScaffold:
    """Does nothing and submits an empty answer; needs no model."""

    name = "null"
    needs_model = False

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Submit an empty answer without touching the sandbox."""
        ctx.heartbeat()
        ctx.transcript.add("submit", submission="")
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission="")
