"""Reference analysis: predict every sensor from a plane fitted hour by hour to the reference
stations, then test each low-cost sensor's residuals for each fault type in turn (stuck runs,
clock lag, label swap, gain, drift)."""

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2025, 6, 1, tzinfo=timezone.utc)
HOURS = 60 * 24


def hour_of(text: str) -> int:
    t = datetime.strptime(text, "%Y-%m-%dT%H:00Z").replace(tzinfo=timezone.utc)
    return int((t - START).total_seconds() // 3600)


def stamp(hour: int) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:00Z")


def day_of(hour: float) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%d")


def solve3(m: list[list[float]], v: list[float]) -> list[float]:
    """Gaussian elimination for a 3x3 system."""
    a = [row[:] + [v[i]] for i, row in enumerate(m)]
    for c in range(3):
        p = max(range(c, 3), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(3):
            if r != c:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [a[i][3] / a[i][i] for i in range(3)]


def load() -> tuple[dict[str, tuple[float, float, str]], dict[str, list[float | None]]]:
    with open("stations.csv", newline="") as handle:
        st = {
            r["sensor_id"]: (float(r["x_km"]), float(r["y_km"]), r["grade"]) for r in csv.DictReader(handle)
        }
    data: dict[str, list[float | None]] = {}
    for name in st:
        values: list[float | None] = [None] * HOURS
        with open(f"sensor_{name}.csv", newline="") as handle:
            for r in csv.DictReader(handle):
                values[hour_of(r["timestamp"])] = float(r["temp_c"])
        data[name] = values
    return st, data


def planes(st: dict, data: dict) -> list[list[float] | None]:
    refs = [n for n, s in st.items() if s[2] == "reference"]
    out: list[list[float] | None] = []
    for h in range(HOURS):
        pts = [(st[n][0], st[n][1], data[n][h]) for n in refs if data[n][h] is not None]
        if len(pts) < 3:
            out.append(None)
            continue
        m = [[0.0] * 3 for _ in range(3)]
        v = [0.0] * 3
        for x, y, z in pts:
            row = (1.0, x, y)
            for i in range(3):
                v[i] += row[i] * z
                for j in range(3):
                    m[i][j] += row[i] * row[j]
        out.append(solve3(m, v))
    return out


def predict(plane: list[list[float] | None], x: float, y: float) -> list[float | None]:
    return [None if p is None else p[0] + p[1] * x + p[2] * y for p in plane]


def mse(obs: list, pred: list, lag: int = 0, lo: int = 0, hi: int = HOURS) -> float:
    pairs = [
        (obs[h], pred[h - lag])
        for h in range(max(lo, lag, 0), min(hi, HOURS + min(lag, 0)))
        if obs[h] is not None and pred[h - lag] is not None
    ]
    return sum((a - b) ** 2 for a, b in pairs) / max(1, len(pairs))


def stuck_run(obs: list) -> tuple[int, int] | None:
    best = None
    first = None
    last_val = None
    last_h = -1
    for h, v in enumerate(obs):
        if v is None:
            continue
        if v != last_val:
            first = h
        elif best is None or h - first > best[1] - best[0]:
            best = (first, h)
        last_val, last_h = v, h
    return best if best and best[1] - best[0] >= 12 else None


def linfit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def drift(obs: list, pred: list) -> tuple[float, int, float]:
    """Best hinge r(h) = rate * max(0, h - start)/24 through the origin; returns (sse, start, rate)."""
    res = [(h, obs[h] - pred[h]) for h in range(HOURS) if obs[h] is not None and pred[h] is not None]
    best = (sum(r * r for _, r in res), 0, 0.0)
    for start in range(0, HOURS - 48, 6):
        sx = sum(((h - start) / 24) ** 2 for h, _ in res if h > start)
        sxy = sum((h - start) / 24 * r for h, r in res if h > start)
        rate = sxy / sx
        sse = sum((r - (rate * (h - start) / 24 if h > start else 0.0)) ** 2 for h, r in res)
        if sse < best[0]:
            best = (sse, start, rate)
    return best


def find_swap(name: str, obs: list, pred: dict, low: list[str]) -> tuple[str, int] | None:
    """A partner whose location explains the readings from some hour on, while our own
    location explains them before it; the hour minimises the two-piece error."""
    for other in low:
        if other == name or mse(obs, pred[other], lo=HOURS - 24 * 5) > 0.1:
            continue
        if mse(obs, pred[name], lo=HOURS - 24 * 5) < 4 * mse(obs, pred[other], lo=HOURS - 24 * 5):
            continue
        own = [0.0] * (HOURS + 1)
        theirs = [0.0] * (HOURS + 1)
        for h in range(HOURS):
            ok = obs[h] is not None and pred[name][h] is not None
            own[h + 1] = own[h] + ((obs[h] - pred[name][h]) ** 2 if ok else 0.0)
            theirs[h + 1] = theirs[h] + ((obs[h] - pred[other][h]) ** 2 if ok else 0.0)
        cut = min(range(HOURS), key=lambda c: own[c] + theirs[HOURS] - theirs[c])
        return other, cut
    return None


def main() -> None:
    st, data = load()
    plane = planes(st, data)
    pred = {n: predict(plane, st[n][0], st[n][1]) for n in st}
    low = [n for n in st if st[n][2] == "low-cost"]
    answer: dict[str, dict] = {}
    for name in low:
        obs = data[name]
        base = mse(obs, pred[name])
        run = stuck_run(obs)
        if run:
            answer[name] = {"type": "stuck", "first": stamp(run[0]), "last": stamp(run[1])}
            continue
        lags = {k: mse(obs, pred[name], k) for k in range(-8, 9)}
        k = min(lags, key=lags.get)
        if k != 0 and lags[k] < 0.5 * base:
            answer[name] = {"type": "clock", "lag_hours": k}
            continue
        swap = find_swap(name, obs, pred, low)
        if swap:
            answer[name] = {"type": "swap", "partner": swap[0], "start_day": day_of(swap[1])}
            continue
        hs = [h for h in range(HOURS) if obs[h] is not None and pred[name][h] is not None]
        gain, offset = linfit([pred[name][h] for h in hs], [obs[h] for h in hs])
        gain_sse = sum((obs[h] - gain * pred[name][h] - offset) ** 2 for h in hs)
        drift_sse, start, rate = drift(obs, pred[name])
        if min(gain_sse, drift_sse) < 0.5 * base * len(hs):
            if gain_sse < drift_sse:
                answer[name] = {"type": "gain", "gain": round(gain, 4), "offset_c": round(offset, 3)}
            else:
                answer[name] = {"type": "drift", "start_day": day_of(start), "rate_c_per_day": round(rate, 4)}
            continue
        answer[name] = {"type": "ok"}
    Path("faults.json").write_text(json.dumps(answer, indent=2, sort_keys=True) + "\n")


main()
