"""Reference solution: the network read from network.json, integrated with a Radau IIA
(order 5, L-stable) integrator with step-doubling error control at rtol 1e-10; writes
concentrations.csv."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from radau import integrate  # noqa: E402

net = json.loads(Path("network.json").read_text())
k1, k2, k3, k4, k5 = (r[f"k{i + 1}"] for i, r in enumerate(net["reactions"]))


def f(y: list[float]) -> list[float]:
    a, b, c, d = y
    r1, r2, r3, r4, r5 = k1 * a, k2 * b * b, k3 * b * c, k4 * c, k5 * d
    return [-r1 + r3 + 2 * r5, r1 - 2 * r2 - r3, r2 - r4, r4 - r5]


def jac(y: list[float]) -> list[list[float]]:
    a, b, c, d = y
    return [
        [-k1, k3 * c, k3 * b, 2 * k5],
        [k1, -4 * k2 * b - k3 * c, -k3 * b, 0.0],
        [0.0, 2 * k2 * b, -k4, 0.0],
        [0.0, 0.0, k4, -k5],
    ]


y0 = [net["initial"][s] for s in net["species"]]
times = net["output_times"]
rows = integrate(f, jac, y0, times, rtol=1e-10)
lines = ["time," + ",".join(net["species"])]
lines += [f"{t!r}," + ",".join(f"{v:.12e}" for v in row) for t, row in zip(times, rows)]
Path("concentrations.csv").write_text("\n".join(lines) + "\n")
