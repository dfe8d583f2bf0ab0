"""Regenerates this task's data: python3 generate.py OUTDIR writes accounts.txt (for
environment/ and scorer/) and captures.txt (for environment/: 72
server runs, one after another). Deterministic (fixed
seed); needs broker.py and scenario.py next to it.

Each capture is one run of a freshly started reference server (broker.py, the protocol's only
specification) driven in memory by a scripted client (scenario.py) that opens one to three
connections and makes 25-60 requests chosen from the state so far: handshakes (some with a
wrong version or garbage first), logins (some failing), queue creation with good and bad
names, puts with text, repetitive (compressed) and binary payloads, leases, acks, stats,
paged listings, drops, pings, unknown opcodes, replayed request ids, truncated requests,
corrupted frames and abrupt disconnects. The scorer makes its hidden runs the same way from
another seed.
"""

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import broker as B  # noqa: E402
import scenario as S  # noqa: E402

SEED = 4_117_2026
RUNS = 72
FLAVOURS = ("basic", "errors", "leases", "paging", "frames", "basic")
USERS = ("alice", "bogdan", "chen", "dolores", "emeka", "farah", "gunnar", "hiroko")


def accounts_text(rng: random.Random) -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    lines = ["# user:password, one per line; the server accepts exactly these accounts"]
    for user in USERS:
        lines.append(f"{user}:{''.join(rng.choice(alphabet) for _ in range(rng.randint(8, 14)))}")
    return "\n".join(lines) + "\n"


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    accounts = accounts_text(rng)
    (out / "accounts.txt").write_text(accounts)
    parsed = [(u.encode(), p.encode()) for u, p in (line.split(":", 1) for line in accounts.splitlines()[1:])]
    runs = []
    for n in range(1, RUNS + 1):
        script, transport = S.make_script(rng, parsed, FLAVOURS[n % len(FLAVOURS)])
        runs.append(S.capture_text(n, transport, rng))
    (out / "captures.txt").write_text("".join(runs))
    assert B.BANNER


if __name__ == "__main__":
    main()
