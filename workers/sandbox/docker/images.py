"""Container images built offline: the Debian base image and one image per task environment.

There is no container registry. The base image is a `debootstrap --variant=minbase` root
filesystem (cached as a tarball) imported with `docker import` as `horizon-base:<recipe hash>` and
tagged `horizon-base:latest`. A task environment's Dockerfile builds on it (`FROM horizon-base`)
and is tagged `horizon-task:<content hash>`, so the same environment is built once.

The Debian mirror is read from the host's apt sources at run time (or `HORIZON_DEBIAN_MIRROR`); no
mirror is written into the repository.

The command line is `horizon images build-base [--rebuild]` (`cli/images.py`), which
`scripts/build_base_image.sh` calls.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import docker
import docker.errors

from core.importers.verifier_prelude import WHEELHOUSE_CONTEXT
from core.taskspec import EnvironmentSpec
from workers.sandbox.base import ImageBuildError, SandboxError
from workers.sandbox.docker.client import docker_client

BASE_REPOSITORY = "horizon-base"
TASK_REPOSITORY = "horizon-task"
DEBIAN_SUITE = "bookworm"
# Small but usable for shell tasks. minbase already brings bash, coreutils, grep, sed, findutils,
# diffutils, tar, gzip and mawk (Priority: required).
BASE_PACKAGES = (
    "python3",
    "ca-certificates",
    "procps",
    "patch",
    "bc",
    "file",
    "xz-utils",
)
# Bump when the root filesystem customisation below changes: it is part of the image hash.
BASE_RECIPE_VERSION = 1
AGENT_USER = "agent"
AGENT_UID = 1000
AGENT_HOME = "/home/agent"
# Task images keep a copy of their work directory here: sandboxes mount a fresh tmpfs over the work
# directory (to bound its size) and unpack this snapshot into it at start.
WORKDIR_SNAPSHOT = "/opt/horizon/workdir.tar"
WORKDIR_SNAPSHOT_LABEL = "horizon.workdir_snapshot"
# 2: builds run with no network. Images built on the host network (1) are not reused: a RUN step
# there could have copied what it read from the host's services into the image.
TASK_RECIPE_VERSION = 2
BUILD_DOCKERFILE_NAME = ".horizon.Dockerfile"
LOG_TAIL_CHARS = 4000


def repo_root() -> Path:
    """The repository's root folder (this file lives in `workers/sandbox/docker/`)."""
    return Path(__file__).resolve().parents[3]


def cache_dir() -> Path:
    """Where root filesystem tarballs and build locks are kept (`HORIZON_CACHE_DIR`, default `.cache/`)."""
    configured = os.environ.get("HORIZON_CACHE_DIR")
    path = Path(configured) if configured else repo_root() / ".cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- Debian mirror ------------------------------------------------------------------------------


def _mirrors_from_one_line_format(text: str) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        # Drop an options block such as [arch=amd64 signed-by=...].
        line = re.sub(r"\[[^\]]*\]", " ", line)
        parts = line.split()
        if len(parts) >= 3:
            found.append((parts[1], [parts[2]]))
    return found


def _mirrors_from_deb822(text: str) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for raw in stanza.splitlines():
            if raw.lstrip().startswith("#") or ":" not in raw:
                continue
            key, value = raw.split(":", 1)
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
            continue
        suites = fields.get("suites", "").split()
        for uri in fields.get("uris", "").split():
            found.append((uri, suites))
    return found


