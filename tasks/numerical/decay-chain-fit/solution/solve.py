"""Reference solution: Poisson maximum likelihood by Fisher scoring from a few starting points
(both orderings of the half-lives), the best optimum kept; standard errors and the correlation
from the inverse Hessian of the negative log-likelihood. Writes fit.json."""

import csv
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fitlib import fit, nll, observed_covariance  # noqa: E402

setup = json.loads(Path("setup.json").read_text())
with open("counts.csv", newline="") as handle:
    bins = [(int(r["run"]) - 1, float(r["start_s"]), float(r["end_s"]), int(r["counts"])) for r in csv.DictReader(handle)]
best = None
for tp, td in ((10.0, 2.0), (2.0, 10.0), (6.0, 3.0)):
    try:
        theta = fit([10.0, tp, td, 0.03, 0.03, 0.03], setup, bins)
    except (ZeroDivisionError, OverflowError, ValueError):
        continue
    value = nll(theta, setup, bins)
    if best is None or value < best[0]:
        best = (value, theta)
assert best is not None
theta = best[1]
cov = observed_covariance(theta, setup, bins)
err = [math.sqrt(cov[i][i]) for i in range(3)]
result = {
    "half_life_parent_h": theta[1],
    "half_life_parent_h_err": err[1],
    "half_life_daughter_h": theta[2],
    "half_life_daughter_h_err": err[2],
    "specific_activity_bq_per_g": theta[0],
    "specific_activity_bq_per_g_err": err[0],
    "corr_parent_daughter": cov[1][2] / (err[1] * err[2]),
}
Path("fit.json").write_text(json.dumps(result, indent=2) + "\n")
