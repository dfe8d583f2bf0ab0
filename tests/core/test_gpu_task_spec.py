"""GPU tasks in the task rules (`core.taskspec.Resources`): task.yaml and the schemas accept
`gpus` and `gpu_memory_mb` within their bounds and refuse anything else; tasks stored before GPUs
existed keep their content hash; the operator's HORIZON_TASK_MAX_GPUS is one more maximum."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from core.schemas import TaskContent
from core.services.routing import run_queue, stored_limits
from core.services.tasks import version_hash
from core.settings import Settings
from core.taskfolder import load_task_folder, validate_task_folder
from core.taskspec import ResourceLimits, Resources, content_hash, over_maxima
from tests.factories import make_task_folder, task_folder_spec

CONTENT: dict[str, Any] = {"instructions": "Do it.", "scorer": {"command": "echo 1"}}

HOSTILE_LIMITS = [
    {"gpus": -1},
    {"gpus": 9},
    {"gpus": 10**20},
    {"gpus": "2"},
    {"gpus": 1.0},
    {"gpus": True},
    {"gpus": None},
    {"gpus": [1]},
    {"gpu_memory_mb": 40960},  # memory without GPUs
    {"gpus": 0, "gpu_memory_mb": 40960},
    {"gpus": 1, "gpu_memory_mb": 1023},
    {"gpus": 1, "gpu_memory_mb": 1048577},
    {"gpus": 1, "gpu_memory_mb": "40GB"},
    {"gpus": 1, "gpu_memory_mb": -5},
    {"gpus": 1, "vram": 40960},
]


def test_gpus_are_accepted_within_bounds_and_dumped_only_when_asked() -> None:
    limits = ResourceLimits.model_validate({"gpus": 2, "gpu_memory_mb": 40960})
    assert (limits.gpus, limits.gpu_memory_mb) == (2, 40960)
    assert limits.model_dump(mode="json")["gpus"] == 2
    assert ResourceLimits.model_validate({"gpus": 8}).gpu_memory_mb is None
    # A CPU task's limits look exactly as they did before GPUs existed.
    assert set(ResourceLimits().model_dump(mode="json")) == {
        "cpus",
        "memory_mb",
        "pids",
        "disk_mb",
        "network",
    }


@pytest.mark.parametrize("bad", HOSTILE_LIMITS, ids=lambda b: json.dumps(b))
def test_hostile_gpu_limits_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Resources.model_validate(bad)
    with pytest.raises(ValidationError):
        TaskContent.model_validate({**CONTENT, "limits": bad})


def test_memory_without_gpus_says_what_to_do() -> None:
    with pytest.raises(ValidationError, match="set gpus too"):
        Resources.model_validate({"gpu_memory_mb": 40960})


def test_a_version_stored_before_gpus_keeps_its_hash() -> None:
    content = TaskContent.model_validate(CONTENT)
    base = content_hash(content.instructions, content.environment, content.scorer, content.solution)
    # The hash as it was computed before the GPU fields existed.
    old_limits = {"cpus": 1.0, "memory_mb": 1024, "pids": 256, "disk_mb": 1024, "network": "none"}
    extra = json.dumps({"limits": old_limits, "time_limit_s": 3600}, sort_keys=True)
    assert version_hash(content) == hashlib.sha256((base + extra).encode()).hexdigest()
    gpu = TaskContent.model_validate({**CONTENT, "limits": {"gpus": 1}})
    assert version_hash(gpu) != version_hash(content)
    # Stored limits without the keys read back as a CPU task.
    assert stored_limits(old_limits) == ResourceLimits() and stored_limits(None).gpus == 0


def test_the_operator_maximum_covers_gpus() -> None:
    maxima = Settings(task_max_gpus=1).task_maxima()
    found = dict(over_maxima(Resources(gpus=2), 60, maxima))
    assert "HORIZON_TASK_MAX_GPUS" in found["gpus"]
    assert over_maxima(Resources(gpus=1), 60, maxima) == []
    assert Settings().task_maxima().gpus == 8


def test_routing_sends_managed_models_and_gpu_tasks_to_the_gpu_queue() -> None:
    assert run_queue(False, Resources()) == "runs"
    assert run_queue(False, Resources(gpus=1)) == "gpu"
    assert run_queue(True, Resources()) == "gpu"


def test_task_yaml_carries_gpus(tmp_path: Path) -> None:
    spec = task_folder_spec()
    spec["resources"] = {**spec["resources"], "gpus": 2, "gpu_memory_mb": 24576}
    folder = make_task_folder(tmp_path, spec=spec)
    assert validate_task_folder(folder) == []
    limits = load_task_folder(folder).limits
    assert (limits.gpus, limits.gpu_memory_mb) == (2, 24576)


@pytest.mark.parametrize(
    ("resources", "words"),
    [
        ({"gpus": -1}, "at least 0"),
        ({"gpus": 100}, "at most 8"),
        ({"gpus": "one"}, "wrong type"),
        ({"gpu_memory_mb": 8192}, "set gpus too"),
    ],
)
def test_task_yaml_refuses_bad_gpus(tmp_path: Path, resources: dict[str, Any], words: str) -> None:
    spec = task_folder_spec()
    spec["resources"] = {**spec["resources"], **resources}
    folder = make_task_folder(tmp_path)
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    problems = validate_task_folder(folder)
    assert problems and any(words in p.message for p in problems), problems