def debian_mirror(apt_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror URL to debootstrap from.

    `HORIZON_DEBIAN_MIRROR` wins; otherwise the first source in the host's apt configuration that
    serves the plain suite (not -security or -updates) is used.
    """
    override = os.environ.get("HORIZON_DEBIAN_MIRROR")
    if override:
        return override.rstrip("/")
    candidates: list[tuple[str, list[str]]] = []
    one_line = apt_dir / "sources.list"
    if one_line.is_file():
        candidates += _mirrors_from_one_line_format(one_line.read_text(errors="replace"))
    parts_dir = apt_dir / "sources.list.d"
    if parts_dir.is_dir():
        for path in sorted(parts_dir.iterdir()):
            if path.suffix == ".sources":
                candidates += _mirrors_from_deb822(path.read_text(errors="replace"))
            elif path.suffix == ".list":
                candidates += _mirrors_from_one_line_format(path.read_text(errors="replace"))
    for uri, suites in candidates:
        if DEBIAN_SUITE in suites and uri.startswith(("http://", "https://")):
            return uri.rstrip("/")
    raise ImageBuildError(
        f"no apt source for Debian {DEBIAN_SUITE} found under {apt_dir}; set HORIZON_DEBIAN_MIRROR"
    )


# --- helpers ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _file_lock(name: str) -> Iterator[None]:
    """An exclusive lock shared by threads and processes on this machine (builds are not repeated)."""
    lock_dir = cache_dir() / "locks"
    lock_dir.mkdir(exist_ok=True)
    with open(lock_dir / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail(text: str, limit: int = LOG_TAIL_CHARS) -> str:
    return text if len(text) <= limit else "..." + text[-limit:]


def _image_exists(client: docker.DockerClient, ref: str) -> bool:
    try:
        client.images.get(ref)
    except docker.errors.ImageNotFound:
        return False
    except docker.errors.APIError as exc:
        raise SandboxError(f"docker image inspect {ref} failed: {exc}") from exc
    return True


# --- base image ---------------------------------------------------------------------------------


def base_recipe_hash() -> str:
    """A short hash of everything that defines the base image (not the mirror: same content)."""
    recipe = {
        "suite": DEBIAN_SUITE,
        "variant": "minbase",
        "packages": sorted(BASE_PACKAGES),
        "version": BASE_RECIPE_VERSION,
        "agent": [AGENT_USER, AGENT_UID, AGENT_HOME],
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def base_image_tag() -> str:
    """The base image's tag, which changes whenever its recipe does."""
    return f"{BASE_REPOSITORY}:{base_recipe_hash()}"


def _add_agent_user(rootfs: Path) -> None:
    """Create the unprivileged `agent` user (uid 1000) by editing the account files directly."""
    entries = {
        "etc/passwd": f"{AGENT_USER}:x:{AGENT_UID}:{AGENT_UID}:{AGENT_USER}:{AGENT_HOME}:/bin/bash\n",
        "etc/group": f"{AGENT_USER}:x:{AGENT_UID}:\n",
        "etc/shadow": f"{AGENT_USER}:*:19000:0:99999:7:::\n",
        "etc/gshadow": f"{AGENT_USER}:!::\n",
    }
    for relative, line in entries.items():
        path = rootfs / relative
        existing = path.read_text() if path.exists() else ""
        if not any(row.startswith(f"{AGENT_USER}:") for row in existing.splitlines()):
            path.write_text(existing + ("" if existing.endswith("\n") or not existing else "\n") + line)
    home = rootfs / AGENT_HOME.lstrip("/")
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, AGENT_UID, AGENT_UID)
    home.chmod(0o755)


