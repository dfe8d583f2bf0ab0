"""The `sandbox_program` scaffold: an agent that is a program running inside the task's sandbox.

The agent's `program` setting (`core/agent_kinds.py` `SandboxProgram`) names its layer (pip
requirements from the operator's wheelhouse, extra build steps) and its start command. The worker
builds the layer on top of the task image (`workers/sandbox/docker/agent_layers.py`) and mounts a
per-attempt folder read-only at /run/horizon. This scaffold then:

1. writes the task's instructions and the relay script into that folder, and starts the model
   proxy on its socket (`workers/model_proxy/server.py`), in front of the attempt's model client;
2. runs the start command as the unprivileged agent user, under the relay, which offers the socket
   at 127.0.0.1:<port> inside the sandbox (the sandbox has no other network), with
   OPENAI_BASE_URL / ANTHROPIC_BASE_URL pointing there and OPENAI_API_KEY / ANTHROPIC_API_KEY set
   to a dummy token made for this attempt (the real key never enters the sandbox);
3. watches it: the run ends when the program exits (`submitted` with status 0, `agent_error`
   otherwise), when the proxy stops on a spent token or cost limit (`token_limit`,
   `cost_limit`), or when the working time is up (`time_limit`); the program and everything it
   started are then killed. A provider failure behind the proxy is raised as the built-in
   scaffolds raise it (an infrastructure failure).

The submission is `submission.txt` in the work directory, if the program wrote one (scorers read
it there too). Tokens and dollars are the proxy's account of the calls, which also went through the
attempt's meter. The program's actions are not visible to Horizon, so `action_limit` does not
apply (agents of this kind refuse it); the proxy bounds the number of model calls instead.
"""

from __future__ import annotations

import secrets
import shlex
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.agent_kinds import SandboxProgram, render_command
from core.states import StopReason
from workers.model_proxy import relay
from workers.model_proxy.server import ModelProxy, ProxyBounds
from workers.providers.base import ProviderOutage
from workers.sandbox.base import AGENT_PATH_DIRS, AGENT_PYTHONPATH, AgentLayer, ExecResult
from workers.scaffolds.base import SandboxSetup, ScaffoldContext, ScaffoldResult
from workers.scaffolds.react import call_options

# Where the attempt's folder is mounted in the sandbox, and what it holds.
AGENT_DIR = "/run/horizon"
SOCKET_NAME = "model.sock"
RELAY_NAME = "relay.py"
INSTRUCTIONS_NAME = "instructions.md"
SUBMISSION_NAME = "submission.txt"
MAX_SUBMISSION_BYTES = 1_000_000
# How often the scaffold looks at the program, and calls the run's heartbeat.
POLL_S = 0.2
HEARTBEAT_EVERY_S = 5.0
# The program's own command timeout when no wall-clock cap is set: the watch loop ends it sooner.
NO_LIMIT_TIMEOUT_S = 7 * 24 * 3600.0
# Seconds to wait for the program's command to return once it was killed.
KILL_WAIT_S = 30.0


