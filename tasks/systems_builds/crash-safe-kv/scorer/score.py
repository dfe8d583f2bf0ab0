#!/usr/bin/env python3
"""Scores crash-safe-kv: drives the agent's kvstore.py (in a child process, scorer/driver.py)
through a workload generated from a seed that only this folder holds, against an in-memory model.

Rounds of random writes, reads, range scans, snapshots and compactions end in a clean close or a
crash: SIGKILL while idle, during a write or during a compaction, and for some writes a simulated
power cut that cuts (and may garble) whatever the files gained since the last acknowledged call.
After each restart the store must hold exactly the last acknowledged state, or that state plus the
interrupted call. A last phase checks memory use and space with 40 MB of values. The last line is
the mean of five parts (reads, snapshots, recovery, layout, big data), each a fraction of checks.
"""

import hashlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = "@@kv-answer@@"
SEED = 50_417_993
ROUNDS = 36
SEGMENT_LIMIT = 512 * 1024
BATCH_LIMIT = 256 * 1024
PEAK_RSS_LIMIT_KIB = 48 * 1024
CALL_TIMEOUT_S = 30
DEADLINE_S = 300  # rounds not started by then fail; the big phase (at most 8 calls) still fits in 600 s
MODES = ["close", "power-cut", "compact-crash", "kill-write", "power-cut", "compact-crash", "kill-idle", "compact-crash", "kill-compact"]


