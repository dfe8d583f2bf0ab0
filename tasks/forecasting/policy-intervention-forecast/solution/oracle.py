"""Writes forecasts.json from the hidden model and the true state at month 600 (author's oracle)."""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from model import PARAMS, STOCKS, simulate  # noqa: E402

truth = json.loads((HERE / "truth_state.json").read_text())
spec = truth["scenarios"]
out = {}
for sc in spec["scenarios"]:
    states = simulate(dict(PARAMS), truth["state_600"], 600, spec["months"], sc["interventions"], hist=truth["history_588_599"])
    out[sc["id"]] = {q: [round(s[STOCKS.index(q)], 6) for s in states] for q in spec["quantities"]}
Path("forecasts.json").write_text(json.dumps(out, indent=1) + "\n")
