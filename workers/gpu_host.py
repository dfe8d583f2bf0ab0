"""This host's GPUs and who holds them, across every process on the host.

`host_gpus()` says which GPUs the host has (HORIZON_GPUS: "auto" asks nvidia-smi, "none", or an
explicit `index:memory_MiB` list). `gpu_lease()` takes some for the length of a block;
`acquire_gpus()` / `release_gpus()` do the same without a block, and `hand_over_gpus()` moves a
holding to another process (an inference server outlives the worker that started it, so its GPUs
must stay held as long as the server lives, not the worker).

Holdings are one JSON file in the host state folder (workers/host_state.py), changed only under an
flock. A GPU is a physical device, so this file is shared by every Horizon deployment on the host on
purpose: two deployments on one machine must not both put work on the same GPU. A holding whose
process has died (or is a zombie, or whose pid now names a newer process) is stale and freed by the
next reader; nothing here ever signals a process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings
from workers.host_state import (
    file_lock,
    host_state_dir,
    process_running,
    process_start_ticks,
    read_json,
    write_json_atomic,
)

log = logging.getLogger(__name__)

GPUS_ENV = "HORIZON_GPUS"
NVIDIA_SMI_TIMEOUT_S = 15.0
MAX_GPUS = 64  # per host; also the most one holding may ask for
MAX_MEMORY_MIB = 16 * 1024 * 1024  # 16 TiB: far above any device, low enough to catch typos
MAX_OWNER_CHARS = 200
POLL_INTERVAL_S = 0.5
ALLOCATIONS_FILE = "gpus.json"
ALLOCATIONS_LOCK = "gpus.lock"


@dataclass(frozen=True)
class GpuDevice:
    """One GPU of this host."""

    index: int  # host device index (what nvidia-smi prints)
    memory_mib: int  # total memory
    uuid: str | None = None

    @property
    def device_id(self) -> str:
        """What Docker's device_ids and CUDA_VISIBLE_DEVICES take: the UUID when known (it names
        the same device whatever the ordering), else the index."""
        return self.uuid or str(self.index)


@dataclass(frozen=True)
class GpuHolding:
    """GPUs held by one owner (a live process)."""

    owner: str
    pid: int
    gpus: tuple[int, ...]  # device indices
    since: float  # epoch seconds


class GpuUnavailable(Exception):
    """The host cannot give the GPUs asked for: too few, too small, or all busy past the wait
    (`busy`: they exist, but others held them for the whole wait)."""

    def __init__(self, message: str, *, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


# -- what the host has ----------------------------------------------------------------------------

_EXPLICIT_ITEM = re.compile(r"^(\d{1,4}):(\d{1,9})$")


def parse_gpus(value: str) -> list[GpuDevice] | None:
    """HORIZON_GPUS read: None for "auto" (or empty), [] for "none", else the explicit list.
    ValueError, naming the variable, for anything else."""
    text = value.strip().lower()
    if text in ("", "auto"):
        return None
    if text == "none":
        return []
    devices: list[GpuDevice] = []
    for item in text.split(","):
        match = _EXPLICIT_ITEM.match(item.strip())
        if match is None:
            raise ValueError(
                f'{GPUS_ENV} must be "auto", "none" or a list like "0:81559,1:81559" '
                f"(device index:total memory in MiB); got the item {item.strip()[:40]!r}"
            )
        devices.append(_checked_device(int(match[1]), int(match[2]), None, GPUS_ENV))
    return _checked_list(devices, GPUS_ENV)


def parse_nvidia_smi(output: str) -> list[GpuDevice]:
    """The lines of `nvidia-smi --query-gpu=index,memory.total,uuid --format=csv,noheader,nounits`.
    ValueError for a line that is not `index, MiB, uuid`."""
    devices: list[GpuDevice] = []
    for line in output.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise ValueError(f"unexpected nvidia-smi line {line[:120]!r}")
        uuid = parts[2] if re.fullmatch(r"[A-Za-z0-9-]{1,100}", parts[2]) else None
        devices.append(_checked_device(int(parts[0]), int(parts[1]), uuid, "nvidia-smi"))
    return _checked_list(devices, "nvidia-smi")


def _checked_device(index: int, memory_mib: int, uuid: str | None, source: str) -> GpuDevice:
    if not 0 <= index < 1024:
        raise ValueError(f"{source}: GPU index {index} is out of range (0..1023)")
    if not 0 < memory_mib <= MAX_MEMORY_MIB:
        raise ValueError(f"{source}: GPU {index} memory {memory_mib} MiB is out of range")
    return GpuDevice(index=index, memory_mib=memory_mib, uuid=uuid)


def _checked_list(devices: list[GpuDevice], source: str) -> list[GpuDevice]:
    if len(devices) > MAX_GPUS:
        raise ValueError(f"{source}: {len(devices)} GPUs is more than the {MAX_GPUS} supported")
    indices = [d.index for d in devices]
    if len(set(indices)) != len(indices):
        raise ValueError(f"{source}: a GPU index appears twice")
    return sorted(devices, key=lambda d: d.index)


def _detect_with_nvidia_smi() -> list[GpuDevice]:
    """The GPUs nvidia-smi reports; none (with a warning) when it is missing or fails."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    argv = [exe, "--query-gpu=index,memory.total,uuid", "--format=csv,noheader,nounits"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=NVIDIA_SMI_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise ValueError(f"exit code {done.returncode}: {done.stderr.strip()[:300]}")
        return parse_nvidia_smi(done.stdout[:100_000])
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.warning("nvidia-smi failed, so this host counts as having no GPUs: %s", exc)
        return []


