#!/usr/bin/env python3
"""Scorer for undocumented-archive: runs the agent's unpak.py (in a child process, in a scratch
directory) on the scorer's copies of target.hex and two hidden archives, and prints the fraction
of all their entries extracted byte for byte (SHA-256) at the right path."""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 60


def run_extractor(script: Path, archive: Path, outdir: Path) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(script), str(archive), str(outdir)],
            cwd=outdir.parent,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {TIMEOUT_S} s"
    return f"exit {done.returncode} {done.stderr[-300:].strip()}"


def digest(path: Path, root: Path) -> str | None:
    """SHA-256 of a regular file that really lies inside root, else None."""
    try:
        resolved = path.resolve()
        if root.resolve() not in resolved.parents or path.is_symlink() or not resolved.is_file():
            return None
        return hashlib.sha256(resolved.read_bytes()).hexdigest()
    except OSError:
        return None


def main() -> None:
    script = Path.cwd() / "unpak.py"
    if not script.is_file():
        print("no unpak.py in the working directory")
        print(0.0)
        return
    expected: dict[str, dict[str, str]] = json.loads((HERE / "expected.json").read_text())
    total = passed = 0
    scratch = Path(tempfile.mkdtemp(prefix="unpak-score-"))
    try:
        for stem, files in sorted(expected.items()):
            outdir = scratch / stem
            outdir.mkdir()
            status = run_extractor(script, HERE / f"{stem}.hex", outdir)
            ok = sum(digest(outdir / name, outdir) == sha for name, sha in files.items())
            print(f"{stem}: {ok}/{len(files)} entries correct ({status})")
            total += len(files)
            passed += ok
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{passed}/{total} entries extracted correctly")
    print(round(passed / total, 4))


main()
