"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes sessions_dayNN.csv (the environment: one export per day of a 28-day checkout experiment)
and truth.json (for the scorer). Planted structure: variant B was allocated mostly on web and
rarely on iOS, and platforms convert at very different rates, so the pooled difference is
negative while B helps web and Android and hurts iOS; a client bug logged some converted B web
sessions twice (same session id, a later timestamp); internal QA traffic (excluded by the
analysis plan) is all B and converts almost always; days 1-3 were exported with the labels
control/treatment instead of A/B.
"""

import json
import random
import sys
from pathlib import Path

SEED = 740_219
DAYS = 28
PLATFORMS = {"web": 0.45, "android": 0.35, "ios": 0.20}
B_SHARE = {"web": 0.70, "android": 0.50, "ios": 0.20}
BASE = {"web": 0.09, "android": 0.18, "ios": 0.30}
EFFECT = {"web": 0.020, "android": 0.010, "ios": -0.025}
COUNTRY = {"US": (0.40, 0.02), "DE": (0.25, 0.01), "BR": (0.20, -0.02), "IN": (0.15, -0.03)}
SOURCES = {"organic": 0.55, "paid": 0.45}


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate() -> tuple[dict[int, list[list[str]]], dict[str, object]]:
    rng = random.Random(SEED)
    days: dict[int, list[list[str]]] = {}
    clean: list[tuple[str, str, int]] = []  # (platform, variant, converted)
    duplicates = internal = 0
    serial = 0
    for day in range(1, DAYS + 1):
        rows: list[list[str]] = []
        weekend = (day % 7) in (6, 0)
        for _ in range(int(rng.gauss(2150 if weekend else 1950, 60))):
            serial += 1
            sid = f"s{serial * 7919 % 1_000_003:07d}"
            secs = rng.randrange(86400)
            platform = pick(rng, PLATFORMS)
            country = pick(rng, {c: w for c, (w, _) in COUNTRY.items()})
            variant = "B" if rng.random() < B_SHARE[platform] else "A"
            p = BASE[platform] + COUNTRY[country][1] + (0.01 if weekend else 0.0)
            p += EFFECT[platform] if variant == "B" else 0.0
            converted = 1 if rng.random() < p else 0
            source = pick(rng, SOURCES)
            rows.append([sid, secs, platform, country, variant, source, converted])
            clean.append((platform, variant, converted))
            if variant == "B" and platform == "web" and converted and rng.random() < 0.22:
                duplicates += 1
                rows.append(
                    [sid, min(86399, secs + rng.randint(1, 40)), platform, country, variant, source, 1]
                )
        for _ in range(rng.randint(40, 70)):
            serial += 1
            internal += 1
            sid = f"s{serial * 7919 % 1_000_003:07d}"
            platform = rng.choice(["web", "web", "android", "ios"])
            conv = 1 if rng.random() < 0.93 else 0
            rows.append([sid, rng.randrange(32400, 64800), platform, "US", "B", "internal", conv])
        rows.sort(key=lambda r: (r[1], r[0]))
        out = []
        for sid, secs, platform, country, variant, source, conv in rows:
            if day <= 3:
                variant = {"A": "control", "B": "treatment"}[variant]
            hh, rem = divmod(secs, 3600)
            ts = f"2025-03-{day:02d}T{hh:02d}:{rem // 60:02d}:{rem % 60:02d}Z"
            out.append([sid, ts, platform, country, variant, source, str(conv)])
        days[day] = out
    return days, truth(clean, duplicates, internal)


def rate(rows: list[tuple[str, str, int]], variant: str) -> float:
    hits = [c for _, v, c in rows if v == variant]
    return sum(hits) / len(hits)


def truth(clean: list[tuple[str, str, int]], duplicates: int, internal: int) -> dict[str, object]:
    """The answers, computed on the clean sessions exactly as instructions.md defines them."""
    by_platform = {}
    adjusted = 0.0
    for platform in PLATFORMS:
        rows = [r for r in clean if r[0] == platform]
        by_platform[platform] = round(100 * (rate(rows, "B") - rate(rows, "A")), 4)
        adjusted += len(rows) / len(clean) * by_platform[platform]
    return {
        "clean_sessions": len(clean),
        "duplicate_rows": duplicates,
        "internal_rows": internal,
        "naive_effect_pp": round(100 * (rate(clean, "B") - rate(clean, "A")), 4),
        "adjusted_effect_pp": round(adjusted, 4),
        "effect_by_platform_pp": by_platform,
    }


def main(outdir: str) -> None:
    days, answers = generate()
    out = Path(outdir)
    header = "session_id,started_at,platform,country,variant,traffic_source,converted\n"
    for day, rows in days.items():
        text = header + "".join(",".join(r) + "\n" for r in rows)
        (out / f"sessions_day{day:02d}.csv").write_text(text)
    (out / "truth.json").write_text(json.dumps(answers, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
