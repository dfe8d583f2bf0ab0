"""`horizon tasks import harbor|metr`: per-task outcomes, nothing half-written, offline verifiers,
the base-image allow-list and imported tasks without human time (tests/fixtures/task_formats/)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.importers.batch import import_sources
from core.importers.common import ImportProblem
from core.importers.harbor import harbor_task
from core.importers.verifier_prelude import offline_test_script
from core.settings import get_settings
from core.taskfolder import load_task_folder, validate_tree
from core.taskspec import dockerfile_problems
from tests.support.installed_wheels import pack_installed_wheel
from tests.support.paths import TASK_FORMAT_FIXTURES

HARBOR = TASK_FORMAT_FIXTURES / "harbor"
GREETING = HARBOR / "tb-greeting"
STATUS_SERVICE = HARBOR / "tb-status-service"
METR_FAMILY = TASK_FORMAT_FIXTURES / "metr" / "count_odds"
WORD_SORT = TASK_FORMAT_FIXTURES / "metr" / "word_sort"
# What a person would add after import (the METR standard has no reference solutions).
WORD_SORT_SOLUTIONS = {
    "word_sort-given": "#!/bin/bash\necho apple banana fig pear\n",
    "word_sort-file": "#!/bin/bash\nsort words.txt | tr '\\n' ' '\n",
}


@pytest.fixture
def extra_images(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HORIZON_EXTRA_BASE_IMAGES", "team/tools:1, python:3.12-slim")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_terminal_bench_prelude_becomes_offline(tmp_path: Path) -> None:
    task = harbor_task(GREETING, tmp_path)
    folder = load_task_folder(task.path)
    test_sh = folder.scorer.files["tests/test.sh"]
    for online in ("apt-get", "curl", "astral.sh", "uvx", ".local/bin/env"):
        assert online not in test_sh
    assert "PYTHONPATH=/opt/horizon-verifier/python python3 -m pytest /tests/test_state.py -rA" in test_sh
    dockerfile = folder.environment.dockerfile or ""
    assert "FROM horizon-base AS horizon-task-final" in dockerfile
    assert "pytest==9.2.0" in dockerfile and "COPY horizon-wheelhouse/" in dockerfile
    assert "(id -u agent >/dev/null 2>&1 || useradd -m -u 1000 agent)" in dockerfile
    assert "command -v $p" not in dockerfile  # curl served only the uv installer: not required
    assert folder.environment.workdir == "/srv/greeting"
    verify = folder.scorer.files["harbor_verify.sh"]
    assert "export GREETING_NAME=Ada" in verify and "'reward'" in verify
    assert folder.human_time is None and folder.spec.no_human_time  # task.toml has no estimate
    assert any("uv's pytest" in c for c in task.changes) and any("no human time" in c for c in task.changes)
    assert validate_tree(tmp_path) == []


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("pip install requests", "pip install"),
        ("git clone https://example.org/repo.git", "git"),
        ("wget https://example.org/data.csv", "wget"),
        ("apt-get update && apt-get install -y jq", "apt-get"),
        ("uvx -w 'pytest @ https://example.org/p.whl' pytest /tests", "plain pinned"),
    ],
)
def test_verifiers_that_need_the_internet_are_refused(line: str, why: str) -> None:
    with pytest.raises(ImportProblem, match=why):
        offline_test_script(f"#!/bin/bash\n{line}\n")


def test_packages_the_verifier_still_uses_must_be_in_the_image(tmp_path: Path) -> None:
    source = shutil.copytree(GREETING, tmp_path / "src" / "jq-check")
    (source / "tests" / "test.sh").write_text(
        "#!/bin/bash\napk add --no-cache jq\njq . /dev/null && echo 1 > /logs/verifier/reward.txt\n"
    )
    task = harbor_task(source, tmp_path / "out", minutes=3)
    dockerfile = load_task_folder(task.path).environment.dockerfile or ""
    assert "for p in jq;" in dockerfile  # checked at build time: no network to install it then


def test_base_images_are_kept_only_when_allowed(tmp_path: Path, extra_images: None) -> None:
    source = shutil.copytree(HARBOR / "csv-total", tmp_path / "src" / "csv-total")
    kept = load_task_folder(harbor_task(source, tmp_path / "a").path)
    assert "FROM python:3.12-slim" in (kept.environment.dockerfile or "")
    assert "useradd -m -o -u 1000 agent" in (kept.environment.dockerfile or "")
    with pytest.raises(ImportProblem, match="ubuntu:24.04.*HORIZON_EXTRA_BASE_IMAGES"):
        harbor_task(HARBOR / "word-count", tmp_path / "b")
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").rglob("task.yaml"))
    rebased = harbor_task(HARBOR / "word-count", tmp_path / "c", rebase=True)
    assert any("rebuilt on horizon-base" in c for c in rebased.changes)


def test_entrypoint_and_healthcheck_become_a_service(tmp_path: Path) -> None:
    task = harbor_task(STATUS_SERVICE, tmp_path)
    folder = load_task_folder(task.path)
    (service,) = folder.environment.services
    assert service.command == "python3 /opt/status/status_server.py --port 8080"
    assert service.healthcheck is not None and "/health" in service.healthcheck
    assert service.timeout_s == 30  # start period 20 s + 5 retries every 2 s
    dockerfile = folder.environment.dockerfile or ""
    assert "\nENTRYPOINT" not in dockerfile and "\nHEALTHCHECK" not in dockerfile  # kept as comments
    assert any("becomes a service started as root" in c for c in task.changes)


def _services_of(tmp_path: Path, dockerfile: str) -> tuple[list[dict[str, Any]], list[str]]:
    source = shutil.copytree(GREETING, tmp_path / "src" / "svc")
    (source / "environment" / "Dockerfile").write_text(dockerfile)
    task = harbor_task(source, tmp_path / "out", minutes=1)
    folder = load_task_folder(task.path)
    return [s.model_dump() for s in folder.environment.services], task.changes


@pytest.mark.parametrize(
    ("dockerfile", "command"),
    [
        (
            'FROM horizon-base\nENTRYPOINT ["/srv/run", "-v"]\nCMD ["--port", "80 80"]\n',
            "/srv/run -v --port '80 80'",
        ),
        ("FROM horizon-base\nENTRYPOINT /srv/run -v\nCMD --ignored\n", "/srv/run -v"),
        (
            'FROM horizon-base\nENTRYPOINT ["/srv/run"]\nCMD serve --all\n',
            "/srv/run /bin/sh -c 'serve --all'",
        ),
        ('FROM horizon-base AS build\nCMD ["make"]\nFROM build\nCMD ["/srv/app"]\n', "/srv/app"),
    ],
)
def test_entrypoint_and_cmd_combine_as_in_docker(tmp_path: Path, dockerfile: str, command: str) -> None:
    services, _ = _services_of(tmp_path, dockerfile)
    assert services == [{"command": command, "healthcheck": None, "timeout_s": 60}]


@pytest.mark.parametrize(
    "cmd", ['["bash"]', "sleep infinity", '["tail", "-f", "/dev/null"]', '["/bin/sh", "-l"]']
)
def test_keep_alive_commands_are_not_services(tmp_path: Path, cmd: str) -> None:
    services, changes = _services_of(tmp_path, f"FROM horizon-base\nCMD {cmd}\n")
    assert services == [] and any("only keeps the container alive" in c for c in changes)


@pytest.mark.parametrize(
    ("dockerfile", "why"),
    [
        ("FROM horizon-base\nHEALTHCHECK CMD true\n", "no ENTRYPOINT or CMD"),
        ("FROM horizon-base\nCMD serve\nHEALTHCHECK --interval=5 CMD true\n", "not a duration"),
        ("FROM horizon-base\nCMD serve\nHEALTHCHECK --retries=x CMD true\n", "not a number"),
        ("FROM horizon-base\nCMD serve\nHEALTHCHECK --interval=5s\n", "has no CMD"),
        ("FROM horizon-base\nCMD " + "x" * 2001 + "\n", "longer than 2000"),
    ],
)
def test_services_the_importer_cannot_keep_are_refused(tmp_path: Path, dockerfile: str, why: str) -> None:
    with pytest.raises(ImportProblem, match=why):
        _services_of(tmp_path, dockerfile)


def test_long_healthchecks_are_capped_and_none_turns_them_off(tmp_path: Path) -> None:
    services, changes = _services_of(
        tmp_path, "FROM horizon-base\nCMD serve\nHEALTHCHECK --interval=10m --retries=3 CMD true\n"
    )
    assert services[0]["timeout_s"] == 600 and any("at most 600 s" in c for c in changes)
    services, _ = _services_of(
        tmp_path / "b", "FROM horizon-base\nCMD serve\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n"
    )
    assert services == [{"command": "serve", "healthcheck": None, "timeout_s": 60}]


def test_dockerfile_rule_follows_the_allow_list(extra_images: None) -> None:
    assert dockerfile_problems("FROM team/tools:1\n") == []
    assert dockerfile_problems("FROM python:3.12-slim AS b\nFROM b\n") == []
    assert dockerfile_problems("FROM team/tools:2\n")  # another tag is another image
    assert dockerfile_problems("FROM team/tools:1\n", allowed=()) != []


def test_batch_reports_every_task_and_writes_nothing_for_a_refused_one(tmp_path: Path) -> None:
    dest = tmp_path / "tasks"
    outcomes = import_sources("harbor", [HARBOR], dest, rebase=True)
    by_source = {o.source: o for o in outcomes}
    assert set(by_source) == {
        "csv-total",
        "online-verifier",
        "tb-greeting",
        "tb-status-service",
        "word-count",
    }
    assert by_source["online-verifier"].status == "refused"
    assert "needs the internet" in (by_source["online-verifier"].reason or "")
    assert by_source["tb-greeting"].status == "imported with changes"
    assert validate_tree(dest) == []
    assert not any(p.name.startswith(".horizon-import-") for p in dest.iterdir())  # staging removed
    assert not (dest / "files" / "online-verifier").exists()
    # Importing again refuses every task (the folders exist) and changes nothing.
    before = sorted(p.as_posix() for p in dest.rglob("*"))
    again = import_sources("harbor", [HARBOR / "csv-total"], dest, rebase=True)
    assert again[0].status == "refused" and "already exists" in (again[0].reason or "")
    assert sorted(p.as_posix() for p in dest.rglob("*")) == before


def test_metr_batch_lists_refused_tasks(tmp_path: Path) -> None:
    outcomes = import_sources("metr", [METR_FAMILY], tmp_path)
    status = {o.source: o.status for o in outcomes}
    assert status["count_odds-easy"] == "imported with changes"
    assert status["count_odds/online"] == "refused"
    assert load_task_folder(tmp_path / "count_odds" / "count_odds-easy").estimate.source == "metr-manifest"  # type: ignore[union-attr]


def test_metr_family_without_estimates_gets_none_or_the_given_minutes(tmp_path: Path) -> None:
    bare = import_sources("metr", [WORD_SORT], tmp_path / "bare")
    assert [o.status for o in bare] == ["imported with changes"] * 2
    for outcome in bare:
        folder = load_task_folder(outcome.path)  # type: ignore[arg-type]
        assert folder.human_time is None and folder.estimate is None and folder.spec.no_human_time
        assert any("no human time" in c for c in outcome.changes)
    given = import_sources("metr", [WORD_SORT], tmp_path / "given", default_minutes=3)
    for outcome in given:
        estimate = load_task_folder(outcome.path).estimate  # type: ignore[arg-type]
        assert estimate is not None and (estimate.minutes, estimate.source) == (3.0, "importer-default")
        assert any("from --minutes" in c for c in outcome.changes)


def test_cli_import_prints_outcomes(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["tasks", "import", "harbor", str(GREETING), "--dest", str(tmp_path), "--minutes", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "imported with changes tb-greeting" in result.output and "uv's pytest" in result.output
    assert load_task_folder(tmp_path / "files" / "tb-greeting").estimate.source == "importer-default"  # type: ignore[union-attr]
    refused = runner.invoke(
        app, ["tasks", "import", "harbor", str(HARBOR / "online-verifier"), "--dest", str(tmp_path)]
    )
    assert refused.exit_code == 1 and "refused online-verifier" in refused.output
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(app, ["tasks", "import", "metr", str(empty), "--dest", str(tmp_path)])
    assert nothing.exit_code == 1 and "holds no metr task" in nothing.output


# --- in Docker ----------------------------------------------------------------------------------


@pytest.fixture
def verifier_wheelhouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An operator wheelhouse with pytest and pip, packed from this environment (no download)."""
    folder = tmp_path / "wheelhouse"
    folder.mkdir()
    for name in ("pytest", "pluggy", "iniconfig", "packaging", "pygments", "pip"):
        pack_installed_wheel(name, folder)
    monkeypatch.setenv("HORIZON_AGENT_WHEELHOUSE", str(folder))
    return folder


