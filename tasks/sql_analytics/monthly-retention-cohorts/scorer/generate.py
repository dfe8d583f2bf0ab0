"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes app.sql (environment: users and events of a mobile app, as a SQL dump) and
expected.csv (scorer: the retention table). Traps, all covered by the instructions: timestamps
carry UTC offsets (a few events and signups change month once converted to UTC), internal
accounts must be left out, only 'session' and 'purchase' events count as activity, some events
are exported twice, some belong to deleted users, and users who sign up outside the six cohort
months exist. The expected table is computed here in plain Python, not with SQL.
"""

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 52_031
START = datetime(2023, 12, 1, tzinfo=timezone.utc)
END = datetime(2024, 12, 31, 23, 59, tzinfo=timezone.utc)
OFFSETS = [0] * 6 + [60, 120, -180, -300, 330, 540, -240]
KINDS = ["session"] * 6 + ["purchase", "email_open", "email_open", "push_received"]
COHORTS = [f"2024-{m:02d}" for m in range(1, 7)]


def q(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def dump(name: str, ddl: str, rows: list[tuple[object, ...]]) -> list[str]:
    out = [ddl]
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        out.append(f"INSERT INTO {name} VALUES\n" + ",\n".join("(" + ",".join(map(q, r)) + ")" for r in chunk) + ";")
    return out


def stamp(rng: random.Random, moment: datetime) -> str:
    """The moment written in a random local offset, ISO 8601 with the offset (or Z)."""
    minutes = rng.choice(OFFSETS)
    local = moment.astimezone(timezone(timedelta(minutes=minutes)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if minutes == 0:
        return text + "Z"
    sign = "+" if minutes > 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def month(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m")


def month_index(label: str) -> int:
    year, mon = map(int, label.split("-"))
    return year * 12 + mon - 1


def edge_moment(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A moment in [lo, hi], one time in six within a few hours of a month boundary."""
    moment = lo + timedelta(seconds=rng.randint(0, int((hi - lo).total_seconds())))
    if rng.random() < 1 / 6:
        first = moment.replace(day=1, hour=0, minute=0, second=0)
        moment = first + timedelta(minutes=rng.randint(-400, 400))
        moment = min(max(moment, lo), hi)
    return moment


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    users, events, truth_events = [], [], []
    signups: dict[int, datetime] = {}
    internal: set[int] = set()
    for uid in range(1001, 2601):
        signup = edge_moment(rng, START, datetime(2024, 7, 31, tzinfo=timezone.utc))
        is_internal = 1 if rng.random() < 0.05 else 0
        users.append((uid, stamp(rng, signup), rng.choice(["PT", "BR", "US", "IN", "DE"]), is_internal))
        signups[uid] = signup
        if is_internal:
            internal.add(uid)
        stickiness = rng.choice([0.0, 0.15, 0.35, 0.6, 0.85])
        horizon = signup
        while True:
            horizon += timedelta(days=rng.randint(3, 40))
            if horizon > END or rng.random() > stickiness + 0.25:
                break
            for _ in range(rng.randint(1, 4)):
                moment = edge_moment(rng, signup, min(END, horizon))
                truth_events.append((uid, moment, rng.choice(KINDS)))
        if rng.random() < 0.3:
            truth_events.append((uid, signup + timedelta(minutes=rng.randint(1, 90)), "email_open"))
    for uid in range(9001, 9061):  # deleted users: events only
        moment = edge_moment(rng, START, END)
        truth_events.append((uid, moment, "session"))
    truth_events.sort(key=lambda e: (e[1], e[0]))
    eid = 500_000
    for uid, moment, kind in truth_events:
        eid += rng.randint(1, 3)
        row = (eid, uid, stamp(rng, moment), kind)
        events.append(row)
        if rng.random() < 0.03:
            events.append(row)  # exported twice
    cohort_users: dict[str, set[int]] = {c: set() for c in COHORTS}
    for uid, signup in signups.items():
        if uid not in internal and month(signup) in cohort_users:
            cohort_users[month(signup)].add(uid)
    active: dict[int, set[int]] = {}
    for uid, moment, kind in truth_events:
        if kind in ("session", "purchase") and uid in signups:
            active.setdefault(uid, set()).add(month_index(month(moment)))
    rows = ["cohort,users,m0,m1,m2,m3,m4,m5"]
    for cohort in COHORTS:
        members = cohort_users[cohort]
        base = month_index(cohort)
        cells = [f"{sum(1 for u in members if base + k in active.get(u, set())) / len(members):.4f}" for k in range(6)]
        rows.append(",".join([cohort, str(len(members)), *cells]))
    lines = ["-- App analytics dump (SQLite dialect). Load it with Python's sqlite3 module.", ""]
    lines += dump("users", "CREATE TABLE users (user_id INTEGER PRIMARY KEY, signup_at TEXT NOT NULL, country TEXT NOT NULL, is_internal INTEGER NOT NULL);", users)
    lines += dump("events", "CREATE TABLE events (event_id INTEGER NOT NULL, user_id INTEGER NOT NULL, occurred_at TEXT NOT NULL, kind TEXT NOT NULL);", events)
    out = Path(outdir)
    (out / "app.sql").write_text("\n".join(lines) + "\n")
    (out / "expected.csv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
