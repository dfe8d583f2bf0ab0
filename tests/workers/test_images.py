"""Offline images: the Debian mirror from apt sources, the base image, task images cached by hash."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from core.taskspec import EnvironmentSpec
from workers.sandbox.base import ImageBuildError
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import (
    AGENT_UID,
    TASK_REPOSITORY,
    base_image_tag,
    debian_mirror,
    ensure_base_image,
    ensure_task_image,
)

from .conftest import SMALL_LIMITS

# --- mirror discovery (no daemon needed) --------------------------------------------------------


def _apt_dir(tmp_path: Path, one_line: str | None = None, parts: dict[str, str] | None = None) -> Path:
    apt = tmp_path / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    if one_line is not None:
        (apt / "sources.list").write_text(one_line)
    for name, text in (parts or {}).items():
        (apt / "sources.list.d" / name).write_text(text)
    return apt


def test_mirror_from_deb822_sources_skips_security_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HORIZON_DEBIAN_MIRROR", raising=False)
    apt = _apt_dir(
        tmp_path,
        parts={
            "a-security.sources": (
                "Types: deb\nURIs: http://security.example.test/debian-security\n"
                "Suites: bookworm-security\nComponents: main\n"
            ),
            "debian.sources": (
                "# comment\nTypes: deb deb-src\nURIs: http://mirror.example.test/debian/\n"
                "Suites: bookworm bookworm-updates\nComponents: main\n\n"
                "Types: deb\nURIs: http://other.example.test/debian\nSuites: bookworm\n"
            ),
        },
    )
    assert debian_mirror(apt) == "http://mirror.example.test/debian"


def test_mirror_from_one_line_sources_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HORIZON_DEBIAN_MIRROR", raising=False)
    apt = _apt_dir(
        tmp_path,
        one_line=(
            "# deb http://commented.example.test/debian bookworm main\n"
            "deb [arch=amd64 signed-by=/k.gpg] http://one.example.test/debian bookworm main contrib\n"
        ),
    )
    assert debian_mirror(apt) == "http://one.example.test/debian"


def test_mirror_override_and_missing_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apt = _apt_dir(tmp_path, one_line="deb http://x.example.test/ubuntu jammy main\n")
    monkeypatch.delenv("HORIZON_DEBIAN_MIRROR", raising=False)
    with pytest.raises(ImageBuildError, match="HORIZON_DEBIAN_MIRROR"):
        debian_mirror(apt)
    monkeypatch.setenv("HORIZON_DEBIAN_MIRROR", "http://override.example.test/debian/")
    assert debian_mirror(apt) == "http://override.example.test/debian"


# --- images on the daemon -----------------------------------------------------------------------


@pytest.mark.docker
def test_base_image_has_agent_user_python_and_latest_tag(
    docker_backend: DockerBackend, base_image: str
) -> None:
    client = docker_backend.client
    assert ensure_base_image(client) == base_image == base_image_tag()
    assert client.images.get("horizon-base:latest").id == client.images.get(base_image).id
    with docker_backend.create(
        base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=40, attempt=1
    ) as box:
        out = box.exec("id -u agent; getent passwd agent | cut -d: -f6; python3 -c 'print(6*7)'", 20)
    assert out.stdout.split() == [str(AGENT_UID), "/home/agent", "42"]


def _tag_events(docker_backend: DockerBackend, since: float, tag: str) -> list[dict[str, object]]:
    events = docker_backend.client.api.events(
        since=int(since), until=int(time.time()) + 1, filters={"type": "image", "event": "tag"}, decode=True
    )
    return [
        e
        for e in events
        if e.get("Actor", {}).get("Attributes", {}).get("name") == tag and e.get("timeNano", 0) >= since * 1e9
    ]


@pytest.mark.docker
def test_task_image_is_built_once_per_content_hash(docker_backend: DockerBackend) -> None:
    client = docker_backend.client
    nonce = secrets.token_hex(4)  # a fresh image for this session, so the first call really builds
    env = EnvironmentSpec(
        dockerfile=f"FROM horizon-base\nRUN echo {nonce} > /opt/nonce\nCOPY data.txt /home/agent/data.txt\n",
        files={"data.txt": "payload\n"},
    )
    try:
        started = time.time()
        tag = ensure_task_image(env, client)
        assert tag.startswith(f"{TASK_REPOSITORY}:")
        assert len(_tag_events(docker_backend, started, tag)) == 1

        second_started = time.time()
        assert ensure_task_image(env, client) == tag
        assert _tag_events(docker_backend, second_started, tag) == []  # nothing was built

        changed = env.model_copy(update={"files": {"data.txt": "other\n"}})
        other_tag = ensure_task_image(changed, client)
        assert other_tag != tag

        # The build put data.txt in the work directory; the sandbox's tmpfs work directory has it.
        with docker_backend.create(
            tag, limits=SMALL_LIMITS, workdir="/home/agent", run_id=41, attempt=1
        ) as box:
            assert box.read_file("/home/agent/data.txt") == "payload\n"
            assert box.read_file("/opt/nonce") == f"{nonce}\n"
            assert box.exec("echo new > mine.txt && stat -c %U . mine.txt", 10).stdout == "agent\nagent\n"
    finally:
        for t in (locals().get("tag"), locals().get("other_tag")):
            if t:
                client.images.remove(t, force=True)


@pytest.mark.docker
def test_image_entrypoint_and_user_do_not_change_the_sandbox(docker_backend: DockerBackend) -> None:
    env = EnvironmentSpec(
        dockerfile='FROM horizon-base\nWORKDIR /srv/app\nUSER nobody\nENTRYPOINT ["false"]\nCMD ["--x"]\n',
        workdir="/srv/app",
    )
    tag = ensure_task_image(env, docker_backend.client)
    with docker_backend.create(tag, limits=SMALL_LIMITS, workdir="/srv/app", run_id=42, attempt=1) as box:
        result = box.exec("id -un; pwd; touch mine && stat -c %U mine", timeout_s=10)
    assert result.stdout.split() == ["agent", "/srv/app", "agent"]


@pytest.mark.docker
def test_no_dockerfile_means_the_base_image(docker_backend: DockerBackend, base_image: str) -> None:
    assert ensure_task_image(EnvironmentSpec(files={"a.txt": "x"}), docker_backend.client) == base_image


@pytest.mark.docker
def test_broken_dockerfile_raises_image_build_error_with_log(docker_backend: DockerBackend) -> None:
    env = EnvironmentSpec(dockerfile=f"FROM horizon-base\nRUN echo step-{secrets.token_hex(3)} && exit 7\n")
    with pytest.raises(ImageBuildError) as info:
        ensure_task_image(env, docker_backend.client)
    message = str(info.value)
    assert "returned a non-zero code: 7" in message
    assert "--- build log tail ---" in message
    assert "step-" in message.split("--- build log tail ---")[1]
