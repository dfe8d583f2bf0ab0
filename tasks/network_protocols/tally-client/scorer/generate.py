"""Regenerates this task's data: python3 generate.py OUTDIR writes example_data.json,
example.script and example.expected (for environment/) and hidden_cases.json (for scorer/).
Deterministic (fixed seed).

Each case is an initial data set for tallyd (users and about 40 keys spread over the three
shards: names with a leading dot, binary values holding CR LF and NUL, decimal counters), a
user, and a script of 30-45 commands (GET, PUT, DEL, INCR with negative deltas and on
non-integers, SCAN over prefixes with more than one page, SLEEP 1000 to force an idle
disconnect), with the output a correct client prints, computed here from a model of the store.
"""

import json
import random
import sys
from pathlib import Path

SEED = 6_620_2026
PREFIXES = ["user:", "cfg.", ".", "job-", "zz", "user:1", "c"]


def password(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789-") for _ in range(rng.randint(10, 18)))


def value(rng: random.Random) -> bytes:
    r = rng.random()
    if r < 0.3:
        return str(rng.randint(-500, 5000)).encode()
    if r < 0.6:
        return rng.randbytes(rng.randint(1, 40)) + b"\r\n" + rng.randbytes(rng.randint(0, 10))
    return " ".join(rng.choice(("alpha", "beta", "gamma", "ok", "pending", "x\ry")) for _ in range(rng.randint(1, 6))).encode()


def make_case(rng: random.Random, sleeps: int) -> dict:
    users = {name: password(rng) for name in rng.sample(["ana", "bo", "cyd", "dee", "eli", "fay"], 3)}
    keys = set()
    while len(keys) < 40:
        p = rng.choice(("user:", "cfg.", ".", "job-", "c", "m"))
        keys.add(p + "".join(rng.choice("abcdefghij0123456789") for _ in range(rng.randint(1, 6))))
    store = {k: value(rng) for k in sorted(keys)}
    initial = {"users": users, "store": {k: v.hex() for k, v in store.items()}}
    model = dict(store)
    script, expected = [], []
    known = sorted(keys)
    n = rng.randint(30, 45)
    sleep_at = set(rng.sample(range(3, n - 2), sleeps))
    for i in range(n):
        if i in sleep_at:
            script.append("SLEEP 1000")
            expected.append("SLEPT")
            continue
        r = rng.random()
        key = rng.choice(known) if rng.random() < 0.8 else rng.choice(("user:", "cfg.", ".", "job-")) + str(rng.randint(100, 999))
        if r < 0.3:
            script.append(f"GET {key}")
            expected.append(model[key].hex() if key in model else "NOTFOUND")
        elif r < 0.5:
            v = value(rng)
            script.append(f"PUT {key} {v.hex()}")
            model[key] = v
            expected.append("OK")
            if key not in known:
                known.append(key)
        elif r < 0.6:
            script.append(f"DEL {key}")
            expected.append("1" if model.pop(key, None) is not None else "0")
        elif r < 0.8:
            delta = rng.randint(-300, 300)
            script.append(f"INCR {key} {delta}")
            try:
                new = int(model.get(key, b"0").decode("ascii")) + delta
                model[key] = str(new).encode()
                expected.append(str(new))
            except ValueError:
                expected.append("WRONGTYPE")
        else:
            prefix = rng.choice(PREFIXES)
            script.append(f"SCAN {prefix}")
            found = sorted(k for k in model if k.startswith(prefix))
            expected.append(" ".join(found) if found else "(none)")
    user = rng.choice(sorted(users))
    return {"data": initial, "user": user, "password": users[user], "script": script, "expected": expected,
            "seed": rng.getrandbits(32)}


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    example = make_case(rng, 1)
    (out / "example_data.json").write_text(json.dumps(example["data"], indent=1) + "\n")
    (out / "example.script").write_text(
        f"# run as: python3 client.py PORT {example['user']} {example['password']} example.script\n"
        + "\n".join(example["script"]) + "\n"
    )
    (out / "example.expected").write_text("\n".join(example["expected"]) + "\n")
    hidden = [make_case(rng, s) for s in (0, 1, 1, 2, 1, 0)]
    (out / "hidden_cases.json").write_text(json.dumps(hidden, indent=1) + "\n")


if __name__ == "__main__":
    main()
