"""Child process of score.py: opens the agent's store and runs the commands read from stdin.

Usage: python3 -I driver.py MARKER WORKDIR DATADIR. Each command is one JSON line; each answer is
one line starting with MARKER (after a newline, so text the store prints cannot merge into it).
Keys and values travel as hex. A store that raises answers {"error": ...}.
"""

import json
import os
import random
import signal
import sys

MARKER, WORKDIR, DATADIR = sys.argv[1], sys.argv[2], sys.argv[3]


def answer(obj: object) -> None:
    sys.stdout.write("\n" + MARKER + json.dumps(obj) + "\n")
    sys.stdout.flush()


def hx(data: bytes | None) -> str | None:
    return None if data is None else data.hex()


def peak_rss_kib() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def fill(store: object, seed: int, count: int, size: int, batch: int) -> None:
    """Writes count values of `size` bytes, generated here so they never cross the pipe."""
    rng = random.Random(seed)
    ops = []
    for i in range(count):
        ops.append((b"big-%06d" % i, rng.randbytes(size)))
        if len(ops) == batch:
            store.write_batch(ops)
            ops = []
    if ops:
        store.write_batch(ops)


def arm_crash(at: int) -> None:
    """Kill this process just before the store's at-th call that changes files durably or
    changes the directory (fsync, truncate, unlink, rename...): a deterministic crash point."""
    count = [0]

    def wrap(fn):
        def crash_then_call(*args, **kwargs):
            count[0] += 1
            if count[0] >= at:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)

        return crash_then_call

    for name in ("fsync", "fdatasync", "ftruncate", "truncate", "remove", "unlink", "rename", "replace", "rmdir"):
        if hasattr(os, name):
            setattr(os, name, wrap(getattr(os, name)))


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.append(WORKDIR)
    try:
        import kvstore

        store = kvstore.Store(DATADIR)
    except BaseException as exc:  # noqa: BLE001 - any failure to open is reported
        answer({"error": f"open: {type(exc).__name__}: {exc}"[:300]})
        return
    answer({"ok": True})
    snaps: dict[int, object] = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            key = bytes.fromhex(cmd["k"]) if "k" in cmd else None
            if op == "put":
                store.put(key, bytes.fromhex(cmd["v"]))
                answer({"ok": True})
            elif op == "delete":
                store.delete(key)
                answer({"ok": True})
            elif op == "batch":
                store.write_batch([(bytes.fromhex(k), None if v is None else bytes.fromhex(v)) for k, v in cmd["ops"]])
                answer({"ok": True})
            elif op == "get":
                target = snaps[cmd["snap"]] if "snap" in cmd else store
                answer({"v": hx(target.get(key))})
            elif op == "scan":
                target = snaps[cmd["snap"]] if "snap" in cmd else store
                lo = None if cmd.get("lo") is None else bytes.fromhex(cmd["lo"])
                hi = None if cmd.get("hi") is None else bytes.fromhex(cmd["hi"])
                answer({"items": [[k.hex(), v.hex()] for k, v in target.scan(lo, hi)]})
            elif op == "digest":
                # A full scan reduced to one line: key count and a hash of every pair.
                import hashlib

                h = hashlib.sha256()
                n = 0
                for k, v in store.scan(None, None):
                    h.update(len(k).to_bytes(4, "big") + k + len(v).to_bytes(4, "big") + v)
                    n += 1
                answer({"n": n, "sha": h.hexdigest()})
            elif op == "snapshot":
                snaps[cmd["id"]] = store.snapshot()
                answer({"ok": True})
            elif op == "release":
                snaps.pop(cmd["id"]).release()
                answer({"ok": True})
            elif op == "compact":
                if "crash_at" in cmd:
                    arm_crash(cmd["crash_at"])
                store.compact()
                answer({"ok": True})
            elif op == "fill":
                fill(store, cmd["seed"], cmd["count"], cmd["size"], cmd["batch"])
                answer({"ok": True})
            elif op == "mem":
                answer({"kib": peak_rss_kib()})
            elif op == "close":
                store.close()
                answer({"ok": True})
                return
        except BaseException as exc:  # noqa: BLE001 - the agent's store failed this command
            answer({"error": f"{op}: {type(exc).__name__}: {exc}"[:300]})


main()
