"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Two weeks of per-minute telemetry from one machine (telemetry.csv, environment) and the hidden
process behind it (truth.json, scorer):
- load follows a hidden three-state Markov chain (idle, normal, heavy), each state with its own
  mean load and geometric dwell time;
- temperature relaxes towards ambient + gain x load with a time constant tau (first order),
  ambient has a daily cycle; from an onset minute the gain grows linearly (fouling);
- vibration is linear in load plus decaying bursts arriving as a Poisson process.
Dwell times and the burst count are the realised ones; the other values are the parameters.
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 8_802_311
MINUTES = 14 * 1440
LOAD_MEAN = (12.0, 48.0, 85.0)
STAY = (1 - 1 / 45, 1 - 1 / 120, 1 - 1 / 30)
NEXT = ((0, 0.8, 0.2), (0.5, 0, 0.5), (0.1, 0.9, 0))
TAU, GAIN, AMB_MEAN, AMB_AMP, AMB_PEAK = 37.0, 0.42, 20.0, 4.0, 15 * 60
GROWTH = 0.035  # relative growth of the gain per day after the onset


def main(outdir: str) -> None:
    """Simulate, write the telemetry and the truth."""
    rng = random.Random(SEED)
    onset = rng.randrange(5 * 1440, 9 * 1440)
    state, states, rows = 1, [], []
    temp = AMB_MEAN + GAIN * LOAD_MEAN[1]
    bursts, burst_left, burst_amp = 0, 0, 0.0
    for t in range(MINUTES):
        if rng.random() > STAY[state]:
            state = rng.choices((0, 1, 2), weights=NEXT[state])[0]
        states.append(state)
        load = max(0.0, LOAD_MEAN[state] + rng.gauss(0, 4.0))
        ambient = AMB_MEAN + AMB_AMP * math.cos(2 * math.pi * (t - AMB_PEAK) / 1440)
        gain = GAIN * (1 + GROWTH * max(0, t - onset) / 1440)
        observed_temp = temp + rng.gauss(0, 0.05)
        if burst_left == 0 and rng.random() < 1 / 480:
            bursts += 1
            burst_left, burst_amp = 20, rng.uniform(0.3, 2.0)
        spike = burst_amp * math.exp(-(20 - burst_left) / 5) if burst_left else 0.0
        burst_left = max(0, burst_left - 1)
        vibration = 0.3 + 0.004 * load + spike + rng.gauss(0, 0.02)
        rows.append(f"{t},{load:.2f},{observed_temp:.3f},{vibration:.3f}")
        temp += (ambient + gain * load - temp) / TAU + rng.gauss(0, 0.05)
    runs: dict[int, list[int]] = {0: [], 1: [], 2: []}
    start = 0
    for t in range(1, MINUTES + 1):
        if t == MINUTES or states[t] != states[start]:
            if start > 0 and t < MINUTES:  # censored first and last runs left out
                runs[states[start]].append(t - start)
            start = t
    out = Path(outdir)
    (out / "telemetry.csv").write_text("minute,load,temp_c,vibration\n" + "\n".join(rows) + "\n")
    truth = {
        "regimes": 3,
        "load_means": list(LOAD_MEAN),
        "mean_dwell_minutes": [round(sum(r) / len(r), 2) for r in runs.values()],
        "tau_minutes": TAU,
        "gain_c_per_load": GAIN,
        "ambient_mean_c": AMB_MEAN,
        "ambient_amplitude_c": AMB_AMP,
        "ambient_peak_minute_of_day": AMB_PEAK,
        "fouling_onset_minute": onset,
        "fouling_growth_per_day": GROWTH,
        "bursts": bursts,
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
