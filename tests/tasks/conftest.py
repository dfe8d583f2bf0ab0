"""Fixtures for the tests of the bundled suite (tasks/).

`docker_backend` (shared with the worker tests) skips with the reason when no Docker daemon or base
image is available. Tests marked `suite` (the whole bundled suite in Docker, minutes) only run when
selected with `-m suite` or with HORIZON_TEST_WHOLE_SUITE=1 (as CI does).
"""

from __future__ import annotations

import os

import pytest

from tests.workers.conftest import docker_backend, docker_instance  # noqa: F401 - fixtures


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI sets HORIZON_TEST_WHOLE_SUITE=1 to check every bundled task in Docker.
    if "suite" in (config.getoption("markexpr", default="") or "") or os.environ.get(
        "HORIZON_TEST_WHOLE_SUITE"
    ):
        return
    skip = pytest.mark.skip(reason="whole-suite Docker check: select it with -m suite")
    for item in items:
        if "suite" in item.keywords:
            item.add_marker(skip)
