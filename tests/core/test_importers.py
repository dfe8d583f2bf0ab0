"""Importers from the METR Task Standard and Harbor formats, on small fixtures written in those
formats (tests/fixtures/task_formats/). The Docker-marked tests run the imported tasks for real."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.importers import ImportProblem, import_harbor_task, import_metr_family
from core.states import StopReason
from core.taskfolder import load_task_folder, validate_tree
from tests.support.paths import TASK_FORMAT_FIXTURES

METR_FAMILY = TASK_FORMAT_FIXTURES / "metr" / "count_odds"
HARBOR_CSV = TASK_FORMAT_FIXTURES / "harbor" / "csv-total"
HARBOR_WORDS = TASK_FORMAT_FIXTURES / "harbor" / "word-count"
HARD_ANSWER = sum(1 for n in (METR_FAMILY / "assets" / "numbers_hard.txt").read_text().split() if int(n) % 2)


def fixture_family() -> Any:
    spec = importlib.util.spec_from_file_location("count_odds_fixture", METR_FAMILY / "count_odds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode, saved = True, sys.dont_write_bytecode  # keep the fixture folder clean
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved
    return module.TaskFamily


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


# --- METR ---------------------------------------------------------------------------------------


def test_metr_family_becomes_one_folder_per_runnable_task(tmp_path: Path) -> None:
    created = import_metr_family(METR_FAMILY, tmp_path)
    assert [p.name for p in created] == ["count_odds-easy", "count_odds-hard"]  # `online` needs internet
    assert validate_tree(tmp_path) == []
    family = fixture_family()
    tasks = family.get_tasks()
    for path, name in zip(created, ["easy", "hard"], strict=True):
        folder = load_task_folder(path)
        assert folder.family == "count_odds"
        assert folder.instructions.strip() == family.get_instructions(tasks[name]).strip()
        assert folder.estimate is not None and folder.estimate.source == "metr-manifest"
        assert folder.human_time is not None and folder.human_time.source == "estimate"
        assert folder.environment.dockerfile is not None
        assert folder.environment.dockerfile.splitlines()[1] == "FROM horizon-base"
        assert "family/count_odds.py" in folder.environment.files
        assert "family/assets/numbers_hard.txt" in folder.environment.files
        assert folder.scorer.command == "python3 /scorer/metr_score.py"
        assert folder.solution is None
    easy, hard = (load_task_folder(p) for p in created)
    assert easy.human_time is not None and hard.human_time is not None
    assert easy.human_time.minutes == 0.5 and hard.human_time.minutes == 3
    assert (hard.limits.cpus, hard.limits.memory_mb, hard.limits.disk_mb) == (2.0, 2048, 1024)
    assert hard.spec.time_limit_s == 720  # four times the estimate


def run_metr_scorer(task_folder: Path, family_dir: Path, workdir: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(task_folder / "scorer" / "metr_score.py")],
        cwd=workdir,
        env={**os.environ, "HORIZON_METR_FAMILY_DIR": str(family_dir), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_generated_metr_scorer_calls_the_family_score(tmp_path: Path) -> None:
    created = import_metr_family(METR_FAMILY, tmp_path / "out")
    family_dir = copy_tree(METR_FAMILY, tmp_path / "family")
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "submission.txt").write_text("2\n")  # [6, 4, 1, 4, 0, 6, 8, 1] has two odd numbers
    assert run_metr_scorer(created[0], family_dir, workdir, {})[-1] == "1.0"
    (workdir / "submission.txt").write_text("3\n")
    assert run_metr_scorer(created[0], family_dir, workdir, {})[-1] == "0.0"
    # Without submission.txt the submit tool's copy is used.
    (workdir / "submission.txt").unlink()
    submitted = tmp_path / "submitted.txt"
    submitted.write_text(str(HARD_ANSWER))
    lines = run_metr_scorer(created[1], family_dir, workdir, {"HORIZON_SUBMISSION_FILE": str(submitted)})
    assert lines[-1] == "1.0"


def test_metr_family_without_estimates(tmp_path: Path) -> None:
    family_dir = copy_tree(METR_FAMILY, tmp_path / "count_odds")
    manifest = yaml.safe_load((family_dir / "manifest.yaml").read_text())
    del manifest["tasks"]["easy"]["meta"]
    (family_dir / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    # Without --minutes the task has no human time (no number is invented); the others keep theirs.
    bare = [load_task_folder(p) for p in import_metr_family(family_dir, tmp_path / "out")]
    assert bare[0].human_time is None and bare[0].estimate is None and bare[0].spec.no_human_time
    assert bare[1].estimate is not None and bare[1].estimate.source == "metr-manifest"
    created = import_metr_family(family_dir, tmp_path / "out2", default_minutes=1.25, time_limit_s=900)
    easy = load_task_folder(created[0])
    assert easy.human_time is not None
    assert easy.human_time.minutes == 1.25 and easy.spec.time_limit_s == 900
    assert easy.estimate is not None and "default" in easy.estimate.rationale


def test_metr_family_level_estimate(tmp_path: Path) -> None:
    family_dir = copy_tree(METR_FAMILY, tmp_path / "count_odds")
    (family_dir / "manifest.yaml").write_text(yaml.safe_dump({"meta": {"human_minutes": 7}, "tasks": {}}))
    created = import_metr_family(family_dir, tmp_path / "out")
    assert {getattr(load_task_folder(p).human_time, "minutes", None) for p in created} == {7.0}


def test_not_a_metr_family(tmp_path: Path) -> None:
    (tmp_path / "empty_family").mkdir()
    with pytest.raises(ImportProblem, match="empty_family.py"):
        import_metr_family(tmp_path / "empty_family", tmp_path / "out")


def test_broken_metr_family_reports_the_error(tmp_path: Path) -> None:
    family_dir = tmp_path / "broken"
    family_dir.mkdir()
    (family_dir / "broken.py").write_text("class TaskFamily:\n    def get_tasks(:\n")
    with pytest.raises(ImportProblem, match="SyntaxError"):
        import_metr_family(family_dir, tmp_path / "out")


def test_metr_family_that_needs_internet_everywhere(tmp_path: Path) -> None:
    family_dir = tmp_path / "online_only"
    family_dir.mkdir()
    (family_dir / "online_only.py").write_text(
        "class TaskFamily:\n"
        "    standard_version = '0.5.0'\n"
        "    get_tasks = staticmethod(lambda: {'main': {}})\n"
        "    get_instructions = staticmethod(lambda t: 'Browse the web.')\n"
        "    get_permissions = staticmethod(lambda t: ['full_internet'])\n"
    )
    with pytest.raises(ImportProblem, match="full_internet"):
        import_metr_family(family_dir, tmp_path / "out", default_minutes=5)


def test_metr_binary_assets_are_refused(tmp_path: Path) -> None:
    family_dir = copy_tree(METR_FAMILY, tmp_path / "count_odds")
    (family_dir / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    with pytest.raises(ImportProblem, match="not UTF-8"):
        import_metr_family(family_dir, tmp_path / "out")


# --- Harbor -------------------------------------------------------------------------------------


def test_harbor_task_schema_1_0(tmp_path: Path) -> None:
    path = import_harbor_task(HARBOR_CSV, tmp_path, rebase=True)
    assert path == tmp_path / "data-processing" / "csv-total"
    assert validate_tree(tmp_path) == []
    folder = load_task_folder(path)
    assert folder.instructions == (HARBOR_CSV / "instruction.md").read_text()
    assert folder.environment.workdir == "/app"
    assert folder.environment.files == {"sales.csv": (HARBOR_CSV / "environment" / "sales.csv").read_text()}
    dockerfile = folder.environment.dockerfile or ""
    froms = [line for line in dockerfile.splitlines() if line.startswith("FROM")]
    assert froms == ["FROM horizon-base"]
    assert "python:3.12-slim" in dockerfile  # kept as a comment for the record
    assert "ln -s /scorer/tests /tests" in dockerfile and "chown -R 1000:1000 /app" in dockerfile
    assert set(folder.scorer.files) == {"harbor_verify.sh", "tests/test.sh", "tests/check_total.py"}
    assert folder.scorer.command == "bash /scorer/harbor_verify.sh" and folder.scorer.timeout_s == 60
    assert folder.solution is not None and set(folder.solution.files) == {"solve.sh"}
    assert folder.estimate is not None
    assert (folder.estimate.minutes, folder.estimate.source) == (4.0, "harbor-task-toml")
    assert "junior_time_estimate_min = 12.0" in folder.estimate.rationale
    assert folder.spec.time_limit_s == 600
    assert (folder.limits.cpus, folder.limits.memory_mb, folder.limits.disk_mb) == (1.0, 1024, 2048)
    assert "internet" in folder.spec.notes
    assert folder.spec.tags == ["harbor-import", "csv", "python"]


def test_harbor_task_schema_1_1(tmp_path: Path) -> None:
    path = import_harbor_task(HARBOR_WORDS, tmp_path, family="texts", rebase=True)
    folder = load_task_folder(path)
    assert (folder.family, folder.id) == ("texts", "word-count")
    assert folder.spec.title == "Count the words of each line of a poem"
    assert folder.environment.workdir == "/workspace"
    assert (folder.limits.cpus, folder.limits.memory_mb, folder.limits.disk_mb) == (2.0, 2048, 4096)
    assert folder.spec.time_limit_s == 300 and folder.scorer.timeout_s == 30
    assert "ubuntu:24.04" in folder.spec.notes


def harbor_copy(tmp_path: Path, edit: dict[str, str] | None = None) -> Path:
    task = copy_tree(HARBOR_CSV, tmp_path / "task")
    for rel, text in (edit or {}).items():
        (task / rel).write_text(text)
    return task


def test_harbor_without_estimate(tmp_path: Path) -> None:
    task = harbor_copy(tmp_path, {"task.toml": '[metadata]\ncategory = "x"\n[agent]\ntimeout_sec = 100\n'})
    # No estimate and no --minutes: imported without human time, never with an invented one.
    bare = load_task_folder(import_harbor_task(task, tmp_path / "bare", rebase=True))
    assert (
        bare.estimate is None and bare.human_time is None and "fits leave it out" in bare.spec.no_human_time
    )
    folder = load_task_folder(import_harbor_task(task, tmp_path / "out", minutes=9, rebase=True))
    assert folder.estimate is not None
    assert (folder.estimate.minutes, folder.estimate.source) == (9.0, "importer-default")


def test_harbor_unsupported_environments(tmp_path: Path) -> None:
    compose = harbor_copy(tmp_path / "a")
    (compose / "environment" / "docker-compose.yaml").write_text("services: {}\n")
    with pytest.raises(ImportProblem, match="docker-compose"):
        import_harbor_task(compose, tmp_path / "out")
    prebuilt = harbor_copy(tmp_path / "b")
    (prebuilt / "environment" / "Dockerfile").unlink()
    with (prebuilt / "task.toml").open("a") as handle:
        handle.write('docker_image = "example/prebuilt:1"\n')
    with pytest.raises(ImportProblem, match="prebuilt:1"):
        import_harbor_task(prebuilt, tmp_path / "out")
    missing = harbor_copy(tmp_path / "c")
    (missing / "tests" / "test.sh").unlink()
    with pytest.raises(ImportProblem, match="tests/test.sh"):
        import_harbor_task(missing, tmp_path / "out")


def test_harbor_import_never_overwrites(tmp_path: Path) -> None:
    import_harbor_task(HARBOR_CSV, tmp_path, rebase=True)
    with pytest.raises(FileExistsError):
        import_harbor_task(HARBOR_CSV, tmp_path, rebase=True)


# --- in Docker ----------------------------------------------------------------------------------


@pytest.fixture
def answer_scaffold() -> Iterator[str]:
    """A scaffold that counts the odd numbers it is shown (in the instructions or the file that
    the METR family's start() wrote) and submits the count, as an agent would."""
    from workers.scaffolds.base import ScaffoldContext, ScaffoldResult
    from workers.scaffolds.registry import register_scaffold, unregister_scaffold

    class CountOdds:
        name = "count-odds-test"
        needs_model = False

        def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
            if "/home/agent/numbers_hard.txt" in ctx.instructions:
                text = ctx.sandbox.read_file("/home/agent/numbers_hard.txt")
                numbers = [int(n) for n in text.split()]
            else:
                inside = ctx.instructions.split("[", 1)[1].split("]", 1)[0]
                numbers = [int(n) for n in inside.split(",")]
            answer = str(sum(1 for n in numbers if n % 2))
            ctx.sandbox.put_files({"submission.txt": answer}, ctx.sandbox.workdir)
            return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission=answer)

    register_scaffold(CountOdds.name, lambda _settings: CountOdds())
    yield CountOdds.name
    unregister_scaffold(CountOdds.name)


