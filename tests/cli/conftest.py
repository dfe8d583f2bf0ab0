"""Fixtures for the `horizon` command tests: METR's reference data (from the analysis tests) and
Docker sandboxes (from the worker tests), each skipping with its reason when absent."""

from tests.analysis.conftest import metr_dir  # noqa: F401 - fixture
from tests.workers.conftest import docker_backend, docker_instance  # noqa: F401 - fixtures