def program_of(settings: dict[str, Any]) -> SandboxProgram:
    """The agent's `program` setting, checked (ValueError naming the problem when it is not)."""
    try:
        return SandboxProgram.model_validate(settings.get("program"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "program"
        raise ValueError(f"the agent's program setting is invalid: {where}: {first.get('msg')}") from None


@dataclass
class _Run:
    """The program's command running on a thread, and how it ended."""

    result: ExecResult | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class SandboxProgramScaffold:
    """Runs the agent's own program in the sandbox behind the attempt's model proxy."""

    name = "sandbox_program"
    needs_model = True

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})
        self.program = program_of(self.settings)
        self.options = call_options(self.settings)

    def sandbox_setup(self) -> SandboxSetup:
        """The program's layer on top of the task image, and the attempt's folder at AGENT_DIR."""
        layer = AgentLayer(pip=tuple(self.program.pip), dockerfile=self.program.dockerfile)
        needed = layer.pip or layer.dockerfile.strip()
        return SandboxSetup(layer=layer if needed else None, agent_dir_target=AGENT_DIR)

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Serve the program's model calls while it works; see the module docstring."""
        if ctx.model is None:
            raise ValueError("the sandbox_program scaffold needs a model client")
        if ctx.agent_dir is None:
            raise ValueError("the sandbox_program scaffold needs the attempt's folder (sandbox_setup)")
        folder = Path(ctx.agent_dir)
        relay_source = Path(relay.__file__).read_text(encoding="utf-8")
        (folder / RELAY_NAME).write_text(relay_source, encoding="utf-8")
        (folder / INSTRUCTIONS_NAME).write_text(ctx.instructions, encoding="utf-8")
        for name in (RELAY_NAME, INSTRUCTIONS_NAME):
            (folder / name).chmod(0o644)
        token = f"hzp-{secrets.token_hex(24)}"
        bounds = ProxyBounds(
            max_body_bytes=self.program.max_request_bytes, max_calls=self.program.max_model_calls
        )
        proxy = ModelProxy(
            ctx.model,
            limits=ctx.limits,
            transcript=ctx.transcript,
            token=token,
            options=self.options,
            bounds=bounds,
        )
        proxy.start(folder / SOCKET_NAME)
        try:
            reason = self._watch(ctx, proxy, self._command(ctx, proxy.model_name, token))
        finally:
            proxy.close()
        submission = self._submission(ctx)
        ctx.transcript.add(
            "stop",
            reason=reason,
            input_tokens=proxy.input_tokens,
            output_tokens=proxy.output_tokens,
            cost_usd=proxy.cost_usd,
            model_calls=proxy.calls,
        )
        return ScaffoldResult(
            stop_reason=reason,
            submission=submission,
            input_tokens=proxy.input_tokens,
            output_tokens=proxy.output_tokens,
            cost_usd=proxy.cost_usd,
        )

    # -- the program ----------------------------------------------------------------------------

    def _command(self, ctx: ScaffoldContext, model: str, token: str) -> str:
        """The shell line that sets the program's environment and runs it under the relay."""
        port = self.program.port
        openai_base = f"http://127.0.0.1:{port}/v1"
        anthropic_base = f"http://127.0.0.1:{port}"
        values = {
            "instructions": ctx.instructions,
            "instructions_file": f"{AGENT_DIR}/{INSTRUCTIONS_NAME}",
            "model": model,
            "workdir": ctx.sandbox.workdir,
            "openai_base_url": openai_base,
            "anthropic_base_url": anthropic_base,
            "port": str(port),
        }
        environment = {
            **self.program.env,
            "OPENAI_BASE_URL": openai_base,
            "OPENAI_API_BASE": openai_base,
            "OPENAI_API_KEY": token,
            "ANTHROPIC_BASE_URL": anthropic_base,
            "ANTHROPIC_API_KEY": token,
            "ANTHROPIC_AUTH_TOKEN": token,
            "HORIZON_MODEL": model,
            "HORIZON_INSTRUCTIONS_FILE": values["instructions_file"],
            "PYTHONPATH": AGENT_PYTHONPATH,
        }
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in environment.items())
        socket_path = f"{AGENT_DIR}/{SOCKET_NAME}"
        relay_argv = [
            "python3",
            f"{AGENT_DIR}/{RELAY_NAME}",
            "--port",
            str(port),
            "--socket",
            socket_path,
            "--",
        ]
        argv = relay_argv + render_command(self.program.command, values)
        path = ":".join(AGENT_PATH_DIRS)
        return f'export {exports} PATH="{path}:$PATH"; exec {shlex.join(argv)}'

    def _watch(self, ctx: ScaffoldContext, proxy: ModelProxy, command: str) -> StopReason:
        """Run the program until it exits or must stop; kill what is left; say why it ended."""
        run = _Run()
        # The watch loop below ends the program at the limits; the command's own timeout is only a
        # backstop past the wall-clock cap.
        timeout = NO_LIMIT_TIMEOUT_S
        if ctx.limits.wall_time_limit_s is not None:
            timeout = max(1.0, ctx.limits.wall_time_limit_s - ctx.clock.wall_s()) + KILL_WAIT_S

        def execute() -> None:
            try:
                run.result = ctx.sandbox.exec(command, timeout_s=timeout)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the scaffold's thread
                run.error = exc
            finally:
                run.done.set()

        ctx.transcript.add("program_start", command=self.program.command, port=self.program.port)
        threading.Thread(target=execute, name="sandbox-program", daemon=True).start()
        reason: StopReason | None = None
        last_beat = time.monotonic()
        try:
            while not run.done.wait(POLL_S):
                if proxy.stopped.is_set():
                    break
                if ctx.clock.time_up(ctx.limits):  # raises ProviderOutage at the wall-clock cap
                    reason = StopReason.TIME_LIMIT
                    break
                if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
                    ctx.heartbeat()
                    last_beat = time.monotonic()
        finally:
            if not run.done.is_set():
                # Everything of the agent user's dies: the program, what it started, the relay.
                ctx.sandbox.kill_user_processes()
                run.done.wait(KILL_WAIT_S)
        if proxy.failure is not None:
            raise proxy.failure
        if run.error is not None:
            raise run.error
        self._record(ctx, run.result)
        if proxy.stop_reason is not None:
            return proxy.stop_reason
        if reason is not None:
            return reason
        result = run.result
        if result is None or result.timed_out:
            # The command outlived the wall-clock cap: the provider's doing, or the agent's time.
            if ctx.clock.time_up(ctx.limits):
                return StopReason.TIME_LIMIT
            raise ProviderOutage("the program's command did not return")
        if result.exit_code != 0:
            ctx.transcript.add("error", message=f"the program exited with status {result.exit_code}")
            return StopReason.AGENT_ERROR
        return StopReason.SUBMITTED

    @staticmethod
    def _record(ctx: ScaffoldContext, result: ExecResult | None) -> None:
        if result is None:
            return
        ctx.transcript.add(
            "program_end",
            exit_code=result.exit_code,
            timed_out=result.timed_out,
            stdout=result.stdout,
            stderr=result.stderr,
            duration_s=round(result.duration_s, 3),
        )

    @staticmethod
    def _submission(ctx: ScaffoldContext) -> str | None:
        path = f"{ctx.sandbox.workdir.rstrip('/')}/{SUBMISSION_NAME}"
        try:
            return ctx.sandbox.read_file(path, MAX_SUBMISSION_BYTES)
        except FileNotFoundError:
            return None