@pytest.mark.docker
def test_imported_metr_tasks_run_in_docker(tmp_path: Path, docker_backend: Any, answer_scaffold: str) -> None:
    from workers.execution import AgentConfig, AttemptSpec, execute_attempt
    from workers.task_health import bundle_from_folder, check_task

    for path in import_metr_family(METR_FAMILY, tmp_path):
        bundle = bundle_from_folder(load_task_folder(path))
        spec = AttemptSpec(
            run_id=-7001, attempt=1, task=bundle, agent=AgentConfig("answer", answer_scaffold), model=None
        )
        outcome = execute_attempt(spec, docker_backend, heartbeat=lambda: None)
        assert (outcome.score_cont, outcome.score_binarized) == (1.0, 1), outcome.transcript[-3:]
        health = check_task(path, docker_backend, oracle_repeats=1, run_id=-7002)
        # No reference solution: the null check runs (and fails the task), the oracle cannot.
        assert health.null_score == 0.0 and health.oracle == []
        assert not health.healthy and "no reference solution" in health.problems[0]


@pytest.mark.docker
def test_imported_harbor_tasks_are_healthy_in_docker(tmp_path: Path, docker_backend: Any) -> None:
    from workers.task_health import check_task

    for source in (HARBOR_CSV, HARBOR_WORDS):
        health = check_task(
            import_harbor_task(source, tmp_path, rebase=True), docker_backend, oracle_repeats=1, run_id=-7003
        )
        assert health.healthy, health.problems
        assert health.oracle_scores == [1.0] and health.null_score == 0.0