class Child:
    def __init__(self, workdir: Path, datadir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(HERE / "driver.py"), MARKER, str(workdir), str(datadir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        self.buffer = b""

    def send(self, cmd: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
        except OSError:
            pass

    def _answer(self) -> dict | None:
        marker = MARKER.encode()
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.startswith(marker):
                try:
                    return json.loads(line[len(marker):])
                except ValueError:
                    return {"error": "unreadable answer"}
        return None

    def recv(self, timeout: float = CALL_TIMEOUT_S) -> dict | None:
        deadline = time.monotonic() + timeout
        while True:
            found = self._answer()
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk

    def call(self, cmd: dict) -> dict:
        self.send(cmd)
        found = self.recv()
        return found if found is not None else {"error": "no answer (crashed or too slow)"}

    def kill(self) -> dict | None:
        """SIGKILL now; returns the answer the child had already written, if any."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        rest = self.proc.stdout.read()
        self.buffer += rest or b""
        return self._answer()

    def finish(self) -> None:
        try:
            self.proc.wait(timeout=CALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()


def digest(items: dict[bytes, bytes]) -> dict:
    h = hashlib.sha256()
    for k in sorted(items):
        v = items[k]
        h.update(len(k).to_bytes(4, "big") + k + len(v).to_bytes(4, "big") + v)
    return {"n": len(items), "sha": h.hexdigest()}


def dir_sizes(root: Path) -> dict[str, int]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                out[str(path.relative_to(root))] = path.stat().st_size
    return out


def live_bytes(model: dict[bytes, bytes]) -> int:
    return sum(len(k) + len(v) + 32 for k, v in model.items())


class Tally:
    def __init__(self) -> None:
        self.parts = {name: [0, 0] for name in ("reads", "snapshots", "recovery", "layout", "big data")}

    def check(self, part: str, ok: bool, what: str) -> bool:
        self.parts[part][1] += 1
        self.parts[part][0] += bool(ok)
        if not ok:
            print(f"FAIL {part}: {what}")
        return ok


def apply(model: dict[bytes, bytes], ops: list[tuple[bytes, bytes | None]]) -> dict[bytes, bytes]:
    new = dict(model)
    for k, v in ops:
        if v is None:
            new.pop(k, None)
        else:
            new[k] = v
    return new


def tear(root: Path, at_ack: dict[str, int], rng: random.Random) -> None:
    """A power cut: in every file that grew since the last acknowledgement (or is new), the bytes
    past the old size are cut, cut and followed by junk, or partly overwritten by junk or zeros."""
    for rel, size in dir_sizes(root).items():
        low = at_ack.get(rel, 0)
        if rel in at_ack and size <= low:
            continue
        low = min(low, size)
        kind = rng.choice(["cut", "cut+junk", "junk", "zeros"])
        with open(root / rel, "r+b") as handle:
            if kind.startswith("cut"):
                cut = rng.randint(low, size)
                handle.truncate(cut)
                if kind == "cut+junk":
                    handle.seek(cut)
                    handle.write(rng.randbytes(rng.randint(1, 200)))
            elif size > low:
                start = rng.randint(low, size - 1)
                end = rng.randint(start + 1, size)
                handle.seek(start)
                handle.write(rng.randbytes(end - start) if kind == "junk" else bytes(end - start))


class Workload:
    def __init__(self, rng: random.Random, workdir: Path, datadir: Path, tally: Tally) -> None:
        self.rng, self.workdir, self.datadir, self.tally = rng, workdir, datadir, tally
        self.keys = [rng.randbytes(rng.randint(1, 24)) for _ in range(200)]
        self.keys += [b"user:" + str(rng.randrange(10**6)).encode() for _ in range(60)]
        self.model: dict[bytes, bytes] = {}
        self.at_ack: dict[str, int] = {}
        self.limit_ok = True
        self.crash_points = 0
        self.deadline = time.monotonic() + DEADLINE_S

    def value(self) -> bytes:
        big = self.rng.random() < 0.06
        return self.rng.randbytes(self.rng.randint(20_000, 65_536) if big else self.rng.randint(0, 3000))

    def write_op(self) -> tuple[dict, list[tuple[bytes, bytes | None]]]:
        r, key = self.rng.random(), self.rng.choice(self.keys)
        if r < 0.65:
            v = self.value()
            return {"op": "put", "k": key.hex(), "v": v.hex()}, [(key, v)]
        if r < 0.8:
            return {"op": "delete", "k": key.hex()}, [(key, None)]
        ops: list[tuple[bytes, bytes | None]] = []
        total = 0
        for _ in range(self.rng.randint(2, 12)):
            k = self.rng.choice(self.keys[:40] + [key])
            v = None if self.rng.random() < 0.3 else self.value()
            if v is not None and total + len(k) + len(v) > BATCH_LIMIT:
                v = v[:100]
            total += len(k) + (0 if v is None else len(v))
            ops.append((k, v))
        return {"op": "batch", "ops": [[k.hex(), None if v is None else v.hex()] for k, v in ops]}, ops

    def acked(self) -> None:
        self.at_ack = dir_sizes(self.datadir)
        if any(size > SEGMENT_LIMIT for size in self.at_ack.values()):
            self.limit_ok = False

    def call(self, child: Child, cmd: dict) -> dict:
        """One call; the files as they are when it returns are the baseline of a power cut."""
        got = child.call(cmd)
        self.acked()
        return got

    def write(self, child: Child) -> bool:
        cmd, ops = self.write_op()
        got = self.call(child, cmd)
        if not self.tally.check("reads", got.get("ok") is True, f"{cmd['op']}: {got.get('error')}"):
            return False
        self.model = apply(self.model, ops)
        return True

    def read(self, child: Child, snap: int | None = None, model: dict | None = None) -> bool:
        model = self.model if model is None else model
        part = "reads" if snap is None else "snapshots"
        extra = {} if snap is None else {"snap": snap}
        if self.rng.random() < 0.6:
            key = self.rng.choice(self.keys)
            got = self.call(child, {"op": "get", "k": key.hex(), **extra})
            want = model.get(key)
            return self.tally.check(part, got.get("v") == (None if want is None else want.hex()), "get")
        bounds = sorted(self.rng.sample(self.keys, 2)) + [None, None]
        lo, hi = self.rng.choice([(bounds[0], bounds[1]), (None, bounds[1]), (bounds[0], None)])
        got = self.call(child, {"op": "scan", "lo": None if lo is None else lo.hex(), "hi": None if hi is None else hi.hex(), **extra})
        want = [[k.hex(), model[k].hex()] for k in sorted(model) if (lo is None or k >= lo) and (hi is None or k < hi)]
        return self.tally.check(part, got.get("items") == want, f"scan [{lo!r}, {hi!r})")

    def compact_and_measure(self, child: Child) -> bool:
        got = self.call(child, {"op": "compact"})
        if not self.tally.check("reads", got.get("ok") is True, f"compact: {got.get('error')}"):
            return False
        total, allowed = sum(self.at_ack.values()), int(1.5 * live_bytes(self.model)) + 65536
        self.tally.check("layout", total <= allowed, f"{total} bytes on disk after compact, allowed {allowed}")
        return True

    def snapshot_test(self, child: Child, sid: int) -> bool:
        got = self.call(child, {"op": "snapshot", "id": sid})
        if not self.tally.check("snapshots", got.get("ok") is True, f"snapshot: {got.get('error')}"):
            return False
        frozen = self.model
        for _ in range(self.rng.randint(3, 8)):
            if not self.write(child):
                return False
        if self.rng.random() < 0.2:
            if self.call(child, {"op": "compact"}).get("ok") is not True:
                return self.tally.check("snapshots", False, "compact with a live snapshot")
        for _ in range(3):
            self.read(child, sid, frozen)
        return self.tally.check("snapshots", self.call(child, {"op": "release", "id": sid}).get("ok") is True, "release")

    def reset(self, child: Child | None) -> None:
        if child is not None:
            child.kill()
        shutil.rmtree(self.datadir, ignore_errors=True)
        self.model, self.at_ack = {}, {}

    def round(self, number: int, pending: dict | None) -> dict | None:
        child = Child(self.workdir, self.datadir)
        hello = child.recv()
        if hello is None or hello.get("ok") is not True:
            self.tally.check("recovery", False, f"round {number}: open failed: {(hello or {}).get('error')}")
            self.reset(child)
            return None
        self.limit_ok = True
        got = self.call(child, {"op": "digest"})
        states = [self.model] + ([pending] if pending is not None else [])
        match = next((s for s in states if digest(s) == got), None)
        if not self.tally.check("recovery", match is not None, f"round {number}: wrong state after restart"):
            self.reset(child)
            return None
        self.model = match
        for step in range(self.rng.randint(40, 70)):
            if time.monotonic() > self.deadline:
                self.tally.check("reads", False, f"round {number}: out of time")
                self.reset(child)
                return None
            r = self.rng.random()
            ok = True
            if r < 0.6:
                ok = self.write(child)
            elif r < 0.9:
                self.read(child)
            elif r < 0.993:
                ok = self.snapshot_test(child, number * 1000 + step)
            else:
                ok = self.compact_and_measure(child)
            if not ok:
                self.reset(child)
                return None
        self.tally.check("layout", self.limit_ok, f"round {number}: a file grew past {SEGMENT_LIMIT} bytes")
        return self.crash(child, MODES[number % len(MODES)])

    def crash(self, child: Child, mode: str) -> dict | None:
        if mode == "close":
            got = child.call({"op": "close"})
            child.finish()
            self.tally.check("reads", got.get("ok") is True, f"close: {got.get('error')}")
            return None
        if mode == "kill-idle":
            child.kill()
            return None
        if mode == "kill-compact":
            child.send({"op": "compact"})
            time.sleep(self.rng.uniform(0, 0.05))
            child.kill()
            return None
        if mode == "compact-crash":
            # Crash points 1, 2, 3...: each compact-crash round stops the compaction one step later.
            self.crash_points += 1
            child.send({"op": "compact", "crash_at": self.crash_points})
            child.recv()  # returns when the child dies at its crash point (or finished first)
            child.kill()
            return None
        cmd, ops = self.write_op()
        pending = apply(self.model, ops)
        child.send(cmd)
        if mode == "power-cut":
            # The call does all its work, then the power fails before it returns.
            child.recv()
            child.kill()
            tear(self.datadir, self.at_ack, self.rng)
            return pending
        time.sleep(self.rng.uniform(0, 0.004))
        answer = child.kill()
        if answer is not None and answer.get("ok") is True:
            self.model = pending
            return None
        return pending


def big_phase(rng: random.Random, workdir: Path, datadir: Path, tally: Tally) -> None:
    """40 MB of 64 KiB values, half of them overwritten: memory, space and reopening."""
    seeds = [rng.randrange(10**9), rng.randrange(10**9)]
    model: dict[bytes, bytes] = {}
    for seed, count in zip(seeds, (640, 320)):
        values = random.Random(seed)
        for i in range(count):
            model[b"big-%06d" % i] = values.randbytes(65536)
    child = Child(workdir, datadir)
    ok = (child.recv() or {}).get("ok") is True
    for seed, count in zip(seeds, (640, 320)):
        ok = ok and child.call({"op": "fill", "seed": seed, "count": count, "size": 65536, "batch": 16}).get("ok") is True
    ok = ok and child.call({"op": "digest"}) == digest(model)
    ok = ok and child.call({"op": "compact"}).get("ok") is True
    tally.check("big data", ok, "writing, reading back and compacting 40 MB")
    sizes = dir_sizes(datadir)
    total, allowed = sum(sizes.values()), int(1.5 * live_bytes(model)) + 65536
    tally.check("big data", ok and total <= allowed, f"{total} bytes on disk after compact, allowed {allowed}")
    tally.check("big data", ok and max(sizes.values(), default=0) <= SEGMENT_LIMIT, "a file is over the limit")
    peak = child.call({"op": "mem"}).get("kib") if ok else None
    if peak is not None:
        print(f"peak resident memory of the store's process: {peak} KiB")
    tally.check("big data", peak is not None and peak <= PEAK_RSS_LIMIT_KIB, f"peak resident memory {peak} KiB")
    child.call({"op": "close"})
    child.finish()
    child = Child(workdir, datadir)
    reopened = (child.recv() or {}).get("ok") is True and child.call({"op": "digest"}) == digest(model)
    tally.check("big data", reopened, "reopening the 40 MB store")
    child.kill()


def main() -> None:
    workdir = Path.cwd()
    if not (workdir / "kvstore.py").is_file():
        print("kvstore.py is missing")
        print(0.0)
        return
    rng = random.Random(SEED)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kv-score-") as tmp:
        workload = Workload(rng, workdir, Path(tmp) / "data", tally)
        pending = None
        for number in range(ROUNDS):
            if time.monotonic() > workload.deadline:
                tally.check("recovery", False, f"round {number} not run: out of time")
                continue
            pending = workload.round(number, pending)
        if time.monotonic() > workload.deadline:
            for _ in range(5):
                tally.check("big data", False, "not run: out of time")
        else:
            big_phase(rng, workdir, Path(tmp) / "big", tally)
    fractions = []
    for name, (passed, total) in tally.parts.items():
        fraction = passed / total if total else 0.0
        fractions.append(fraction)
        print(f"{name}: {passed}/{total}")
    print(round(sum(fractions) / len(fractions), 4))


main()
