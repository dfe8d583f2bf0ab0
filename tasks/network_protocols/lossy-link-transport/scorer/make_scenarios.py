"""Scenario parameters (imported by generate.py)."""

import random


def link(rng: random.Random, kind: str, ack: bool = False) -> dict:
    p = {
        "rate": rng.choice((0.25, 0.5, 1, 1, 2, 3)),
        "delay": rng.randint(2, 60),
        "jitter": rng.choice((0, 1, 3, 8)),
        "queue": rng.choice((6, 12, 24, 64)),
        "loss_good": rng.choice((0.0, 0.005, 0.02, 0.05)),
        "loss_bad": rng.choice((0.3, 0.6, 0.9)),
        "good_to_bad": rng.choice((0.0, 0.002, 0.01)),
        "bad_to_good": rng.choice((0.1, 0.3, 0.6)),
        "corrupt": rng.choice((0.0, 0.01, 0.03)),
        "duplicate": rng.choice((0.0, 0.01, 0.05)),
    }
    if kind == "clean":
        p.update(loss_good=0.0, good_to_bad=0.0, corrupt=0.0, duplicate=0.0, jitter=0)
    elif kind == "harsh":
        p.update(loss_good=0.08, good_to_bad=0.01, corrupt=0.03, duplicate=0.05, jitter=12)
    if ack:
        p["queue"] = 64
        p["rate"] = 4
    elif rng.random() < 0.35:
        p["rate_change"] = {"at": rng.randint(100, 1500), "rate": rng.choice((0.25, 0.5, 1, 2))}
    return p


def scenarios(rng: random.Random, prefix: str, kinds: list[str]) -> list[dict]:
    out = []
    for i, kind in enumerate(kinds, 1):
        fwd = link(rng, kind)
        rev = link(rng, kind, ack=True)
        rev["delay"] = fwd["delay"]
        out.append({
            "name": f"{prefix}-{i:02d}-{kind}",
            "seed": rng.getrandbits(32),
            "size": rng.choice((1, 300, rng.randint(5_000, 40_000), rng.randint(60_000, 200_000), rng.randint(30_000, 120_000), rng.randint(30_000, 120_000))) if kind == "mixed" else rng.randint(30_000, 120_000),
            "mtu": rng.choice((64, 128, 200)),
            "max_ticks": 200_000,
            "forward": fwd,
            "reverse": rev,
        })
    return out
