"""The Inspect runtime one attempt's agent runs in: the few Inspect internals the adapter needs,
kept here so that an upgrade of inspect_ai has one place to check (tests/workers/
test_inspect_agent.py runs a real `react()` through them).

Inspect's public entry point, `eval()`, runs whole evaluations and refuses a second one in the
same process, while a Horizon worker runs many attempts at once on threads. So each attempt sets
up, in its own event loop, what `eval()` sets up for one sample: the active model (`horizon/...`),
model usage, a store, the transcript, the sandbox environments that `sandbox()` returns and the
active sample (which `react()` needs for its checkpointer). All of it lives in context variables
of the attempt's loop, so nothing is shared between attempts but Inspect's registries.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from typing import Any

import inspect_ai
from inspect_ai._eval.context import init_model_context
from inspect_ai._util.registry import is_registry_object, registry_info
from inspect_ai.agent import AgentState, run
from inspect_ai.dataset import Sample
from inspect_ai.log._samples import active_sample
from inspect_ai.log._transcript import Transcript, init_transcript
from inspect_ai.model import (
    ChatMessage,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelName,
    ModelOutput,
    execute_tools,
    get_model,
)
from inspect_ai.model._model import init_sample_model_data
from inspect_ai.solver import Generate, TaskState
from inspect_ai.util import SandboxEnvironment, Store
from inspect_ai.util._sandbox.context import (
    sandbox_default_context_var,
    sandbox_environments_context_var,
    sandbox_with_environments_context_var,
)
from inspect_ai.util._store import init_subtask_store

# Events Inspect's own transcript keeps in memory (Horizon's transcript is the record).
RESIDENT_EVENTS = 50


@asynccontextmanager
async def sample_context(
    provider: str, model_name: str, max_connections: int, instructions: str, sandbox: SandboxEnvironment
) -> AsyncIterator[Model]:
    """Inside: `get_model()` is `provider/model_name`, `sandbox()` is `sandbox`, and a sample is
    active, as in one sample of an Inspect evaluation. Yields the model."""
    config = GenerateConfig(max_connections=max_connections)
    model = get_model(f"{provider}/{model_name}", config=config, memoize=False)
    init_model_context(model, config=config)
    init_sample_model_data()
    init_subtask_store(Store())
    sandbox_environments_context_var.set({"default": sandbox})
    sandbox_with_environments_context_var.set({})
    sandbox_default_context_var.set("default")
    transcript = Transcript(bounded=True, resident_tail=RESIDENT_EVENTS)
    init_transcript(transcript)
    sample_uuid = uuid.uuid4().hex
    async with active_sample(
        task="horizon",
        log_location="",
        model=str(model),
        sample=Sample(id=1, input=instructions),
        epoch=1,
        message_limit=None,
        token_limit=None,
        cost_limit=None,
        time_limit=None,
        working_limit=None,
        fails_on_error=True,
        transcript=transcript,
        eval_id=sample_uuid,
        sample_uuid=sample_uuid,
    ):
        yield model


def is_solver(obj: object) -> bool:
    """Whether `obj` is an Inspect solver (else it is run as an agent)."""
    return is_registry_object(obj, type="solver")


async def run_agent(agent: Any, instructions: str, model: Model) -> tuple[list[ChatMessage], ModelOutput]:
    """Run an agent (or a solver) on the task's instructions as its one user message; return its
    conversation and its output."""
    if is_solver(agent):
        state = TaskState(
            model=ModelName(model),
            sample_id=1,
            epoch=1,
            input=instructions,
            messages=[ChatMessageUser(content=instructions, source="input")],
        )
        state = await agent(state, _generate_for(model))
        return list(state.messages), state.output
    result: AgentState = await run(agent, instructions)
    return list(result.messages), result.output


def _generate_for(model: Model) -> Generate:
    """What a solver's `generate` does in an evaluation: call the model, run the tool calls it
    asks for, again until it answers without one (`tool_calls="loop"`), once otherwise."""

    async def generate(state: TaskState, tool_calls: str = "loop", **config: Any) -> TaskState:
        while True:
            config_now = GenerateConfig(**config)
            output = await model.generate(state.messages, state.tools, state.tool_choice, config_now)
            state.output = output
            state.messages.append(output.message)
            if tool_calls == "none" or not output.message.tool_calls:
                return state
            messages, tool_output = await execute_tools(state.messages, state.tools)
            state.messages.extend(messages)
            if tool_output is not None:
                state.output = tool_output
            if tool_calls == "single":
                return state

    return generate


def agent_info(path: str, agent: object) -> dict[str, str]:
    """What ran: the import path, Inspect's name for it, its package's version and inspect_ai's."""
    name = registry_info(agent).name if is_registry_object(agent) else path
    return {
        "agent": path,
        "name": name,
        "version": _package_version(path.partition(":")[0].split(".")[0]),
        "inspect_ai_version": inspect_ai.__version__,
    }


@cache
def _package_version(top_module: str) -> str:
    for distribution in packages_distributions().get(top_module, []):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "unknown"
