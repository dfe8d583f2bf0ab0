"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

The hidden lake-region model is in model.py (twelve stocks, monthly steps). A long spin-up with
random weather, then 600 observed months with nine historical interventions; noisy readings
(4% log-normal), 8% of readings missing at random, the four survey stocks (Z, F, P, S) read
only every third month. Ten new scenarios start at month 600 and are forecast 48 months under
normal weather.

Writes (environment) observations.csv, weather.csv, interventions.json, scenarios.json and
(scorer) truth_state.json (the true state at month 600, the delay history and the scenarios).
"""

import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import PARAMS, STOCKS, simulate  # noqa: E402

SEED = 6_000_417
SPIN_UP, MONTHS, HORIZON = 2400, 600, 48
REL_NOISE, MISSING = 0.04, 0.08
SURVEY = {"Z", "F", "P", "S"}
HISTORY = [
    {"kind": "fertiliser_cap", "start": 40, "end": 100, "value": 1.8},
    {"kind": "aeration", "start": 70, "end": 94, "value": 2.0},
    {"kind": "fishing_quota", "start": 130, "end": 178, "value": 0.4},
    {"kind": "stocking", "start": 200, "end": 224, "value": 0.05},
    {"kind": "promotion", "start": 250, "end": 290, "value": 1.4},
    {"kind": "dredging", "start": 300, "end": 330, "value": 0.03},
    {"kind": "fertiliser_cap", "start": 370, "end": 430, "value": 2.0},
    {"kind": "planting", "start": 425, "end": 445, "value": 4.0},
    {"kind": "wetland", "start": 455, "end": 520, "value": 0.5},
    {"kind": "fuel_subsidy", "start": 480, "end": 545, "value": 0.5},
]
SCENARIOS = [
    [("fertiliser_cap", 0, 48, 0.6)],
    [("fertiliser_cap", 0, 36, 1.8)],
    [("fishing_quota", 0, 48, 0.3), ("stocking", 0, 12, 0.1)],
    [("promotion", 0, 24, 1.5)],
    [("dredging", 0, 18, 0.05), ("aeration", 0, 48, 1.5)],
    [("fuel_subsidy", 0, 48, 0.4)],
    [("wetland", 0, 48, 0.4), ("planting", 0, 12, 2.0)],
    [("fertiliser_cap", 0, 30, 2.2), ("aeration", 0, 30, 2.5)],
    [("stocking", 0, 24, 0.15), ("promotion", 12, 48, 1.2)],
    [("fishing_quota", 0, 48, 1.8)],
]
FORECAST = ["A", "P", "T", "R"]


def main(outdir: str) -> None:
    out = Path(outdir)
    rng = random.Random(SEED)
    p = dict(PARAMS)
    weather = [(math.exp(0.25 * rng.gauss(0, 1)), math.exp(0.08 * rng.gauss(0, 1))) for _ in range(SPIN_UP + MONTHS)]
    x0 = [10.0, 0.5, 4.0, 1.0, 1.0, 0.3, 45.0, 10.0, 25.0, 18.0, 30.0, 1.0]
    spin = simulate(p, x0, -SPIN_UP, SPIN_UP, [], weather=weather[:SPIN_UP])
    start = spin[-1]
    hist = spin[-13:-1]
    states = [start] + simulate(p, start, 0, MONTHS, HISTORY, hist=hist, weather=weather[SPIN_UP:])
    # states[k] is the state at month k, k = 0 .. 600; months 0 .. 599 are observed
    lines = ["month," + ",".join(STOCKS)]
    for k in range(MONTHS):
        cells = []
        for name, v in zip(STOCKS, states[k]):
            noisy = v * math.exp(REL_NOISE * rng.gauss(0, 1))
            lost = rng.random() < MISSING or (name in SURVEY and k % 3 != 0)
            cells.append("" if lost else f"{noisy:.4g}")
        lines.append(f"{k}," + ",".join(cells))
    (out / "observations.csv").write_text("\n".join(lines) + "\n")
    wl = ["month,rain,light"] + [f"{k},{r:.4f},{g:.4f}" for k, (r, g) in enumerate(weather[SPIN_UP:])]
    (out / "weather.csv").write_text("\n".join(wl) + "\n")
    (out / "interventions.json").write_text(json.dumps(HISTORY, indent=1) + "\n")
    scen = [
        {"id": f"S{i + 1:02d}", "interventions": [
            {"kind": k, "start": 600 + a, "end": 600 + b, "value": v} for k, a, b, v in acts]}
        for i, acts in enumerate(SCENARIOS)
    ]
    public = {"first_month": 601, "months": HORIZON, "quantities": FORECAST, "scenarios": scen}
    (out / "scenarios.json").write_text(json.dumps(public, indent=1) + "\n")
    truth = {"state_600": [round(v, 12) for v in states[MONTHS]],
             "history_588_599": [[round(v, 12) for v in s] for s in states[MONTHS - 12:MONTHS]],
             "scenarios": public}
    (out / "truth_state.json").write_text(json.dumps(truth) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent))
