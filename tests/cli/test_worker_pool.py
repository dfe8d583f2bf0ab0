"""`horizon worker` picks its Celery pool and concurrency: threads for runs, prefork for analyses."""

from __future__ import annotations

import pytest

from cli.worker_pool import celery_worker_argv, choose_pool, default_concurrency
from core.settings import Settings


def test_runs_get_threads_and_a_lone_analysis_queue_gets_processes() -> None:
    assert choose_pool("auto", {"default", "runs"}) == "threads"
    assert choose_pool("auto", {"gpu"}) == "threads"
    assert choose_pool("auto", {"analysis"}) == "prefork"
    # A worker of analyses and runs alike holds many runs: threads (the CLI warns about the mix).
    assert choose_pool("auto", {"analysis", "runs"}) == "threads"
    assert choose_pool("prefork", {"runs"}) == "prefork"
    assert choose_pool("threads", {"analysis"}) == "threads"
    with pytest.raises(ValueError, match="unknown pool 'gevent'"):
        choose_pool("gevent", {"runs"})


def test_default_concurrency_is_sized_to_the_host_memory() -> None:
    assert default_concurrency("threads", memory_mib=24 * 1024) == 32
    assert default_concurrency("threads", memory_mib=256 * 1024) == 32
    assert default_concurrency("threads", memory_mib=4 * 1024) == 8
    assert default_concurrency("threads", memory_mib=0) == 2
    assert default_concurrency("prefork", memory_mib=256 * 1024) == 2


def test_argv_takes_flags_over_settings_over_host_defaults() -> None:
    settings = Settings(worker_pool="auto", worker_concurrency=None)
    argv = celery_worker_argv(settings, "default, runs", loglevel="DEBUG")
    assert argv[:5] == ["worker", "-Q", "default,runs", "-P", "threads"]
    assert argv[5] == "-c" and int(argv[6]) == default_concurrency("threads")
    assert argv[7:] == ["-l", "DEBUG"]

    configured = Settings(worker_pool="prefork", worker_concurrency=6)
    assert celery_worker_argv(configured, "runs")[3:7] == ["-P", "prefork", "-c", "6"]
    assert celery_worker_argv(configured, "runs", pool="threads", concurrency=64)[3:7] == [
        "-P",
        "threads",
        "-c",
        "64",
    ]


def test_settings_refuse_an_unknown_pool_or_a_zero_concurrency() -> None:
    with pytest.raises(ValueError):
        Settings(worker_pool="gevent")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Settings(worker_concurrency=0)
