"""Inspect eval logs in: real logs (written by inspect_ai on its mock model) read, stored as runs
of an external agent, idempotently, and fitted; hostile logs and mapping files refused whole."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.importers.common import ImportProblem
from core.importers.eval_archive import MAX_MEMBER_BYTES
from core.importers.inspect_log import InspectLog, read_inspect_log, score_value
from core.importers.sample_map import SampleMapping, parse_sample_map
from core.models import Agent, AnalysisResult, Run, Task
from core.schemas import AnalysisRequest
from core.services.analyses import gather_inputs, request_analysis
from core.services.inspect_import import InspectImportOptions, binarize, import_inspect_log
from tests.factories import make_agent, make_task
from tests.support.inspect_logs import AGENT, PROBE_SAMPLES, SampleSpec, write_log

MAX_BYTES = 40 * 1024 * 1024


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inspect-logs")
    return {
        "eval": write_log(folder, PROBE_SAMPLES, epochs=2),
        "json": write_log(folder, PROBE_SAMPLES, epochs=2, log_format="json"),
        "numbered": write_log(folder, [SampleSpec(1, (True,)), SampleSpec(2, (False,))]),
        "mixed": write_log(
            folder,
            [
                SampleSpec("mix/a", fraction=0.8),
                SampleSpec("mix/b", fraction=0.3),
                SampleSpec("mix/c", fails=True),
            ],
            scorers=("match", "fraction"),
        ),
    }


def _read(path: Path, scorer: str | None = None) -> InspectLog:
    return read_inspect_log(path, max_bytes=MAX_BYTES, scorer=scorer)


def _import(log: InspectLog, mapping: dict[str, SampleMapping] | None = None, **options: object):  # type: ignore[no-untyped-def]
    with session_scope() as s:
        return import_inspect_log(s, log, mapping, InspectImportOptions(**options))  # type: ignore[arg-type]


def _count(entity: type) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(entity)) or 0


def test_eval_and_json_logs_read_alike(logs: dict[str, Path]) -> None:
    archive, plain = _read(logs["eval"]), _read(logs["json"])
    assert archive.eval_id != plain.eval_id
    for log in (archive, plain):
        assert (log.model, log.solver, log.scorer, log.task, log.task_version) == (
            "mockllm/model",
            "generate",
            "match",
            "horizon_probe",
            "2",
        )
        assert log.inspect_version and log.errored == log.unscored == 0
    outcomes = sorted((s.sample_id, s.score, s.human_minutes) for s in archive.samples)
    assert outcomes == sorted((s.sample_id, s.score, s.human_minutes) for s in plain.samples)
    assert len(outcomes) == 12 and sum(s.score for s in archive.samples) == 6


def test_import_is_idempotent_and_a_horizon_is_fitted_from_inspect_logs_alone(
    db: str, logs: dict[str, Path]
) -> None:
    log = _read(logs["eval"])
    first = _import(log)
    again = _import(log, source="another name for the same log")
    assert (first.runs_added, first.tasks_added, first.human_times_added, first.agent_added) == (
        12,
        6,
        6,
        True,
    )
    assert (again.runs_added, again.runs_already_present, again.tasks_added) == (0, 12, 0)
    assert first.agent == AGENT and first.tasks_without_human_time == 0
    assert _import(_read(logs["json"])).runs_added == 12  # another eval: its own runs
    with session_scope() as s:
        agent = s.scalar(select(Agent).where(Agent.name == AGENT))
        assert agent is not None and agent.scaffold == "external"
        assert agent.settings == {"imported_from": "inspect", "model": "mockllm/model", "solver": "generate"}
        run = s.scalar(select(Run).where(Run.task_id == "probe/t3", Run.repeat_index == 1).limit(1))
        assert run is not None and run.status == "completed" and run.attempt == 1
        details = run.import_details or {}
        assert details["scorer"] == "match" and details["task_version"] == "2"
        assert details["inspect_version"] and details["eval_id"] in {log.eval_id, _read(logs["json"]).eval_id}
        task = s.get(Task, "probe/t4")
        assert task is not None and task.human_minutes == 8 and task.human_minutes_source == "estimate"
    assert _count(Run) == 24

    from core.queue import forget_pending_jobs
    from workers.analysis_job import run_fit

    with session_scope() as s:
        analysis_id = request_analysis(s, AnalysisRequest(bootstrap=20)).id
        forget_pending_jobs(s)
    assert run_fit(analysis_id) == "done"
    with session_scope() as s:
        row = s.get(AnalysisResult, analysis_id)
        assert row is not None and row.result is not None and row.n_runs == 24
        (fitted,) = row.result["agents"]
    assert fitted["agent"] == AGENT and 2 < fitted["p50"] < 16


def test_bare_numbered_samples_need_a_mapping_and_missing_human_times_are_never_made_up(
    db: str, logs: dict[str, Path]
) -> None:
    log = _read(logs["numbered"])
    with pytest.raises(ImportProblem, match="bare number.*mapping file"):
        _import(log)
    assert _count(Run) == _count(Task) == _count(Agent) == 0

    partial = parse_sample_map(
        b"sample_id,task_id,task_family,human_minutes\n1,quiz/one,quiz,5\n2,quiz/two,quiz,\n"
    )
    summary = _import(log, partial)
    assert (summary.runs_added, summary.tasks_added, summary.human_times_added) == (2, 2, 1)
    assert summary.tasks_without_human_time == 1 and summary.tasks_without_human_time_listed == ["quiz/two"]
    assert summary.runs_without_human_time == 1
    with session_scope() as s:
        frame = gather_inputs(s, AnalysisRequest()).frame
        assert list(frame["task_id"]) == ["quiz/one"]  # stored, but not fitted
        task = s.get(Task, "quiz/two")
        assert task is not None and task.human_minutes is None and task.family_id == "quiz"

    # The same log again with the missing time: no run added, the task gets its human time.
    full = parse_sample_map(
        b"sample_id,task_id,human_minutes,human_source\n1,quiz/one,50,baseline\n2,quiz/two,7,baseline\n"
    )
    again = _import(log, full)
    assert (again.runs_added, again.human_times_added, again.tasks_without_human_time) == (0, 1, 0)
    with session_scope() as s:
        one, two = s.get(Task, "quiz/one"), s.get(Task, "quiz/two")
        assert one is not None and one.human_minutes == 5  # a task's own time is never replaced
        assert two is not None and two.human_minutes_source == "baseline"
        assert two.human_minutes == pytest.approx(7)  # a geometric mean of one, to the last bit


def test_scorer_choice_threshold_and_skipped_samples(db: str, logs: dict[str, Path]) -> None:
    with pytest.raises(ImportProblem, match=r"several scorers \(match, fraction\).*--scorer"):
        _read(logs["mixed"])
    with pytest.raises(ImportProblem, match="no sample has a score from 'exact'"):
        _read(logs["mixed"], "exact")
    log = _read(logs["mixed"], "fraction")
    assert (log.errored, log.unscored, len(log.samples)) == (1, 0, 2)  # mix/c failed: not the model's doing
    summary = _import(log, threshold=0.5, agent="mock via fractions")
    assert summary.runs_added == 2 and summary.samples_errored == 1
    with session_scope() as s:
        scores = dict(s.execute(select(Run.task_id, Run.score_binarized)).tuples().all())
        cont = dict(s.execute(select(Run.task_id, Run.score_cont)).tuples().all())
    assert scores == {"mix/a": 1, "mix/b": 0} and cont == {"mix/a": 0.8, "mix/b": 0.3}
    assert binarize(1.0, 1.0) == 1 and binarize(0.999, 1.0) == 0
    with pytest.raises(ImportProblem, match="threshold"):
        _import(log, threshold=0.0)


def test_an_existing_task_is_used_and_an_own_agent_is_never_given_imported_runs(
    db: str, logs: dict[str, Path]
) -> None:
    make_task("probe/t1", family="probe")  # an author's 5-minute estimate
    make_agent("mine", scaffold="oracle")
    log = _read(logs["eval"])
    with pytest.raises(ImportProblem, match="one of Horizon's own agents"):
        _import(log, agent="mine")
    assert _count(Run) == 0
    summary = _import(log)
    assert summary.tasks_added == 5  # probe/t1 was there already
    with session_scope() as s:
        task = s.get(Task, "probe/t1")
        assert task is not None and task.human_minutes == 5 and "imported" not in task.tags


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, 1.0), (False, 0.0), (1, 1.0), (0.25, 0.25), ("C", 1.0), ("I", 0.0), ("P", 0.5), ("N", 0.0)],
)
def test_score_values(value: object, expected: float) -> None:
    assert score_value(value, "x")[0] == expected


@pytest.mark.parametrize("value", [1.5, -0.1, float("nan"), "correct", {"a": 1}, [1], None])
def test_other_score_values_are_refused(value: object) -> None:
    with pytest.raises(ImportProblem, match="x is"):
        score_value(value, "x")


# ---------------------------------------------------------------- hostile files


def _zip_with_header(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bomb.eval"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("header.json", data)
    return path


def test_a_member_declared_too_large_is_refused_before_inflating(tmp_path: Path) -> None:
    path = _zip_with_header(tmp_path, b" " * (MAX_MEMBER_BYTES + 1))
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportProblem, match="inflates past the bound"):
        _read(path)


def test_a_member_that_inflates_past_its_declared_size_is_cut_off(tmp_path: Path) -> None:
    # 200 MB of spaces declared as 100 bytes: inspect_ai would inflate it whole.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    raw = b"".join(compressor.compress(chunk) for _ in range(200)) + compressor.flush()
    path = tmp_path / "liar.eval"
    name = b"header.json"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(raw), 100, len(name), 0)
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        0,
        len(raw),
        100,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    offset = len(local) + len(name) + len(raw)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), offset, 0)
    path.write_bytes(local + name + raw + central + name + end)
    with pytest.raises(ImportProblem, match="inflates past its declared size"):
        _read(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 this is no archive", "not a readable zip archive"),
        (b'{"not": "a log"}', "not a readable Inspect log"),
        (b"{" * 100_000, "not a readable Inspect log"),
        (b"sample_id,score\n1,1\n", "neither an Inspect .eval archive nor a .json log"),
        (b"", "neither"),
    ],
)
def test_malformed_logs_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "log.eval"
    path.write_bytes(content)
    with pytest.raises(ImportProblem, match=message):
        _read(path)


def test_logs_past_the_bounds_are_refused(
    tmp_path: Path, logs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ImportProblem, match="at most 1,000 are accepted"):
        read_inspect_log(logs["eval"], max_bytes=1000)
    monkeypatch.setattr("core.importers.inspect_log.MAX_SAMPLES", 11)
    with pytest.raises(ImportProblem, match="at most 11 are imported"):
        _read(logs["json"])
    truncated = tmp_path / "cut.eval"
    truncated.write_bytes(logs["eval"].read_bytes()[:-200])
    with pytest.raises(ImportProblem, match="not a readable"):
        _read(truncated)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"task_id\nx\n", "must name sample_id"),
        (b"sample_id,tsak_id\n1,x\n", "unknown: 'tsak_id'"),
        (b"sample_id,task_id\n1,../etc\n", "line 2: task_id '../etc' is not a task id"),
        (b"sample_id,task_id\n1,a\n1,b\n", "line 3: sample '1' is mapped twice"),
        (b"sample_id,human_minutes\n1,0\n", "human time must be between"),
        (b"sample_id,human_minutes\n1,lots\n", "is not a number"),
        (b"sample_id,human_source\n1,timed\n", "human_source must be estimate or baseline"),
        (b"sample_id,task_id\n1,a,extra\n", "more values than the header"),
        (b"sample_id\n\xff\xfe\n", "not UTF-8"),
        (b"sample_id\n" + b"x" * (5 * 1024 * 1024), "larger than 4 MiB"),
    ],
)
def test_bad_mapping_files_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(ImportProblem, match=message):
        parse_sample_map(content)
