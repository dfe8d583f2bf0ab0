"""The task folder format: loading, the mapping onto the taskspec models, human time, and every
kind of validation problem (each must name the file and the field)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from core.schemas import TaskCreate
from core.taskfolder import (
    Baseline,
    Estimate,
    Problem,
    TaskFolderError,
    discover_task_folders,
    human_time,
    load_task_folder,
    load_tree,
    validate_task_folder,
    validate_tree,
    write_task_folder,
)
from core.taskspec import (
    MAX_FILE_BYTES,
    MAX_TAGS,
    TAG_MAX_CHARS,
    TITLE_MAX_CHARS,
    FolderId,
    TaskId,
    content_hash,
)
from tests.factories import edit_task_folder_spec, make_task_folder, task_folder_spec


def find(problems: list[Problem], file_suffix: str, field: str | None = None) -> Problem:
    for problem in problems:
        if problem.file.endswith(file_suffix) and (field is None or problem.field == field):
            return problem
    raise AssertionError(f"no problem for {file_suffix} / {field} in:\n" + "\n".join(map(str, problems)))


# --- a valid tree -----------------------------------------------------------------------------


def test_valid_tree_has_no_problems_and_loads(tmp_path: Path) -> None:
    make_task_folder(tmp_path)
    make_task_folder(tmp_path, "multiply", "demo", task_folder_spec("multiply"))
    assert validate_tree(tmp_path) == []
    assert discover_task_folders(tmp_path) == [
        tmp_path / "demo" / "add-numbers",
        tmp_path / "demo" / "multiply",
    ]
    tasks = load_tree(tmp_path)
    assert [t.id for t in tasks] == ["add-numbers", "multiply"]


def test_load_maps_onto_taskspec_models(tmp_path: Path) -> None:
    folder = load_task_folder(make_task_folder(tmp_path))
    assert folder.id == "add-numbers" and folder.family == "demo" and folder.version == 1
    assert folder.environment.dockerfile is None
    assert folder.environment.files == {"numbers.txt": "2 3\n"}
    assert folder.environment.workdir == "/home/agent"
    assert folder.scorer.command == "python3 /scorer/score.py"
    assert set(folder.scorer.files) == {"score.py"}
    assert folder.solution is not None and folder.solution.files == {
        "solve.sh": "#!/bin/bash\necho 5 > submission.txt\n"
    }
    assert (folder.limits.cpus, folder.limits.memory_mb, folder.limits.pids, folder.limits.disk_mb) == (
        1.0,
        256,
        64,
        64,
    )
    assert folder.limits.network == "none"
    assert folder.human_time is not None
    assert folder.human_time.minutes == 1.5 and folder.human_time.source == "estimate"
    assert folder.content_hash == content_hash(
        folder.instructions, folder.environment, folder.scorer, folder.solution
    )


def test_dockerfile_is_separated_from_its_build_context(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "environment" / "Dockerfile").write_text(
        "# builds data\nARG X=1\nFROM horizon-base:latest AS base\nRUN true\n"
    )
    loaded = load_task_folder(folder)
    assert loaded.environment.dockerfile is not None and "RUN true" in loaded.environment.dockerfile
    assert "Dockerfile" not in loaded.environment.files


def test_content_hash_follows_the_files(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    first = load_task_folder(folder).content_hash
    assert load_task_folder(folder).content_hash == first
    (folder / "scorer" / "score.py").write_text("print(0.0)\n")
    assert load_task_folder(folder).content_hash != first


def test_solution_is_optional(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "solution" / "solve.sh").unlink()
    (folder / "solution").rmdir()
    edit_task_folder_spec(folder, solution=...)
    assert load_task_folder(folder).solution is None


def test_caches_are_ignored(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "scorer" / "__pycache__").mkdir()
    (folder / "scorer" / "__pycache__" / "score.cpython-311.pyc").write_bytes(b"\x00\xff binary")
    assert validate_task_folder(folder) == []


def test_write_task_folder_round_trips(tmp_path: Path) -> None:
    path = write_task_folder(
        tmp_path / "demo" / "add-numbers",
        task_folder_spec(),
        "Add 2 and 3.\n",
        environment_files={"data/numbers.txt": "2 3\n"},
        scorer_files={"score.py": "print(1.0)\n"},
        solution_files={"solve.sh": "#!/bin/bash\necho 5 > submission.txt\n"},
    )
    loaded = load_task_folder(path)
    assert loaded.environment.files == {"data/numbers.txt": "2 3\n"}
    assert os.access(path / "solution" / "solve.sh", os.X_OK)
    with pytest.raises(FileExistsError):
        write_task_folder(path, task_folder_spec(), "again")
    with pytest.raises(TaskFolderError) as info:
        write_task_folder(tmp_path / "demo" / "other", {**task_folder_spec("other"), "version": 0}, "x")
    assert info.value.problems[0].field == "version"


# --- human time -------------------------------------------------------------------------------


def test_human_time_is_the_geometric_mean_of_successful_baselines() -> None:
    baselines = [
        Baseline(baseliner="a", minutes=10, succeeded=True),
        Baseline(baseliner="b", minutes=40, succeeded=True),
        Baseline(baseliner="c", minutes=2, succeeded=False),  # failed attempts do not count
    ]
    estimate = Estimate(minutes=99, source="author", rationale="x")
    result = human_time(baselines, estimate)
    assert result is not None
    assert math.isclose(result.minutes, 20.0)  # sqrt(10 * 40)
    assert result.source == "baseline" and result.n_successful_baselines == 2


def test_human_time_falls_back_to_the_estimate() -> None:
    failed = [Baseline(baseliner="a", minutes=5, succeeded=False)]
    result = human_time(failed, Estimate(minutes=12, source="author", rationale="x"))
    assert result is not None and (result.minutes, result.source) == (12, "estimate")
    assert human_time(failed, None) is None


def test_folder_with_baselines_uses_them(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(
        folder,
        baselines=[
            {"baseliner": "ana", "minutes": 2, "succeeded": True, "notes": "quick"},
            {"baseliner": "bo", "minutes": 8, "succeeded": True},
        ],
    )
    loaded = load_task_folder(folder)
    assert loaded.human_time is not None
    assert math.isclose(loaded.human_time.minutes, 4.0) and loaded.human_time.source == "baseline"


# --- problems ---------------------------------------------------------------------------------


def test_missing_files(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "instructions.md").unlink()
    (folder / "solution" / "solve.sh").unlink()
    problems = validate_task_folder(folder)
    assert "missing" in find(problems, "instructions.md").message
    assert "solution/solve.sh does not exist" in find(problems, "task.yaml", "solution.command").message

    other = make_task_folder(tmp_path, "no-spec")
    (other / "task.yaml").unlink()
    assert "task.yaml" in find(validate_task_folder(other), "task.yaml").message


def test_folder_without_task_yaml_is_reported_by_the_tree(tmp_path: Path) -> None:
    make_task_folder(tmp_path)
    stray = make_task_folder(tmp_path, "half-done")
    (stray / "task.yaml").unlink()
    problem = find(validate_tree(tmp_path), "demo/half-done/task.yaml")
    assert "looks like a task" in problem.message


def test_unknown_keys_at_any_level(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    spec = task_folder_spec()
    spec["timelimit"] = 5
    spec["scorer"]["treshold"] = 0.5
    spec["resources"]["gpu"] = 1  # a typo of gpus
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    problems = validate_task_folder(folder)
    top = find(problems, "task.yaml", "timelimit")
    assert "unknown key" in top.message and "time_limit_s" in top.message
    assert "threshold" in find(problems, "task.yaml", "scorer.treshold").message
    assert "unknown key" in find(problems, "task.yaml", "resources.gpu").message


def test_wrong_types_and_missing_keys(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(folder, version="one", tags="python", time_limit_s=...)
    problems = validate_task_folder(folder)
    assert "wrong type" in find(problems, "task.yaml", "version").message
    assert "wrong type" in find(problems, "task.yaml", "tags").message
    assert "required" in find(problems, "task.yaml", "time_limit_s").message


def test_non_positive_minutes(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(
        folder,
        baselines=[{"baseliner": "ana", "minutes": 0, "succeeded": True}],
        estimate={"minutes": -3, "source": "author", "rationale": "x"},
    )
    problems = validate_task_folder(folder)
    assert "at least 0.01667" in find(problems, "task.yaml", "baselines[0].minutes").message
    assert "at least 0.01667" in find(problems, "task.yaml", "estimate.minutes").message


def test_threshold_outside_unit_interval(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    spec = task_folder_spec()
    spec["scorer"]["threshold"] = 1.5
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    problem = find(validate_task_folder(folder), "task.yaml", "scorer.threshold")
    assert "at most 1" in problem.message and "1.5" in problem.message


def test_no_human_time(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(
        folder, estimate=..., baselines=[{"baseliner": "x", "minutes": 3, "succeeded": False}]
    )
    assert "no human time" in find(validate_task_folder(folder), "task.yaml", "baselines").message


def test_network_other_than_none(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(folder, network="full")
    assert "none" in find(validate_task_folder(folder), "task.yaml", "network").message


def test_ids_must_match_folders_and_be_unique(tmp_path: Path) -> None:
    make_task_folder(tmp_path, "same", "alpha", task_folder_spec("same", "alpha"))
    make_task_folder(tmp_path, "same", "beta", task_folder_spec("same", "beta"))
    mismatch = make_task_folder(
        tmp_path, "folder-name", "alpha", task_folder_spec("other-name", "wrong-family")
    )
    problems = validate_tree(tmp_path)
    duplicate = find(problems, "beta/same/task.yaml", "id")
    assert "already used" in duplicate.message and "alpha/same/task.yaml" in duplicate.message
    assert "folder is named" in find(problems, "alpha/folder-name/task.yaml", "id").message
    assert "family folder" in find(problems, "alpha/folder-name/task.yaml", "family").message
    assert mismatch.exists()


def test_bad_id_characters(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path, "Bad Id", "demo", task_folder_spec("Bad Id"))
    assert "not a valid name" in find(validate_task_folder(folder), "task.yaml", "id").message


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("title", "t" * TITLE_MAX_CHARS, True),
        ("title", "t" * (TITLE_MAX_CHARS + 1), False),
        ("tags", ["x" * TAG_MAX_CHARS], True),
        ("tags", ["x" * (TAG_MAX_CHARS + 1)], False),
        ("tags", ["two words"], False),
        ("tags", ["a\nb"], False),
        ("tags", [f"t{i}" for i in range(MAX_TAGS + 1)], False),
    ],
)
def test_folder_and_api_share_the_name_rules(tmp_path: Path, key: str, value: Any, accepted: bool) -> None:
    """Titles and tags follow core.taskspec's one rule in task folders and in the API alike."""
    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(folder, **{key: value})
    folder_ok = not validate_task_folder(folder)
    payload = {"id": "add-numbers", "family": "demo", "title": "Add", "tags": [], key: value}
    payload |= {"instructions": "x", "scorer": {"command": "true"}}
    try:
        TaskCreate.model_validate(payload)
        api_ok = True
    except ValidationError:
        api_ok = False
    assert (folder_ok, api_ok) == (accepted, accepted)


