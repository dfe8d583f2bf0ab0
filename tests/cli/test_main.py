"""`cli.main` puts every command module together: each command and group is reachable."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from cli.main import app

COMMANDS = {
    "migrate", "serve", "worker", "beat", "import-runs", "fit", "import-horizons",  # cli.main
    "run", "transcript", "batch",  # cli.runs
    "quickstart",  # cli.quickstart
    "analyze", "trend", "simulate",  # cli.analysis
    "import-inspect", "export-runs",  # cli.exchange
    "backup", "restore",  # cli.backup
    "doctor",  # cli.doctor
    "status",  # cli.status
}  # fmt: skip
GROUPS = {
    "token": {"create", "list", "revoke"},
    "tasks": {"validate", "sync", "check"},
    "images": {"build-base"},
}


def test_every_command_and_group_is_registered() -> None:
    root = typer.main.get_command(app)
    names = set(root.commands)  # type: ignore[attr-defined]
    assert COMMANDS | set(GROUPS) <= names
    for group, subcommands in GROUPS.items():
        assert subcommands <= set(root.commands[group].commands), group  # type: ignore[attr-defined]
        out = CliRunner().invoke(app, [group, "--help"])
        assert out.exit_code == 0, out.output
