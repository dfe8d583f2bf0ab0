"""Reference analysis: regimes by thresholds on load (the three load modes are far apart);
dwell times from uncensored runs; the thermal model as one least-squares regression of the
minute-to-minute temperature change on ambient harmonics, temperature, load and a fouling hinge,
with the hinge's onset found by scanning every 10 minutes using suffix sums; bursts as runs of
vibration far above its linear dependence on load."""

import csv
import json
import math
from pathlib import Path

DAY = 1440.0


def solve(m: list[list[float]], v: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(v)
    a = [row[:] + [v[i]] for i, row in enumerate(m)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(n):
            if r != c and a[r][c]:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def regimes(load: list[float]) -> tuple[list[float], list[float]]:
    """Mean load and mean uncensored run length per regime."""
    states = [0 if x < 30 else 1 if x < 66 else 2 for x in load]
    means = [sum(x for x, s in zip(load, states, strict=True) if s == k) / states.count(k) for k in range(3)]
    runs: list[list[int]] = [[], [], []]
    start = 0
    for t in range(1, len(states) + 1):
        if t == len(states) or states[t] != states[start]:
            if start > 0 and t < len(states):
                runs[states[start]].append(t - start)
            start = t
    return means, [sum(r) / len(r) for r in runs]


def thermal(temp: list[float], load: list[float]) -> dict[str, float]:
    """Fit dT = c0 + c1 cos + c2 sin + c3 T + c4 L + c5 L (t - onset)+ / day for the best onset."""
    n = len(temp) - 1
    w = 2 * math.pi / DAY
    xs = [[1.0, math.cos(w * t), math.sin(w * t), temp[t], load[t]] for t in range(n)]
    ys = [temp[t + 1] - temp[t] for t in range(n)]
    days = [t / DAY for t in range(n)]
    xtx = [[sum(r[i] * r[j] for r in xs) for j in range(5)] for i in range(5)]
    xty = [sum(r[i] * y for r, y in zip(xs, ys, strict=True)) for i in range(5)]
    # suffix sums: A[j] = sum L d x_j, B[j] = sum L x_j (x_5 = y), and L^2 d^k
    a = [[0.0] * 6 for _ in range(n + 1)]
    b = [[0.0] * 6 for _ in range(n + 1)]
    c = [[0.0] * 3 for _ in range(n + 1)]
    for t in range(n - 1, -1, -1):
        cols = xs[t] + [ys[t]]
        lt, d = load[t], days[t]
        a[t] = [a[t + 1][j] + lt * d * cols[j] for j in range(6)]
        b[t] = [b[t + 1][j] + lt * cols[j] for j in range(6)]
        c[t] = [c[t + 1][k] + lt * lt * d**k for k in range(3)]
    best: tuple[float, int, list[float]] | None = None
    for onset in range(1440, n - 1440, 10):
        t0, d0 = onset + 1, onset / DAY
        cross = [a[t0][j] - d0 * b[t0][j] for j in range(6)]
        hh = c[t0][2] - 2 * d0 * c[t0][1] + d0 * d0 * c[t0][0]
        m = [row + [cross[i]] for i, row in enumerate(xtx)] + [cross[:5] + [hh]]
        v = xty + [cross[5]]
        coef = solve(m, v)
        fit = sum(ci * vi for ci, vi in zip(coef, v, strict=True))
        if best is None or fit > best[0]:
            best = (fit, onset, coef)
    assert best is not None
    _, onset, (c0, c1, c2, c3, c4, c5) = best
    u = -c3
    gain = c4 / u
    return {
        "tau_minutes": 1 / u,
        "gain_c_per_load": gain,
        "ambient_mean_c": c0 / u,
        "ambient_amplitude_c": math.hypot(c1, c2) / u,
        "ambient_peak_minute_of_day": (math.atan2(c2, c1) / w) % DAY,
        "fouling_onset_minute": onset,
        "fouling_growth_per_day": c5 / c4,
    }


def bursts(load: list[float], vib: list[float]) -> int:
    """Runs of vibration more than 0.15 above its linear fit on load."""
    n = len(load)
    ml, mv = sum(load) / n, sum(vib) / n
    slope = sum((x - ml) * (y - mv) for x, y in zip(load, vib, strict=True)) / sum(
        (x - ml) ** 2 for x in load
    )
    high = [y - mv - slope * (x - ml) > 0.15 for x, y in zip(load, vib, strict=True)]
    return sum(1 for t in range(n) if high[t] and (t == 0 or not high[t - 1]))


def main() -> None:
    """Write process.json."""
    with open("telemetry.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    load = [float(r["load"]) for r in rows]
    temp = [float(r["temp_c"]) for r in rows]
    vib = [float(r["vibration"]) for r in rows]
    means, dwell = regimes(load)
    answer = {
        "regimes": 3,
        "load_means": [round(x, 3) for x in means],
        "mean_dwell_minutes": [round(x, 2) for x in dwell],
        **{k: round(v, 4) for k, v in thermal(temp, load).items()},
        "bursts": bursts(load, vib),
    }
    Path("process.json").write_text(json.dumps(answer, indent=2) + "\n")


main()