def host_gpus(settings: Settings | None = None) -> list[GpuDevice]:
    """The host's GPUs, by index: HORIZON_GPUS's list, or nvidia-smi's answer for "auto"."""
    settings = settings or get_settings()
    explicit = parse_gpus(settings.gpus)
    return _detect_with_nvidia_smi() if explicit is None else explicit


# -- who holds what -------------------------------------------------------------------------------


def _paths(settings: Settings) -> tuple[Path, Path]:
    folder = host_state_dir(settings)
    return folder / ALLOCATIONS_FILE, folder / ALLOCATIONS_LOCK


def _live_holdings(path: Path) -> list[dict[str, Any]]:
    """The file's holdings whose process still runs, each checked and normalised. Stale and
    malformed ones are dropped from the file (which frees their GPUs)."""
    data = read_json(path) or {}
    found = data.get("holdings")
    found = found if isinstance(found, list) else []
    live: list[dict[str, Any]] = []
    for h in found:
        try:
            ticks = h.get("pid_start")
            clean: dict[str, Any] = {
                "owner": str(h["owner"]),
                "pid": int(h["pid"]),
                "pid_start": None if ticks is None else int(ticks),
                "gpus": [int(i) for i in h["gpus"]],
                "since": float(h.get("since", 0.0)),
            }
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("dropping a malformed GPU holding in %s: %.200r", path, h)
            continue
        if process_running(clean["pid"], clean["pid_start"]):
            live.append(clean)
        else:
            log.info(
                "freeing GPUs %s of %s: its process %d is gone", clean["gpus"], clean["owner"], clean["pid"]
            )
    if len(live) != len(found):
        _write(path, live)
    return live


def _write(path: Path, holdings: list[dict[str, Any]]) -> None:
    write_json_atomic(path, {"holdings": holdings})


def _check_request(owner: str, count: int) -> None:
    if not owner or len(owner) > MAX_OWNER_CHARS:
        raise ValueError(f"a GPU owner name must have 1..{MAX_OWNER_CHARS} characters")
    if not 0 <= count <= MAX_GPUS:
        raise ValueError(f"a GPU count must be 0..{MAX_GPUS}, not {count}")