def test_folder_ids_are_valid_api_ids() -> None:
    """A folder's id becomes the task's id in the database: FolderId is a subset of TaskId."""
    folder_ids, task_ids = TypeAdapter(FolderId), TypeAdapter(TaskId)
    for good in ("a", "add-numbers", "x_1", "9" * 80):
        assert task_ids.validate_python(folder_ids.validate_python(good)) == good
    for bad in ("A", "-a", "a/b", "a.b", "9" * 81, ""):
        with pytest.raises(ValidationError):
            folder_ids.validate_python(bad)


def test_dockerfile_must_start_from_the_base_image(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "environment" / "Dockerfile").write_text("FROM python:3.12\nRUN true\n")
    problem = find(validate_task_folder(folder), "environment/Dockerfile", "FROM")
    assert "horizon-base" in problem.message and "python:3.12" in problem.message

    (folder / "environment" / "Dockerfile").write_text("RUN echo no base\n")
    assert "must start with" in find(validate_task_folder(folder), "environment/Dockerfile", "RUN").message

    (folder / "environment" / "Dockerfile").write_text(
        "FROM horizon-base AS build\nRUN true\nFROM build\nFROM debian:12\n"
    )
    problems = [p for p in validate_task_folder(folder) if p.file.endswith("Dockerfile")]
    assert len(problems) == 1 and "debian:12" in problems[0].message