def _customise_rootfs(rootfs: Path) -> None:
    _add_agent_user(rootfs)
    # Mount points for the sandbox's tmpfs mounts (created here so nothing is made at run time).
    for mount_point in ("scorer", "solution", "opt/horizon"):
        (rootfs / mount_point).mkdir(parents=True, exist_ok=True)
    # Package caches make the image bigger and are useless offline.
    for pattern in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*_Packages", "var/log/*.log"):
        for path in rootfs.glob(pattern):
            path.unlink(missing_ok=True)


def build_rootfs_tarball(dest: Path, mirror: str | None = None, log: Any = print) -> Path:
    """debootstrap the base root filesystem and pack it as a tar file at `dest` (atomic)."""
    if os.geteuid() != 0:
        raise ImageBuildError("debootstrap needs root to build the base root filesystem")
    if shutil.which("debootstrap") is None:
        raise ImageBuildError("debootstrap is not installed (scripts/start_dockerd.sh installs it)")
    mirror = mirror or debian_mirror()
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=dest.parent))
    rootfs = work / "rootfs"
    log_path = dest.parent / "debootstrap.log"
    command = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(BASE_PACKAGES)}",
        DEBIAN_SUITE,
        str(rootfs),
        mirror,
    ]
    try:
        log(f"debootstrap {DEBIAN_SUITE} with {len(BASE_PACKAGES)} extra packages ...")
        with open(log_path, "w") as log_file:
            done = subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            raise ImageBuildError(
                f"debootstrap failed with exit code {done.returncode}:\n"
                f"{_tail(log_path.read_text(errors='replace'))}"
            )
        _customise_rootfs(rootfs)
        partial = dest.with_suffix(".partial")
        subprocess.run(
            ["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(partial), "."],
            check=True,
        )
        partial.replace(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def ensure_base_image(
    client: docker.DockerClient | None = None,
    *,
    rebuild_rootfs: bool = False,
    log: Any = None,
) -> str:
    """Make sure `horizon-base:<hash>` exists (and `:latest` points to it); return its tag.

    Cheap when the image exists; imports the cached tarball when only that exists; otherwise runs
    debootstrap (about a minute, needs root).
    """
    log = log or (lambda _msg: None)
    client = client or docker_client()
    tag = base_image_tag()
    if not rebuild_rootfs and _image_exists(client, tag):
        _tag_latest(client, tag)
        return tag
    with _file_lock("base-image"):
        if not rebuild_rootfs and _image_exists(client, tag):
            _tag_latest(client, tag)
            return tag
        tarball = cache_dir() / "base" / f"rootfs-{base_recipe_hash()}.tar"
        if rebuild_rootfs or not tarball.exists():
            build_rootfs_tarball(tarball, log=log)
        log(f"docker import {tarball.name} as {tag}")
        changes = [
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV LANG=C.UTF-8",
            f"ENV HOME={AGENT_HOME}",
            f"WORKDIR {AGENT_HOME}",
            'CMD ["/bin/bash"]',
            f"LABEL horizon.managed=1 horizon.base_recipe={base_recipe_hash()}",
        ]
        repository, version = tag.split(":")
        try:
            client.api.import_image_from_file(
                str(tarball), repository=repository, tag=version, changes=changes
            )
        except docker.errors.APIError as exc:
            raise ImageBuildError(f"docker import of {tarball} failed: {exc}") from exc
        _tag_latest(client, tag)
    return tag


def _tag_latest(client: docker.DockerClient, tag: str) -> None:
    try:
        image = client.images.get(tag)
        if f"{BASE_REPOSITORY}:latest" not in image.tags:
            image.tag(BASE_REPOSITORY, "latest")
    except docker.errors.APIError as exc:
        raise SandboxError(f"tagging {tag} as latest failed: {exc}") from exc


# --- the operator wheelhouse (agent layers, imported verifiers) ------------------------------

WHEELHOUSE_ENV = "HORIZON_AGENT_WHEELHOUSE"
# The wheelhouse is copied into builds that use it: bounded so a wrong folder (a home directory)
# fails with a clear message instead of filling the disk.
MAX_CONTEXT_BYTES = 4 * 1024**3
MAX_CONTEXT_FILES = 100_000


def wheelhouse_dir() -> Path:
    """The operator's folder of wheels and other build inputs for agent layers."""
    configured = os.environ.get(WHEELHOUSE_ENV, "").strip()
    return Path(configured) if configured else cache_dir() / "wheelhouse"


def context_listing(folder: Path) -> list[tuple[str, int]]:
    """The regular files under `folder` (relative path, size), sorted; links are skipped.

    Raises ImageBuildError when the folder is past MAX_CONTEXT_BYTES or MAX_CONTEXT_FILES."""
    if not folder.is_dir():
        return []
    found: list[tuple[str, int]] = []
    total = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(root, d)))
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            size = path.stat().st_size
            total += size
            found.append((str(path.relative_to(folder)), size))
            if total > MAX_CONTEXT_BYTES or len(found) > MAX_CONTEXT_FILES:
                raise ImageBuildError(
                    f"the agent wheelhouse {folder} holds more than {MAX_CONTEXT_BYTES // 1024**3} GiB "
                    f"or {MAX_CONTEXT_FILES:,} files; point {WHEELHOUSE_ENV} at a folder of build inputs only"
                )
    return found


# --- task images --------------------------------------------------------------------------------


def _snapshot_steps(workdir: str) -> str:
    # Appended to the author's Dockerfile: keep what the build put in the work directory, because
    # the sandbox mounts a size-bounded tmpfs over it. Ownership is kept (-p on extraction).
    return (
        "\n# added by Horizon: snapshot the work directory for the sandbox's tmpfs\n"
        "USER root\n"
        f"RUN mkdir -p {workdir} /opt/horizon && tar --numeric-owner -C {workdir} -cf {WORKDIR_SNAPSHOT} .\n"
        f'LABEL {WORKDIR_SNAPSHOT_LABEL}="{workdir}"\n'
    )


# A task Dockerfile that copies this folder gets the operator's wheelhouse in its build context
# (imported Harbor verifiers install their pinned pytest plugins from it, offline).
_USES_WHEELHOUSE = re.compile(rf"^\s*COPY\s+{re.escape(WHEELHOUSE_CONTEXT)}/", re.IGNORECASE | re.MULTILINE)


def wheelhouse_listing(env: EnvironmentSpec) -> list[tuple[str, int]]:
    """The wheelhouse files the build of `env` gets: none unless its Dockerfile copies them."""
    if not env.dockerfile or not _USES_WHEELHOUSE.search(env.dockerfile):
        return []
    listing = context_listing(wheelhouse_dir())
    if not listing:
        raise ImageBuildError(
            f"the task's Dockerfile installs tools from the operator's wheelhouse, but {wheelhouse_dir()} "
            "is empty; fill it (scripts/build_agent_wheelhouse.sh) or set HORIZON_AGENT_WHEELHOUSE"
        )
    return listing


def task_image_hash(
    env: EnvironmentSpec, base_image_id: str, wheelhouse: Sequence[tuple[str, int]] = ()
) -> str:
    """Content hash of a task environment on a given base image (same inputs -> same image)."""
    payload: dict[str, Any] = {
        "dockerfile": env.dockerfile,
        "files": env.files,
        "workdir": env.workdir,
        "base": base_image_id,
        "recipe": TASK_RECIPE_VERSION,
    }
    if wheelhouse:  # absent otherwise, so existing images keep their tags
        payload["wheelhouse"] = list(wheelhouse)
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def _write_build_context(out: IO[bytes], env: EnvironmentSpec, wheelhouse: Sequence[tuple[str, int]]) -> None:
    with tarfile.open(fileobj=out, mode="w") as tar:
        dockerfile = (env.dockerfile or "") + _snapshot_steps(env.workdir)
        entries = {**env.files, BUILD_DOCKERFILE_NAME: dockerfile}
        for name, text in sorted(entries.items()):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if text.startswith("#!") else 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
        if wheelhouse:
            folder = wheelhouse_dir()
            for relative, _ in wheelhouse:
                tar.add(folder / relative, arcname=f"{WHEELHOUSE_CONTEXT}/{relative}", recursive=False)


def _build_timeout_s() -> int:
    return int(os.environ.get("HORIZON_IMAGE_BUILD_TIMEOUT_S", "1800"))


BUILD_NETWORK_ENV = "HORIZON_BUILD_NETWORK"


def build_network() -> str:
    """The network a task Dockerfile's RUN steps get: `none` (loopback only) unless the operator
    names a Docker network in `HORIZON_BUILD_NETWORK`.

    Task Dockerfiles are untrusted. On the host's network a RUN step reached every service bound to
    127.0.0.1 (PostgreSQL with trust auth, Redis, the API); with `none` it reaches nothing. Modes
    that share another network namespace (`host`, `container:<id>`) are refused outright; an
    operator-made network must not route to the host's services either (docs/security.md).
    """
    name = os.environ.get(BUILD_NETWORK_ENV, "").strip() or "none"
    if name == "host" or name.startswith("container:"):
        raise ImageBuildError(
            f"{BUILD_NETWORK_ENV}={name!r} would let task builds reach this host's services; "
            "use 'none' (the default) or a Docker network that cannot reach the host"
        )
    return name


def ensure_task_image(
    env: EnvironmentSpec,
    client: docker.DockerClient | None = None,
    *,
    docker_host: str | None = None,
) -> str:
    """Return the image tag to run `env` in, building it when it is not cached yet.

    No dockerfile: the base image. Otherwise the Dockerfile (with `FROM horizon-base`) is built
    with the environment's files as context and no network (`build_network`): nothing a build
    needs is fetched (the base image is local and there is no registry), and an untrusted RUN step
    must not reach the host. Tagged `horizon-task:<content hash>`. Raises ImageBuildError with the
    log tail on failure.
    """
    client = client or docker_client(docker_host)
    base_tag = ensure_base_image(client)
    if env.dockerfile is None:
        return base_tag
    base_id = client.images.get(base_tag).id
    wheelhouse = wheelhouse_listing(env)
    tag = f"{TASK_REPOSITORY}:{task_image_hash(env, base_id, wheelhouse)}"
    if _image_exists(client, tag):
        return tag
    with _file_lock(f"task-{tag.split(':')[1]}"):
        if _image_exists(client, tag):
            return tag
        _build(client, env, tag, wheelhouse)
    return tag


def _build(
    client: docker.DockerClient, env: EnvironmentSpec, tag: str, wheelhouse: Sequence[tuple[str, int]] = ()
) -> None:
    # A temporary file, not memory: the wheelhouse can be large.
    with tempfile.TemporaryFile() as context:
        _write_build_context(context, env, wheelhouse)
        context.seek(0)
        build_image(client, context, tag)


def build_image(client: docker.DockerClient, context: IO[bytes], tag: str) -> None:
    """Build the tar build `context` (its Dockerfile named BUILD_DOCKERFILE_NAME) as `tag`, on the
    build network (`build_network`: none by default), pulling nothing. Raises ImageBuildError with
    the log tail on failure."""
    network = build_network()
    log_lines: list[str] = []
    try:
        for chunk in client.api.build(
            fileobj=context,
            custom_context=True,
            dockerfile=BUILD_DOCKERFILE_NAME,
            tag=tag,
            rm=True,
            forcerm=True,
            pull=False,
            network_mode=network,
            labels={"horizon.managed": "1"},
            decode=True,
            timeout=_build_timeout_s(),  # steps may print nothing for minutes
        ):
            if "stream" in chunk:
                log_lines.append(str(chunk["stream"]))
            if "error" in chunk:
                log_lines.append(str(chunk["error"]))
                raise ImageBuildError(
                    f"building {tag} failed: {chunk['error'].strip()}\n"
                    f"--- build log tail ---\n{_tail(''.join(log_lines))}"
                )
    except docker.errors.APIError as exc:
        raise ImageBuildError(
            f"building {tag} failed: {exc}\n--- build log tail ---\n{_tail(''.join(log_lines))}"
        ) from exc
    except ImageBuildError:
        raise
    except Exception as exc:  # connection dropped, read timeout
        raise ImageBuildError(
            f"building {tag} failed: {type(exc).__name__}: {exc}\n"
            f"--- build log tail ---\n{_tail(''.join(log_lines))}"
        ) from exc
    if not _image_exists(client, tag):
        raise ImageBuildError(f"build of {tag} ended without an image:\n{_tail(''.join(log_lines))}")