def acquire_gpus(
    owner: str,
    count: int,
    min_memory_mib: int | None = None,
    *,
    wait_s: float | None = None,
    pid: int | None = None,
    settings: Settings | None = None,
    poll_interval_s: float = POLL_INTERVAL_S,
) -> list[GpuDevice]:
    """Take `count` free GPUs with at least `min_memory_mib` each for `owner` (held while process
    `pid`, by default this one, lives, or until release_gpus). Raises GpuUnavailable at once when
    the host has too few suitable GPUs at all, and after waiting `wait_s` (default
    HORIZON_GPU_WAIT_S) when they exist but stay busy. An owner holds at most one set at a time."""
    _check_request(owner, count)
    if count == 0:
        return []
    settings = settings or get_settings()
    wait = settings.gpu_wait_s if wait_s is None else wait_s
    pid = os.getpid() if pid is None else pid
    need = min_memory_mib or 0
    devices = host_gpus(settings)
    suitable = sorted((d for d in devices if d.memory_mib >= need), key=lambda d: (d.memory_mib, d.index))
    if len(suitable) < count:
        big = f" with at least {need} MiB" if need else ""
        raise GpuUnavailable(
            f"{count} GPU(s){big} asked for, but this host has {len(devices)} GPU(s), "
            f"{len(suitable)} of them big enough ({GPUS_ENV})"
        )
    path, lock = _paths(settings)
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        with file_lock(lock):
            holdings = _live_holdings(path)
            if any(h["owner"] == owner for h in holdings):
                raise ValueError(f"{owner} already holds GPUs; release them first")
            busy = {i for h in holdings for i in h["gpus"]}
            free = [d for d in suitable if d.index not in busy]
            if len(free) >= count:
                # Best fit: the smallest devices that are big enough, leaving big ones for big asks.
                taken = sorted(free[:count], key=lambda d: d.index)
                holdings.append(
                    {
                        "owner": owner,
                        "pid": pid,
                        "pid_start": process_start_ticks(pid),
                        "gpus": [d.index for d in taken],
                        "since": time.time(),
                    }
                )
                _write(path, holdings)
                return taken
            holders = sorted({h["owner"] for h in holdings if set(h["gpus"]) & {d.index for d in suitable}})
        if time.monotonic() >= deadline:
            if wait > 0:
                # Holders are named in this host's log only: messages may reach other deployments.
                log.warning("%s gave up waiting for GPUs; held by %s", owner, ", ".join(holders[:20]))
            raise GpuUnavailable(
                f"waited {wait:g} s for {count} free GPU(s) of this host's {len(suitable)} suitable "
                f"ones; they stayed busy, held by {len(holders)} other holder(s) (HORIZON_GPU_WAIT_S)",
                busy=True,
            )
        time.sleep(poll_interval_s)


def release_gpus(owner: str, settings: Settings | None = None) -> bool:
    """Free what `owner` holds; False when it held nothing."""
    path, lock = _paths(settings or get_settings())
    with file_lock(lock):
        holdings = _live_holdings(path)
        kept = [h for h in holdings if h["owner"] != owner]
        if len(kept) == len(holdings):
            return False
        _write(path, kept)
        return True


def hand_over_gpus(owner: str, pid: int, settings: Settings | None = None) -> None:
    """Make `owner`'s GPUs live as long as process `pid` instead (a server this process started).
    ValueError when the owner holds nothing."""
    path, lock = _paths(settings or get_settings())
    with file_lock(lock):
        holdings = _live_holdings(path)
        for h in holdings:
            if h["owner"] == owner:
                h["pid"], h["pid_start"] = pid, process_start_ticks(pid)
                _write(path, holdings)
                return
    raise ValueError(f"{owner} holds no GPUs to hand over")


def gpu_holdings(settings: Settings | None = None) -> list[GpuHolding]:
    """Who holds which GPUs now (stale holdings are freed on the way)."""
    path, lock = _paths(settings or get_settings())
    with file_lock(lock):
        holdings = _live_holdings(path)
    return [GpuHolding(h["owner"], h["pid"], tuple(h["gpus"]), h["since"]) for h in holdings]


@contextlib.contextmanager
def gpu_lease(
    owner: str,
    count: int,
    min_memory_mib: int | None = None,
    *,
    wait_s: float | None = None,
    pid: int | None = None,
    settings: Settings | None = None,
) -> Iterator[list[GpuDevice]]:
    """Hold `count` GPUs for the block (see acquire_gpus); they are freed when it ends, and by the
    next reader if this process dies first. `count == 0` yields [] without touching the file."""
    devices = acquire_gpus(owner, count, min_memory_mib, wait_s=wait_s, pid=pid, settings=settings)
    try:
        yield devices
    finally:
        if devices:
            release_gpus(owner, settings)
