"""Fixtures for the core tests: the Docker backend (shared with the worker tests) for the importer
tests that run imported tasks for real."""

from tests.workers.conftest import docker_backend, docker_instance  # noqa: F401 - fixtures
