"""The scaffold registry and the model-free scaffolds (oracle, null) outside Docker."""

from __future__ import annotations

from typing import Any

import pytest

from core.states import StopReason
from core.taskspec import SolutionSpec
from tests.fakes.local_sandbox import LocalSandbox
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.null import NullScaffold
from workers.scaffolds.oracle import NoReferenceSolution, OracleScaffold
from workers.scaffolds.registry import (
    UnknownScaffold,
    available_scaffolds,
    get_scaffold,
    register_scaffold,
    unregister_scaffold,
)
from workers.transcript import Transcript


class EchoScaffold:
    """A user's scaffold: remembers its settings and submits one of them."""

    name = "echo"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission=str(self.settings.get("answer")))


def test_builtins_are_listed_and_react_resolves_lazily() -> None:
    assert {"oracle", "null", "react"} <= set(available_scaffolds())
    assert isinstance(get_scaffold("oracle", {}), OracleScaffold)
    assert isinstance(get_scaffold("null"), NullScaffold)
    react = get_scaffold("react", {})
    assert type(react).__name__ == "ReactScaffold" and react.name == "react"


def test_registered_scaffold_gets_its_settings_and_can_be_removed() -> None:
    register_scaffold("echo-test", EchoScaffold)
    try:
        assert "echo-test" in available_scaffolds()
        scaffold = get_scaffold("echo-test", {"answer": 7})
        assert isinstance(scaffold, EchoScaffold) and scaffold.settings == {"answer": 7}
    finally:
        unregister_scaffold("echo-test")
    assert "echo-test" not in available_scaffolds()
    with pytest.raises(UnknownScaffold, match="unknown scaffold 'echo-test'"):
        get_scaffold("echo-test", {})


def test_module_path_names_import_a_scaffold() -> None:
    scaffold = get_scaffold(f"{__name__}:EchoScaffold", {"answer": "x"})
    assert isinstance(scaffold, EchoScaffold)
    with pytest.raises(UnknownScaffold, match="cannot import"):
        get_scaffold("no.such.module:Thing", {})
    with pytest.raises(ValueError):
        register_scaffold("bad:name", EchoScaffold)


def _ctx(sandbox: LocalSandbox, solution: SolutionSpec | None, limits: AgentLimits) -> ScaffoldContext:
    return ScaffoldContext(
        instructions="",
        sandbox=sandbox,
        model=None,
        limits=limits,
        transcript=Transcript(),
        solution=solution,
        heartbeat=lambda: None,
    )


def test_oracle_runs_the_solution_command_and_submits_its_output(tmp_path: Any) -> None:
    sandbox = LocalSandbox(tmp_path)
    # No solution files: LocalSandbox would write them to a real /solution on this machine.
    solution = SolutionSpec(command="echo 12 > answer.txt; echo done")
    result = OracleScaffold().run(_ctx(sandbox, solution, AgentLimits(time_limit_s=30)))
    assert (result.stop_reason, result.submission, result.actions) == (StopReason.SUBMITTED, "done", 1)
    assert (tmp_path / "answer.txt").read_text() == "12\n"


def test_oracle_stops_at_the_time_limit_and_needs_a_solution(tmp_path: Any) -> None:
    sandbox = LocalSandbox(tmp_path)
    slow = SolutionSpec(command="sleep 30")
    result = OracleScaffold().run(_ctx(sandbox, slow, AgentLimits(time_limit_s=0.5)))
    assert result.stop_reason == StopReason.TIME_LIMIT
    with pytest.raises(NoReferenceSolution):
        OracleScaffold().run(_ctx(sandbox, None, AgentLimits()))


def test_null_submits_nothing(tmp_path: Any) -> None:
    sandbox = LocalSandbox(tmp_path)
    result = NullScaffold().run(_ctx(sandbox, None, AgentLimits()))
    assert (result.stop_reason, result.submission) == (StopReason.SUBMITTED, "")
    assert sandbox.commands == []
