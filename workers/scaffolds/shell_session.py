"""A shell whose state lasts between commands, over any `Sandbox` (docs/agents.md, terminal scaffold).

Each command is one `sandbox.exec`, so the session needs nothing from the sandbox beyond the
protocol and survives a read-only root, no network and an unprivileged user. The state travels in
a file under /tmp (a private folder per session):

* before the command, a bash wrapper restores the working directory, shell variables (exported or
  not), functions, aliases and `set`/`shopt` options from that file;
* the command runs in that same bash (`eval`), so `cd`, `export`, `x=1`, `f() {...}` take effect;
* on the way out (an EXIT trap, so `exit 3` saves too) the wrapper writes the state back, to a new
  file renamed over the old, so that a command killed halfway leaves the previous state intact.

The command's output goes to files, not to the exec's pipes, which the sandbox copies back once
the command ends. So `server &` does not hold the exec open: background processes outlive the call
and keep running between calls. Standard input is /dev/null (nothing can wait for a keyboard).

Timeouts: the command runs under `timeout -s KILL` in its own process group, so a command that
runs too long is killed with whatever it started in that call, its output so far is still shown,
and the session goes on with the state from before that command.
"""

from __future__ import annotations

import shlex
import uuid

from workers.sandbox.base import ExecResult, Sandbox

# Seconds on top of a command's timeout for the wrapper to copy the output back and save state.
WRAPPER_GRACE_S = 10.0
# Linux caps one argument at 128 KiB (MAX_ARG_STRLEN), and the whole wrapped command is one.
MAX_WRAPPED_BYTES = 120_000
# `timeout -s KILL` exits with 128 + 9 when it had to kill the command.
_KILLED = 137

# Variables that belong to bash or to one exec, never restored into the next.
_SKIPPED_VARIABLES = (
    "__h_*|BASH|BASH_*|BASHOPTS|BASHPID|SHELLOPTS|HORIZON_EXEC|PWD|OLDPWD|SHLVL|PPID|UID|EUID|"
    "GROUPS|HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE|RANDOM|SRANDOM|SECONDS|LINENO|HISTCMD|EPOCHSECONDS|"
    "EPOCHREALTIME|FUNCNAME|PIPESTATUS|DIRSTACK|COMP_*|OPTERR|OPTIND|_"
)

# Runs as `bash -c WRAPPER horizon-shell STATE_DIR COMMAND`. Options are saved first (before the
# wrapper changes any) and restored last, so that a saved `set -eu` cannot break the restoring.
# (`-e` is read from `$-`: bash clears it inside the command substitution that lists the rest.)
_WRAPPER = f"""
__h_dir=$1
__h_cmd=$2
set --
__h_marker=${{HORIZON_EXEC-}}
shopt -s expand_aliases
if [ -f "$__h_dir/state" ]; then . "$__h_dir/state" >/dev/null 2>&1; fi
if [ -n "$__h_marker" ]; then export HORIZON_EXEC="$__h_marker"; fi
__h_save() {{
  __h_status=$?
  __h_flags=$-
  __h_opts=$(set +o; shopt -p)
  set +euxvC +o pipefail
  trap - EXIT
  {{
    while IFS= read -r __h_v; do
      case $__h_v in {_SKIPPED_VARIABLES}) continue ;; esac
      declare -p "$__h_v"
    done < <(compgen -v)
    declare -f
    alias -p
    printf 'cd -- %q\\n' "$PWD"
    printf '%s\\n' "$__h_opts"
    case $__h_flags in *e*) echo 'set -e' ;; esac
  }} >"$__h_dir/state.new" 2>/dev/null && mv -f "$__h_dir/state.new" "$__h_dir/state"
  exit "$__h_status"
}}
trap __h_save EXIT
eval "$__h_cmd"
"""


class CommandTooLong(ValueError):
    """The command does not fit in one exec's argument (write long text to a file instead)."""


class ShellSession:
    """One persistent shell in a sandbox (see the module docstring). Not for concurrent use."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        # A fresh folder per session: two sessions (or attempts) never share state.
        self.state_dir = f"/tmp/horizon-shell-{uuid.uuid4().hex[:12]}"
        self._calls = 0

    def wrapped(self, command: str, timeout_s: float) -> str:
        """The `sh -c` script that runs `command` in the session with its own timeout."""
        if "\0" in command:
            raise CommandTooLong("the command contains a NUL byte, which no shell command can hold")
        self._calls += 1
        state = shlex.quote(self.state_dir)
        out, err = f"{state}/out.{self._calls}", f"{state}/err.{self._calls}"
        script = (
            f"mkdir -p -m 700 {state} && "
            f"timeout -s KILL {max(0.05, timeout_s):.3f} bash --noprofile --norc -c {shlex.quote(_WRAPPER)} "
            f"horizon-shell {state} {shlex.quote(command)} >{out} 2>{err} </dev/null; "
            f"s=$?; cat {out}; cat {err} >&2; rm -f {out} {err}; exit $s"
        )
        size = len(script.encode())
        if size > MAX_WRAPPED_BYTES:
            raise CommandTooLong(
                f"the command is too long for one shell call ({size} bytes with the wrapper; at most "
                f"{MAX_WRAPPED_BYTES}). Write long content to a file with `write_file` and run that."
            )
        return script

    def run(self, command: str, timeout_s: float) -> ExecResult:
        """Run `command` in the session; kill it (and what it started) after `timeout_s`."""
        result = self.sandbox.exec(self.wrapped(command, timeout_s), timeout_s=timeout_s + WRAPPER_GRACE_S)
        # The inner `timeout` killed the command if it exited 137 no sooner than its deadline (a
        # command that itself ends with 137 earlier, e.g. killed for memory, is not a timeout).
        timed_out = result.timed_out or (result.exit_code == _KILLED and result.duration_s >= timeout_s)
        if timed_out == result.timed_out:
            return result
        return ExecResult(
            exit_code=result.exit_code,
            stdout=result.stdout,
            stderr=result.stderr,
            timed_out=True,
            duration_s=result.duration_s,
            stdout_bytes=result.stdout_bytes,
            stderr_bytes=result.stderr_bytes,
        )