@pytest.mark.docker
def test_imported_terminal_bench_task_is_healthy_offline(
    tmp_path: Path, docker_backend: Any, verifier_wheelhouse: Path
) -> None:
    from workers.task_health import check_task

    path = harbor_task(GREETING, tmp_path / "tasks", minutes=2).path
    health = check_task(path, docker_backend, oracle_repeats=1, run_id=-7011)
    assert health.healthy, health.problems
    assert health.oracle_scores == [1.0] and health.null_score == 0.0
    oracle_output = health.oracle[0].scorer_output
    assert 'rewards {"reward": 1.0, "style": 0.5}' in oracle_output and "1 passed" in oracle_output


@pytest.mark.docker
def test_imported_service_is_healthy_offline(tmp_path: Path, docker_backend: Any) -> None:
    """The ENTRYPOINT's server runs before the agent and still answers while the verifier scores:
    its token lives only in the server's memory."""
    from workers.task_health import check_task

    path = harbor_task(STATUS_SERVICE, tmp_path / "tasks").path
    health = check_task(path, docker_backend, oracle_repeats=1, run_id=-7012)
    assert health.healthy, health.problems
    assert health.oracle_scores == [1.0] and health.null_score == 0.0


@pytest.mark.docker
@pytest.mark.parametrize("minutes", [None, 3.0])
def test_imported_metr_family_without_estimates_is_healthy_offline(
    tmp_path: Path, docker_backend: Any, minutes: float | None
) -> None:
    """Imported with --minutes or without (then it has no human time), each task is healthy once
    the reference solution the import asks for is added."""
    from workers.task_health import check_task

    outcomes = import_sources("metr", [WORD_SORT], tmp_path / "tasks", default_minutes=minutes)
    for outcome in outcomes:
        assert outcome.path is not None, outcome.reason
        (outcome.path / "solution").mkdir()
        (outcome.path / "solution" / "solve.sh").write_text(WORD_SORT_SOLUTIONS[outcome.path.name])
        assert (load_task_folder(outcome.path).human_time is None) == (minutes is None)
        health = check_task(outcome.path, docker_backend, oracle_repeats=1, run_id=-7013)
        assert health.healthy, health.problems
