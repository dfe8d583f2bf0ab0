"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes setup.json and counts.csv (environment: three counting runs of samples from one freshly
separated parent-daughter batch) and truth.json (scorer: the Poisson maximum-likelihood
estimates of the parent's and daughter's half-lives and the parent's specific activity, their
standard errors from the observed information, and the correlation of the two half-lives; plus
the true values for reference). The fit is fitlib.fit started at the true values.
"""

import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fitlib import expected, fit, nll, observed_covariance  # noqa: E402

SEED = 5_550_123


def poisson(rng: random.Random, mu: float) -> int:
    """Exact Poisson draw by inversion, in pieces of mean at most 50."""
    total = 0
    pieces = max(1, math.ceil(mu / 50))
    for _ in range(pieces):
        m = mu / pieces
        u, k, p = rng.random(), 0, math.exp(-m)
        cdf = p
        while u > cdf and k < 10_000:
            k += 1
            p *= m / k
            cdf += p
        total += k
    return total


def main(outdir: str) -> None:
    """Draw the batch, the runs and the counts; fit; write everything."""
    rng = random.Random(SEED)
    a = round(rng.uniform(8, 14), 3)
    tp = round(rng.uniform(6.0, 9.0), 3)
    td = round(tp / rng.uniform(1.7, 2.4), 3)
    setup = {
        "eff_parent": 0.284,
        "eff_daughter": 0.617,
        "runs": [
            {"run": 1, "mass_g": round(rng.uniform(0.03, 0.05), 4), "start_h": 0.25, "bin_s": 300, "bins": 120},
            {"run": 2, "mass_g": round(rng.uniform(0.06, 0.09), 4), "start_h": 9.5, "bin_s": 600, "bins": 150},
            {"run": 3, "mass_g": round(rng.uniform(0.10, 0.14), 4), "start_h": 40.0, "bin_s": 1800, "bins": 70},
        ],
    }
    truth_theta = [a, tp, td] + [round(rng.uniform(0.02, 0.06), 4) for _ in range(3)]
    bins = []
    for r, run in enumerate(setup["runs"]):
        paused = rng.randrange(20, run["bins"] - 30)
        for i in range(run["bins"]):
            if paused <= i < paused + rng.choice([0, 0, 6]) or (r == 1 and paused <= i < paused + 9):
                continue  # the counter was paused (the bin is missing from the file)
            t0 = run["start_h"] * 3600 + i * run["bin_s"]
            t1 = t0 + run["bin_s"]
            bins.append((r, float(t0), float(t1), poisson(rng, expected(truth_theta, setup, r, t0, t1))))
    theta = fit(truth_theta, setup, bins)
    cov = observed_covariance(theta, setup, bins)
    swapped = fit([theta[0], theta[2], theta[1]] + theta[3:], setup, bins)
    out = Path(outdir)
    (out / "setup.json").write_text(json.dumps(setup, indent=2) + "\n")
    lines = ["run,start_s,end_s,counts"] + [f"{r + 1},{t0:.0f},{t1:.0f},{k}" for r, t0, t1, k in bins]
    (out / "counts.csv").write_text("\n".join(lines) + "\n")
    err = [math.sqrt(cov[i][i]) for i in range(3)]
    truth = {
        "half_life_parent_h": float(f"{theta[1]:.10g}"),
        "half_life_parent_h_err": float(f"{err[1]:.6g}"),
        "half_life_daughter_h": float(f"{theta[2]:.10g}"),
        "half_life_daughter_h_err": float(f"{err[2]:.6g}"),
        "specific_activity_bq_per_g": float(f"{theta[0]:.10g}"),
        "specific_activity_bq_per_g_err": float(f"{err[0]:.6g}"),
        "corr_parent_daughter": float(f"{cov[1][2] / (err[1] * err[2]):.6g}"),
        "generating_values": {"a": a, "tp": tp, "td": td, "backgrounds": truth_theta[3:]},
        "backgrounds_fit": [float(f"{b:.8g}") for b in theta[3:]],
        "nll_best": float(f"{nll(theta, setup, bins):.10g}"),
        "swapped_start_converged_to": [float(f"{v:.6g}") for v in swapped[:3]],
        "nll_swapped": float(f"{nll(swapped, setup, bins):.10g}"),
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
