"""Wheels packed from distributions installed in the test environment, so a test can fill an
offline wheelhouse (HORIZON_AGENT_WHEELHOUSE) without downloading anything."""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path


def pack_installed_wheel(name: str, dest: Path) -> Path:
    """A `<name>-<version>-py3-none-any.whl` in `dest` holding the installed files of `name`
    (pure-Python distributions only: compiled files would not fit the sandbox's Python)."""
    dist = importlib.metadata.distribution(name)
    normalised = dist.metadata["Name"].replace("-", "_").lower()
    wheel = dest / f"{normalised}-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in dist.files or []:
            rel = file.as_posix()
            if rel.startswith("..") or "__pycache__" in rel or rel.endswith((".pyc", "RECORD", "INSTALLER")):
                continue
            if rel.endswith((".so", ".pyd")):
                raise ValueError(f"{name} is not pure Python ({rel})")
            archive.write(Path(str(file.locate())), rel)
        info = f"{normalised}-{dist.version}.dist-info"
        archive.writestr(f"{info}/RECORD", "")
    return wheel
