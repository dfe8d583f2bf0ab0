"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

A network of 4 reference and 17 low-cost temperature sensors, hourly for 60 days. The true field
is a regional signal (diurnal cycle plus slow weather) plus a spatial gradient that turns with
the time of day, plus small local noise. Eight low-cost sensors are planted with one fault each:
three linear drifts from a start time, one gain/offset miscalibration whose mean bias is nearly
zero, one pair whose labels were swapped from some hour on, one logger clock running hours late,
one sensor stuck on a value for a stretch. About 1% of hours are missing everywhere.
Writes stations.csv and sensor_<ID>.csv (environment) and truth.json (scorer).
"""

import json
import math
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 55_120_817
HOURS = 60 * 24
START = datetime(2025, 6, 1, tzinfo=timezone.utc)


def stamp(hour: int) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:00Z")


def day_of(hour: float) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%d")


def layout(rng: random.Random) -> list[tuple[str, float, float, str]]:
    refs = [("R1", 3.0, 4.0), ("R2", 27.0, 5.0), ("R3", 4.0, 26.0), ("R4", 26.0, 27.0)]
    out = [(name, x + rng.uniform(-1, 1), y + rng.uniform(-1, 1), "reference") for name, x, y in refs]
    for i in range(1, 18):
        out.append((f"S{i:02d}", rng.uniform(0, 30), rng.uniform(0, 30), "low-cost"))
    return out


def field(rng: random.Random, stations: list[tuple[str, float, float, str]]) -> dict[str, list[float]]:
    weather = 0.0
    tilt = 0.0
    local = {s[0]: 0.0 for s in stations}
    series: dict[str, list[float]] = {s[0]: [] for s in stations}
    for h in range(HOURS):
        weather = 0.985 * weather + rng.gauss(0, 0.35)
        tilt = 0.99 * tilt + rng.gauss(0, 0.004)
        hod = h % 24
        common = 17.0 + 0.05 * h / 24 + 5.5 * math.sin(2 * math.pi * (hod - 9) / 24) + weather
        gx = 0.09 + 0.06 * math.sin(2 * math.pi * (hod - 14) / 24) + tilt
        gy = -0.06 + 0.03 * math.cos(2 * math.pi * (hod - 14) / 24)
        for name, x, y, _ in stations:
            local[name] = 0.9 * local[name] + rng.gauss(0, 0.07)
            series[name].append(common + gx * x + gy * y + local[name])
    return series


def plant(rng: random.Random, series: dict[str, list[float]], ids: list[str]) -> dict[str, dict]:
    """Apply the faults to the true series (in place); returns the ground truth per sensor."""
    chosen = rng.sample(ids, 8)
    truth: dict[str, dict] = {s: {"type": "ok"} for s in ids}
    for name in chosen[:3]:
        start = rng.randrange(8 * 24, 45 * 24)
        rate = rng.choice([-1, 1]) * rng.uniform(0.05, 0.12)
        s = series[name]
        for h in range(start, HOURS):
            s[h] += rate * (h - start) / 24
        truth[name] = {"type": "drift", "start_day": day_of(start), "rate_c_per_day": round(rate, 4)}
    name = chosen[3]
    gain = rng.choice([0.86, 0.88, 1.12, 1.14])
    offset = round(-(gain - 1) * 18.5 + rng.uniform(-0.2, 0.2), 2)
    series[name] = [gain * v + offset for v in series[name]]
    truth[name] = {"type": "gain", "gain": gain, "offset_c": offset}
    a, b = chosen[4], chosen[5]
    start = rng.randrange(12 * 24, 48 * 24)
    for h in range(start, HOURS):
        series[a][h], series[b][h] = series[b][h], series[a][h]
    truth[a] = {"type": "swap", "partner": b, "start_day": day_of(start)}
    truth[b] = {"type": "swap", "partner": a, "start_day": day_of(start)}
    name = chosen[6]
    lag = rng.randint(3, 6)
    orig = series[name]
    series[name] = [orig[max(0, h - lag)] for h in range(HOURS)]
    truth[name] = {"type": "clock", "lag_hours": lag}
    name = chosen[7]
    start = rng.randrange(5 * 24, 50 * 24)
    end = start + rng.randint(50, 150)
    s = series[name]
    for h in range(start + 1, end + 1):
        s[h] = s[start]
    truth[name] = {"type": "stuck", "first": stamp(start), "last": stamp(end)}
    return truth


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    stations = layout(rng)
    series = field(rng, stations)
    # measurement noise before faults so a stuck sensor repeats one recorded value exactly
    for name in series:
        series[name] = [round(v + rng.gauss(0, 0.05), 2) for v in series[name]]
    truth = plant(rng, series, [s[0] for s in stations if s[3] == "low-cost"])
    out = Path(outdir)
    lines = ["sensor_id,x_km,y_km,grade"] + [f"{n},{x:.2f},{y:.2f},{g}" for n, x, y, g in stations]
    (out / "stations.csv").write_text("\n".join(lines) + "\n")
    for name, values in series.items():
        rows = ["timestamp,temp_c"]
        rows += [f"{stamp(h)},{v:.2f}" for h, v in enumerate(values) if rng.random() > 0.01]
        (out / f"sensor_{name}.csv").write_text("\n".join(rows) + "\n")
    (out / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
