"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes network.json (environment: a made-up stiff reaction cycle, its rate constants, initial
concentrations and the output times) and truth.json (scorer: the concentrations at those times,
from the Radau IIA integrator in radau.py at a relative tolerance of 1e-11, checked against a
second run at 1e-9).
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from radau import integrate  # noqa: E402

SEED = 7_310_422
SPECIES = ["A", "B", "C", "D"]
TIMES = [2e-5, 0.01, 1.0, 100.0, 1000.0, 5000.0]


def model(k: list[float]):  # type: ignore[no-untyped-def]
    """Right-hand side and Jacobian of the cycle A -> B, 2B -> C, B + C -> A + C, C -> D, D -> 2A."""
    k1, k2, k3, k4, k5 = k

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

    return f, jac


def main(outdir: str) -> None:
    """Write the network and the reference concentrations."""
    rng = random.Random(SEED)
    k = [
        float(f"{rng.uniform(0.3, 0.8):.4g}"),
        float(f"{rng.uniform(1.5e7, 4.5e7):.4g}"),
        float(f"{rng.uniform(0.8e6, 2.0e6):.4g}"),
        float(f"{rng.uniform(2e-3, 5e-3):.4g}"),
        float(f"{rng.uniform(1e-3, 3e-3):.4g}"),
    ]
    y0 = [float(f"{rng.uniform(0.8, 1.2):.4g}"), 0.0, float(f"{rng.uniform(0.1, 0.3):.4g}"), 0.0]
    f, jac = model(k)
    ref = integrate(f, jac, y0, TIMES, rtol=1e-11)
    check = integrate(f, jac, y0, TIMES, rtol=1e-9)
    for row, other in zip(ref, check):
        for a, b in zip(row, other):
            assert abs(a - b) <= 1e-7 * abs(a), (a, b)
    out = Path(outdir)
    network = {
        "species": SPECIES,
        "reactions": [
            {"name": "r1", "equation": "A -> B", "rate": "k1*[A]", "k1": k[0]},
            {"name": "r2", "equation": "B + B -> C", "rate": "k2*[B]^2", "k2": k[1]},
            {"name": "r3", "equation": "B + C -> A + C", "rate": "k3*[B]*[C]", "k3": k[2]},
            {"name": "r4", "equation": "C -> D", "rate": "k4*[C]", "k4": k[3]},
            {"name": "r5", "equation": "D -> A + A", "rate": "k5*[D]", "k5": k[4]},
        ],
        "initial": dict(zip(SPECIES, y0)),
        "output_times": TIMES,
    }
    (out / "network.json").write_text(json.dumps(network, indent=2) + "\n")
    truth = {
        "times": TIMES,
        "values": {f"{s}@{t:g}": float(f"{row[i]:.12e}") for t, row in zip(TIMES, ref) for i, s in enumerate(SPECIES)},
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
