"""Cheap oracle: the author's hidden model (model.py, parameters below) simulated for every
query, and the bifurcation point, period and steady state computed from it. Writes
predictions.csv and answers.json."""

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import critical_input, period, simulate, steady_state  # noqa: E402

P = {"d1": 1.0, "K": 1.0, "n": 4.5, "k1": 1.0, "d2": 0.6, "c": 0.3, "k2": 1.2, "Vm": 2.0, "Km": 0.5, "k3": 1.0, "d4": 0.4}

schedules: dict[int, list[tuple[float, float]]] = {}
for row in csv.DictReader(open("query_inputs.csv")):
    schedules.setdefault(int(row["query"]), []).append((float(row["from_t"]), float(row["u"])))
lines = ["query,t,x1,x2,x3"]
for row in csv.DictReader(open("queries.csv")):
    q = int(row["query"])
    times = [float(t) for t in row["times"].split()]
    y0 = [float(row["x1_0"]), float(row["x2_0"]), float(row["x3_0"]), 0.0]
    for t, y in zip(times, simulate(P, y0, sorted(schedules[q]), times)):
        lines.append(f"{q},{t:g}," + ",".join(f"{v:.8f}" for v in y[:3]))
Path("predictions.csv").write_text("\n".join(lines) + "\n")
answers = {
    "critical_input": critical_input(P),
    "period_at_u": period(P, 2.6),
    "steady_x3_at_u": steady_state(P, 0.8)[2],
    "hill_coefficient": P["n"],
    "hidden_decay_rate": P["d4"],
}
Path("answers.json").write_text(json.dumps(answers, indent=2) + "\n")
