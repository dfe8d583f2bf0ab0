"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

A firm-year panel (2006-2021) of log revenue per employee. Firms adopt a policy in staggered
cohorts (2010, 2013, 2016; others never). The effect grows with time since adoption and differs
by cohort, so a two-way fixed-effects regression is biased; industries grow at different rates
and fast-growing industries adopt early, so only comparisons within industry are valid.
Data traps: one region reports revenue in EUR millions instead of thousands from 2015; some
firm-years were filed twice (the later filing restates the earlier one); a few rows lack the
employee count; policy years are written in several ways.
Writes firms.csv and financials.csv (environment) and truth.json (scorer).
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 90_411_273
YEARS = list(range(2006, 2022))
COHORTS = {2010: (0.02, 0.030), 2013: (0.04, 0.020), 2016: (0.09, 0.000)}
REGIONS = ["NW", "NE", "C", "SW", "SE"]


def effect(cohort: int | None, year: int) -> float:
    if cohort is None or year < cohort:
        return 0.0
    a, b = COHORTS[cohort]
    return a + b * (year - cohort)


def twfe(rows: list[tuple[str, int, float, float]]) -> float:
    """Coefficient on the treatment dummy with firm and year fixed effects (alternating
    projections until the residualised variables stop changing)."""
    y = [r[2] for r in rows]
    d = [r[3] for r in rows]
    for _ in range(500):
        change = 0.0
        for key in (0, 1):
            for vec in (y, d):
                sums: dict[object, list[float]] = {}
                for r, v in zip(rows, vec):
                    acc = sums.setdefault(r[key], [0.0, 0])
                    acc[0] += v
                    acc[1] += 1
                for i, r in enumerate(rows):
                    mean = sums[r[key]][0] / sums[r[key]][1]
                    vec[i] -= mean
                    change = max(change, abs(mean))
        if change < 1e-12:
            break
    return sum(a * b for a, b in zip(y, d)) / sum(b * b for b in d)


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    slopes = {f"IND{k:02d}": rng.uniform(-0.02, 0.035) for k in range(1, 13)}
    shocks = {(k, t): rng.gauss(0, 0.03) for k in slopes for t in YEARS}
    macro, level = {}, 0.0
    for t in YEARS:
        level += rng.gauss(0.01, 0.03)
        macro[t] = level
    firm_rows, fin_rows, clean = [], [], []
    truth_cells: list[tuple[int, int, float]] = []
    for n in range(1, 761):
        fid = f"F{n * 37 % 10007:05d}"
        industry = rng.choice(list(slopes))
        region = rng.choice(REGIONS)
        speed = (slopes[industry] + 0.02) / 0.055  # 0 (slow industry) .. 1 (fast)
        u = rng.random()
        cohort = (
            2010
            if u < 0.1 + 0.3 * speed
            else 2013
            if u < 0.3 + 0.3 * speed
            else 2016
            if u < 0.5 + 0.25 * speed
            else None
        )
        written = "" if cohort is None else rng.choice([str(cohort), f"{cohort}.0", f"FY{cohort}"])
        if cohort is None and rng.random() < 0.4:
            written = "never"
        firm_rows.append(f"{fid},{industry},{region},{written}")
        alpha = rng.gauss(4.0, 0.5)
        size = math.exp(rng.gauss(3.5, 1.0))
        first = rng.choice(YEARS[:4]) if rng.random() < 0.3 else 2006
        last = rng.choice(YEARS[-5:]) if rng.random() < 0.2 else 2021
        for t in range(first, last + 1):
            tau = effect(cohort, t)
            y = alpha + macro[t] + slopes[industry] * (t - 2006) + shocks[industry, t] + tau
            y += rng.gauss(0, 0.03)
            staff = max(2, round(size * math.exp(rng.gauss(0, 0.05))))
            revenue = round(staff * math.exp(y), 1)
            y = math.log(revenue / staff)
            filed = f"{t + 1}-0{rng.randint(3, 6)}-{rng.randint(10, 28)}"
            reported = revenue / 1000 if region == "NE" and t >= 2015 else revenue
            rev_text = f"{reported:.4f}" if region == "NE" and t >= 2015 else f"{reported:.1f}"
            if rng.random() < 0.01:
                fin_rows.append((fid, t, rev_text, "", filed))
                continue
            if rng.random() < 0.04:
                wrong = reported * rng.choice([0.7, 0.8, 1.25, 1.4])
                early = f"{t + 1}-0{rng.randint(1, 2)}-{rng.randint(10, 28)}"
                fin_rows.append((fid, t, f"{wrong:.4f}", str(staff), early))
            fin_rows.append((fid, t, rev_text, str(staff), filed))
            clean.append((fid, t, y, 1.0 if cohort is not None and t >= cohort else 0.0))
            if cohort is not None and t >= cohort:
                truth_cells.append((cohort, t - cohort, tau))
    rng.shuffle(fin_rows)
    out = Path(outdir)
    (out / "firms.csv").write_text("firm_id,industry,region,policy_year\n" + "\n".join(firm_rows) + "\n")
    lines = ["firm_id,year,revenue,employees,filed_on"] + [",".join(map(str, r)) for r in fin_rows]
    (out / "financials.csv").write_text("\n".join(lines) + "\n")

    def mean(cells: list[tuple[int, int, float]]) -> float:
        return round(sum(c[2] for c in cells) / len(cells), 5)

    truth = {
        "twfe_coefficient": round(twfe(clean), 5),
        "att_overall": mean(truth_cells),
        "att_by_cohort": {str(g): mean([c for c in truth_cells if c[0] == g]) for g in COHORTS},
        "att_by_event_time": {str(e): mean([c for c in truth_cells if c[1] == e]) for e in range(6)},
        "clean_rows": len(clean),
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