def test_symbolic_links_escaping_the_folder(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    secret = tmp_path / "outside.txt"
    secret.write_text("secret")
    (folder / "environment" / "leak.txt").symlink_to(secret)
    (folder / "scorer" / "inner.py").symlink_to(folder / "scorer" / "score.py")
    problems = validate_task_folder(folder)
    assert "outside the task folder" in find(problems, "environment/leak.txt").message
    assert "symbolic link" in find(problems, "scorer/inner.py").message


def test_too_large_files(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "environment" / "big.csv").write_text("x" * (MAX_FILE_BYTES + 1))
    assert "too large" in find(validate_task_folder(folder), "environment/big.csv").message


def test_non_utf8_files(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "environment" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    (folder / "scorer" / "nul.txt").write_bytes(b"abc\x00def")
    problems = validate_task_folder(folder)
    assert "not UTF-8" in find(problems, "environment/image.png").message
    assert "binary" in find(problems, "scorer/nul.txt").message


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "task.yaml").write_text("id: x\ntitle: [unclosed\n")
    problem = find(validate_task_folder(folder), "task.yaml")
    assert "not valid YAML" in problem.message and "line" in problem.message

    (folder / "task.yaml").write_text("- just\n- a list\n")
    assert "mapping" in find(validate_task_folder(folder), "task.yaml").message


def test_scorer_command_must_name_existing_files(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    spec = task_folder_spec()
    spec["scorer"]["command"] = "python3 /scorer/check.py && cat /solution/answer.txt"
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    problems = [p for p in validate_task_folder(folder) if p.field == "scorer.command"]
    messages = " | ".join(p.message for p in problems)
    assert "scorer/check.py does not exist" in messages
    assert "only /scorer is available" in messages


def test_unknown_entries_in_the_folder(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    (folder / "scorers").mkdir()
    (folder / "notes.txt").write_text("typo'd folder above")
    problems = validate_task_folder(folder)
    assert "not part of the task format" in find(problems, "demo/add-numbers/scorers").message
    assert "not part of the task format" in find(problems, "notes.txt").message


def test_every_problem_is_collected(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    spec = task_folder_spec()
    spec["version"] = 0
    spec["scorer"]["threshold"] = -0.1
    spec["estimate"]["minutes"] = 0
    spec["colour"] = "blue"
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    (folder / "instructions.md").write_text("   \n")
    (folder / "environment" / "Dockerfile").write_text("FROM alpine\n")
    (folder / "environment" / "blob.bin").write_bytes(b"\xff\xfe\xfd")
    problems = validate_task_folder(folder)
    fields = {(Path(p.file).name, p.field) for p in problems}
    assert {
        ("task.yaml", "version"),
        ("task.yaml", "scorer.threshold"),
        ("task.yaml", "estimate.minutes"),
        ("task.yaml", "colour"),
        ("instructions.md", None),
        ("Dockerfile", "FROM"),
        ("blob.bin", None),
    } <= fields
    with pytest.raises(TaskFolderError) as info:
        load_task_folder(folder)
    assert len(info.value.problems) == len(problems)
    assert all(str(p).startswith("demo/add-numbers/") for p in info.value.problems)
