"""Agent layers: an in-sandbox agent's program built on top of a task image, offline.

The build context is the operator's wheelhouse folder (`HORIZON_AGENT_WHEELHOUSE`, default
`.cache/wheelhouse`: wheels, and any other files an agent's build steps need, such as an npm cache
or a Node.js tarball), and the build has the same network as task builds (`build_network`: none
unless the operator names one). The Dockerfile has two stages:

    FROM <task image> AS build         the context copied to /opt/horizon-agent/context; as the
                                       unprivileged agent user: `pip install --no-index
                                       --find-links <context> --target /opt/horizon-agent/python`,
                                       then the layer's own RUN/ENV/ARG/WORKDIR steps
    FROM <task image>                  only /opt/horizon-agent is copied over (the context removed)

so whatever the layer's steps do elsewhere is thrown away, and nothing of the task image (its
files, its python3, the scorer's tools) can be changed by an agent's layer: the scorer runs in the
same container afterwards. The program finds its packages on PATH and PYTHONPATH
(`AGENT_PATH_DIRS`, `AGENT_PYTHONPATH`), which only the program's own command gets. pip itself
comes from the wheelhouse too (a `pip-*.whl` runs from the wheel file); horizon-base has none.

Images are tagged `horizon-agent:<hash>` of the task image's id, the layer, a listing of the
wheelhouse (names and sizes) and the recipe version, so the same agent on the same task builds once.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shlex
import tarfile
import tempfile
from pathlib import Path
from typing import IO

import docker
import docker.errors

from workers.sandbox.base import AGENT_PATH_DIRS, AGENT_PREFIX, AGENT_PYTHONPATH, AgentLayer, ImageBuildError
from workers.sandbox.docker.client import api_error
from workers.sandbox.docker.images import (
    AGENT_UID,
    AGENT_USER,
    BUILD_DOCKERFILE_NAME,
    WHEELHOUSE_ENV,
    _file_lock,
    _image_exists,
    build_image,
    context_listing,
    wheelhouse_dir,
)

AGENT_REPOSITORY = "horizon-agent"
# Bump when the Dockerfile below changes: it is part of the image hash.
LAYER_RECIPE_VERSION = 1
_PIP_WHEEL = re.compile(r"^pip-(\d+(?:\.\d+)*)-py3-none-any\.whl$")


def pip_wheel(listing: list[tuple[str, int]]) -> str | None:
    """The newest pip wheel at the top of the wheelhouse (pip runs from its wheel file)."""
    versions = []
    for name, _ in listing:
        match = _PIP_WHEEL.match(name)
        if match:
            versions.append((tuple(int(p) for p in match.group(1).split(".")), name))
    return max(versions)[1] if versions else None


def layer_dockerfile(image: str, layer: AgentLayer, wheel: str | None) -> str:
    """The two-stage Dockerfile of `layer` on `image` (see the module docstring)."""
    context = f"{AGENT_PREFIX}/context"
    lines = [
        f"FROM {image} AS build",
        "USER root",
        f"COPY --chown={AGENT_UID}:{AGENT_UID} context {context}",
        f"RUN mkdir -p {AGENT_PREFIX}/bin {AGENT_PYTHONPATH}"
        f" && chown -R {AGENT_UID}:{AGENT_UID} {AGENT_PREFIX}",
        f"USER {AGENT_USER}",
        f"ENV HOME=/tmp PYTHONPATH={AGENT_PYTHONPATH}"
        f" PATH={':'.join(AGENT_PATH_DIRS)}:/usr/local/bin:/usr/bin:/bin",
    ]
    if layer.pip:
        requirements = " ".join(shlex.quote(r) for r in layer.pip)
        lines.append(
            f"RUN python3 {context}/{wheel}/pip install --no-index --find-links {context} "
            f"--target {AGENT_PYTHONPATH} --no-cache-dir --disable-pip-version-check "
            f"--no-warn-script-location {requirements}"
        )
    if layer.dockerfile.strip():
        lines.append("# the agent's own steps")
        lines.append(layer.dockerfile.strip())
    lines += [
        f"RUN rm -rf {context}",
        f"FROM {image}",
        f"COPY --from=build {AGENT_PREFIX} {AGENT_PREFIX}",
        "USER root",
    ]
    return "\n".join(lines) + "\n"


def agent_image_hash(image_id: str, layer: AgentLayer, listing: list[tuple[str, int]]) -> str:
    """Content hash of a layer on a task image with a given wheelhouse (same inputs, same image)."""
    payload = {
        "image": image_id,
        "pip": list(layer.pip),
        "dockerfile": layer.dockerfile,
        "context": listing,
        "recipe": LAYER_RECIPE_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def ensure_agent_image(client: docker.DockerClient, image: str, layer: AgentLayer) -> str:
    """Return the tag of `layer` built on `image`, building it when it is not cached yet.

    Raises ImageBuildError (with the log tail) when the build fails or its inputs are missing."""
    try:
        image_id = client.images.get(image).id
    except docker.errors.ImageNotFound as exc:
        raise ImageBuildError(f"the task image {image} is missing") from exc
    except docker.errors.DockerException as exc:
        raise api_error(f"inspect {image}", exc) from exc
    folder = wheelhouse_dir()
    listing = context_listing(folder)
    wheel = pip_wheel(listing)
    if layer.pip and wheel is None:
        raise ImageBuildError(
            f"the agent layer installs {', '.join(layer.pip)} but the wheelhouse {folder} has no pip "
            f"wheel (pip-*.whl); fill it with scripts/build_agent_wheelhouse.sh or set {WHEELHOUSE_ENV}"
        )
    tag = f"{AGENT_REPOSITORY}:{agent_image_hash(str(image_id), layer, listing)}"
    if _image_exists(client, tag):
        return tag
    with _file_lock(f"agent-{tag.split(':')[1]}"):
        if _image_exists(client, tag):
            return tag
        with tempfile.TemporaryFile() as context:
            _write_context(context, folder, listing, layer_dockerfile(image, layer, wheel))
            context.seek(0)
            build_image(client, context, tag)
    return tag


def _write_context(out: IO[bytes], folder: Path, listing: list[tuple[str, int]], dockerfile: str) -> None:
    """The build context: the Dockerfile and the listed wheelhouse files under `context/`."""
    with tarfile.open(fileobj=out, mode="w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo(BUILD_DOCKERFILE_NAME)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        folder_info = tarfile.TarInfo("context")
        folder_info.type = tarfile.DIRTYPE
        folder_info.mode = 0o755
        tar.addfile(folder_info)
        for relative, _ in listing:
            tar.add(folder / relative, arcname=f"context/{relative}", recursive=False)
