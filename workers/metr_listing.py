"""Listing a METR family's tasks inside a sandbox: the `Lister` the import job gives the importer.

Listing runs the family's Python (its module, `get_tasks`, `get_instructions`, ...), which came
from an upload: it runs only here, in a fresh sandbox of the base image per family, as the agent
user, with no network (the backend makes none), the family's files copied in and nothing of the
host's. What it printed comes back bounded (MAX_LISTING_BYTES, read from a file in the sandbox)
and is checked by `core.importers.metr.read_listing` like any untrusted input.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from core.importers.common import ImportProblem, read_text_tree
from core.importers.metr import LISTING_SCRIPT, LISTING_TIMEOUT_S, MARKER, MAX_LISTING_BYTES, ListingOutput
from core.settings import Settings
from core.taskspec import ResourceLimits
from workers.sandbox.base import SandboxBackend

WORKDIR = "/home/agent"
SCRIPT_DIR = "/scorer"  # root-owned: the family's code can read the script, not change it
OUTPUT = "/tmp/horizon-listing.out"
# Enough for a family's module and its imports; the operator's maxima cap each.
LIMITS = ResourceLimits(cpus=1.0, memory_mb=512, pids=128, disk_mb=256)


def listing_limits(settings: Settings) -> ResourceLimits:
    """LIMITS, each at most the operator's maximum (the backend refuses a sandbox past them)."""
    most = settings.task_maxima()
    return ResourceLimits(
        cpus=min(LIMITS.cpus, most.cpus),
        memory_mb=min(LIMITS.memory_mb, most.memory_mb),
        pids=min(LIMITS.pids, most.pids),
        disk_mb=min(LIMITS.disk_mb, most.disk_mb),
    )


class SandboxLister:
    """Runs the listing of each family in its own sandbox (`create`, copy, run, `close`).

    `run_id` is the negative number the sandboxes are labelled with (not a run: the orphan reaper
    leaves them to their owner, who removes them in any case)."""

    def __init__(self, backend: SandboxBackend, image: str, limits: ResourceLimits, run_id: int) -> None:
        self.backend = backend
        self.image = image
        self.limits = limits
        self.run_id = run_id

    def __call__(self, family_dir: Path, module: str) -> ListingOutput:
        """Copy the family into a new sandbox, run LISTING_SCRIPT there and return its output."""
        files = read_text_tree(family_dir)  # text only, within the task format's limits
        inside = f"{WORKDIR}/{module}"
        sandbox = self.backend.create(
            self.image, limits=self.limits, workdir=WORKDIR, run_id=self.run_id, attempt=0
        )
        try:
            sandbox.put_files(files, inside)
            sandbox.put_files({"list_tasks.py": LISTING_SCRIPT}, SCRIPT_DIR)
            command = (
                f"cd {shlex.quote(inside)} && python3 -I -B {SCRIPT_DIR}/list_tasks.py "
                f"{shlex.quote(inside)} {shlex.quote(module)} {shlex.quote(MARKER)} > {OUTPUT}"
            )
            done = sandbox.exec(command, LISTING_TIMEOUT_S)
            if done.timed_out:
                raise ImportProblem(f"listing the tasks of {module} took longer than {LISTING_TIMEOUT_S} s")
            try:
                raw = sandbox.read_bytes(OUTPUT, MAX_LISTING_BYTES + 1)
            except FileNotFoundError:
                raw = b""
        finally:
            sandbox.close()
        if len(raw) > MAX_LISTING_BYTES:
            raise ImportProblem(
                f"listing the tasks of {module} printed more than {MAX_LISTING_BYTES:,} bytes; "
                "a family's listing must be smaller"
            )
        return ListingOutput(raw.decode("utf-8", errors="replace"), done.stderr, done.exit_code)
