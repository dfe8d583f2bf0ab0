"""Inspect agents that misbehave in particular ways, for the `inspect` scaffold's tests.

Each is a real Inspect agent (the `@agent` protocol): it calls the model through `get_model()` and
the sandbox through `sandbox()`, as any agent would. Tests allow this module's paths with
HORIZON_INSPECT_AGENTS.
"""

from __future__ import annotations

import anyio
from inspect_ai.agent import Agent, AgentState, agent
from inspect_ai.model import ChatMessageUser, get_model
from inspect_ai.util import sandbox


@agent
def crashes_after_one_call() -> Agent:
    """Asks the model once, then fails with an error of its own."""

    async def execute(state: AgentState) -> AgentState:
        await get_model().generate(state.messages)
        raise RuntimeError("the agent's own bug, at /host/secret/path")

    return execute


@agent
def keeps_going() -> Agent:
    """Calls the model in a loop and swallows every error, the attempt's end included."""

    async def execute(state: AgentState) -> AgentState:
        while True:
            try:
                output = await get_model().generate(state.messages)
                state.messages.append(output.message)
                state.messages.append(ChatMessageUser(content="go on"))
            except Exception:  # noqa: BLE001 - the point of this agent
                await anyio.sleep(0.05)

    return execute


@agent
def idles() -> Agent:
    """Neither calls the model nor runs a command: only the clock can stop it."""

    async def execute(state: AgentState) -> AgentState:
        await anyio.sleep(3600)
        return state

    return execute


@agent
def file_roundtrip() -> Agent:
    """Writes, reads and runs through `sandbox()`, then answers with what it saw."""

    async def execute(state: AgentState) -> AgentState:
        box = sandbox()
        data = bytes(range(256)) * 400  # binary, and longer than one read chunk
        await box.write_file("nested/dir/blob.bin", data)
        same = await box.read_file("nested/dir/blob.bin", text=False) == data
        piped = await box.exec(
            ["sh", "-c", 'cd "$1" && cat && printf " %s" "$GREETING"', "sh", "nested"],
            input="in",
            env={"GREETING": "hi there"},
        )
        cwd = await box.exec(["pwd"], cwd="nested/dir")
        output = await get_model().generate(state.messages)
        state.output = output
        state.output.completion = f"{same} {piped.stdout} {cwd.stdout.strip().endswith('nested/dir')}"
        return state

    return execute


@agent
def probes_rights() -> Agent:
    """Tries what the agent user may not do, and answers with how each attempt failed."""

    async def execute(state: AgentState) -> AgentState:
        box = sandbox()
        outcomes = []
        for attempt in (
            lambda: box.read_file("/etc/shadow"),
            lambda: box.write_file("/scorer/evil", "x"),
            lambda: box.exec(["id"], user="root"),
        ):
            try:
                await attempt()
                outcomes.append("allowed")
            except Exception as exc:  # noqa: BLE001 - reported, that is the probe
                outcomes.append(type(exc).__name__)
        state.output = await get_model().generate(state.messages)
        state.output.completion = " ".join(outcomes)
        return state

    return execute


@agent
def probes_bounds() -> Agent:
    """Sends and asks for more than the sandbox adapter takes, and answers with what it got."""

    async def execute(state: AgentState) -> AgentState:
        box = sandbox()
        too_much = b"x" * (10 * 1024 * 1024 + 1)
        await box.exec(["sh", "-c", "head -c 2000000 /dev/zero > big.bin"])
        outcomes = []
        for attempt in (
            lambda: box.write_file("huge.bin", too_much),
            lambda: box.read_file("big.bin", text=False),
            lambda: box.exec(["cat"], input=too_much),
            lambda: box.exec(["true"], env={"BAD NAME": "x"}),
        ):
            try:
                await attempt()
                outcomes.append("allowed")
            except Exception as exc:  # noqa: BLE001 - reported, that is the probe
                outcomes.append(type(exc).__name__)
        state.output = await get_model().generate(state.messages)
        state.output.completion = " ".join(outcomes)
        return state

    return execute
