"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

The hidden system is in model.py (four species, one never measured, a repressive Hill
feedback through the hidden species, a saturating degradation and a bimolecular
sequestration; a Hopf bifurcation in the input). This script draws 120 training experiments
(random initial states, constant or one-step inputs, 50 irregular noisy samples of x1, x2, x3
each) and 12 query experiments, and computes the hidden answers.

Writes (environment) experiments.csv, inputs.csv, queries.csv, query_inputs.csv and
(scorer) truth.json, query_truth.csv.
"""

import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import critical_input, period, simulate, steady_state  # noqa: E402

SEED = 4_242_001
PARAMS = {"d1": 1.0, "K": 1.0, "n": 4.5, "k1": 1.0, "d2": 0.6, "c": 0.3, "k2": 1.2, "Vm": 2.0, "Km": 0.5, "k3": 1.0, "d4": 0.4}
N_TRAIN, N_QUERY, SAMPLES, DURATION = 120, 12, 50, 40.0
U_PERIOD, U_STEADY = 2.6, 0.8
REL_NOISE, ABS_NOISE = 0.03, 0.01


def draw_experiment(rng: random.Random, query: bool) -> tuple[list[float], list[tuple[float, float]]]:
    y0 = [round(rng.uniform(0, 2), 3), round(rng.uniform(0, 2), 3), round(rng.uniform(0, 1.5), 3), 0.0]
    u0 = round(math.exp(rng.uniform(math.log(0.2), math.log(3.5))), 3)
    schedule = [(0.0, u0)]
    if rng.random() < (0.5 if query else 0.3):
        schedule.append((round(rng.uniform(8, 22), 2), round(math.exp(rng.uniform(math.log(0.2), math.log(3.5))), 3)))
    return y0, schedule


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    p = dict(PARAMS)
    exp_lines = ["experiment,t,x1,x2,x3"]
    input_lines = ["experiment,from_t,u"]
    for e in range(1, N_TRAIN + 1):
        y0, schedule = draw_experiment(rng, False)
        times = sorted({0.0} | {round(rng.uniform(0.05, DURATION), 2) for _ in range(SAMPLES - 1)})
        states = simulate(p, y0, schedule, times)
        for t, y in zip(times, states):
            obs = [max(0.0, v * (1 + REL_NOISE * rng.gauss(0, 1)) + ABS_NOISE * rng.gauss(0, 1)) for v in y[:3]]
            exp_lines.append(f"{e},{t:.2f}," + ",".join(f"{v:.4f}" for v in obs))
        for s, u in schedule:
            input_lines.append(f"{e},{s:.2f},{u}")
    query_lines = ["query,x1_0,x2_0,x3_0,times"]
    qin_lines = ["query,from_t,u"]
    truth_lines = ["query,t,x1,x2,x3"]
    for q in range(1, N_QUERY + 1):
        y0, schedule = draw_experiment(rng, True)
        if q <= 4:  # a few well above the bifurcation, constant input
            schedule = [(0.0, round(rng.uniform(2.2, 3.5), 3))]
        times = [round(1.5 * (i + 1), 2) for i in range(20)]
        query_lines.append(f"{q},{y0[0]},{y0[1]},{y0[2]}," + " ".join(f"{t:g}" for t in times))
        for s, u in schedule:
            qin_lines.append(f"{q},{s:.2f},{u}")
        for t, y in zip(times, simulate(p, y0, schedule, times)):
            truth_lines.append(f"{q},{t:g}," + ",".join(f"{v:.8f}" for v in y[:3]))
    out = Path(outdir)
    (out / "experiments.csv").write_text("\n".join(exp_lines) + "\n")
    (out / "inputs.csv").write_text("\n".join(input_lines) + "\n")
    (out / "queries.csv").write_text("\n".join(query_lines) + "\n")
    (out / "query_inputs.csv").write_text("\n".join(qin_lines) + "\n")
    (out / "query_truth.csv").write_text("\n".join(truth_lines) + "\n")
    truth = {
        "critical_input": round(critical_input(p), 8),
        "period_at_u": round(period(p, U_PERIOD), 6),
        "steady_x3_at_u": round(steady_state(p, U_STEADY)[2], 8),
        "hill_coefficient": p["n"],
        "hidden_decay_rate": p["d4"],
        "u_period": U_PERIOD,
        "u_steady": U_STEADY,
        "params": p,
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
