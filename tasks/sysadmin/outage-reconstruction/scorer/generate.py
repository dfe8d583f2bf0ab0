"""Regenerates this task's data (deterministic, fixed seed).

    python3 generate.py OUTDIR            writes truth.json and snapshot.sha256 (flat files)
    python3 generate.py OUTDIR ENVDIR     also lays the snapshot out under ENVDIR/

Simulates one bad day of a 32-host estate. A backup of the hosts' configurations from a week
earlier (backup/; the job failed on five application hosts, whose start-of-day files must be
recovered from their peers' patterns and the baseline hash confwatch logs every morning), the change tickets of that week (tickets.txt: implemented, rolled back,
rejected and today's), and the hosts as they are at the end of the day (hosts/<host>/: etc/ and
var/log/). During the day approved changes are pushed (some with typos on some hosts), people
make unapproved hand edits (some silent, some breaking), breakages cascade over DNS and database
dependencies (application configs and resolv.conf name peers by IP address, hosts files map
them), an operator reverts one hand edit, and services recover. Four hosts' clocks are off: two
application hosts (visible through request ids shared with the load balancer's log), one host
with a chrony offset message, one logging in local time (etc/timezone).

truth.json holds the expected configuration of every file (backup + implemented tickets) and
the true timeline: every configuration change, every service failure with its root cause, every
recovery, in UTC. snapshot.sha256 pins every environment file.
"""

import hashlib
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 31_337
DAY = datetime(2025, 3, 14, tzinfo=timezone.utc)
WEEK_AGO = DAY - timedelta(days=7)

PATHS = {
    "dns": "/etc/unbound/unbound.conf",
    "db": "/etc/postgresql/postgresql.conf",
    "cache": "/etc/redis/redis.conf",
    "app": "/etc/orbit/app.ini",
    "queue": "/etc/rabbitmq/rabbitmq.conf",
    "lb": "/etc/haproxy/backends.conf",
}
SERVICE = {"dns": "unbound", "db": "postgresql", "cache": "redis", "app": "orbit", "queue": "rabbitmq",
           "lb": "haproxy"}


def render(conf: dict) -> str:
    out = []
    for section, keys in conf.items():
        out.append(f"[{section}]")
        out += [f"{k} = {v}" for k, v in keys.items()]
        out.append("")
    return "\n".join(out)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class World:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.hosts: dict[str, dict] = {}
        counts = [("lb", 1), ("dns", 2), ("db", 2), ("cache", 3), ("queue", 2), ("app", 22)]
        for kind, n in counts:
            for i in range(1, n + 1):
                name = f"{kind}-{i:02d}"
                self.hosts[name] = {"kind": kind, "ip": f"10.4.{len(self.hosts) // 8}.{10 + len(self.hosts)}",
                                    "skew": 0, "tz": 0}
        self.ip = {h: v["ip"] for h, v in self.hosts.items()}
        self.apps = [h for h in self.hosts if h.startswith("app")]
        self.conf: dict[str, dict] = {}
        for h, v in self.hosts.items():
            self.conf[h] = self.base(h, v["kind"])
        self.logs: dict[str, list[tuple[datetime, str, str]]] = {h: [] for h in self.hosts}
        self.timeline: list[dict] = []

    def base(self, h: str, kind: str) -> dict:
        r = self.rng
        if kind == "dns":
            return {"server": {"interface": "0.0.0.0", "port": 53, "num_threads": 2, "cache_max_ttl": 3600},
                    "forward": {"zone": "corp.internal", "forward_addr": "10.0.0.2", "fallback": "10.0.0.7"}}
        if kind == "db":
            return {"main": {"listen_addresses": "*", "port": 5432, "max_connections": 300,
                             "shared_buffers": "4GB", "wal_level": "replica"}}
        if kind == "cache":
            return {"main": {"bind": "0.0.0.0", "port": 6379, "maxmemory": "2gb",
                             "maxmemory_policy": "allkeys-lru", "timeout": 0}}
        if kind == "queue":
            return {"main": {"listeners_tcp": 5672, "vm_memory_high_watermark": 0.6, "disk_free_limit": "2GB",
                             "heartbeat": 60}}
        if kind == "lb":
            return {"backend_app": {a: f"{self.ip[a]}:8000 weight=10" for a in sorted(self.hosts) if a.startswith("app")},
                    "defaults": {"timeout_connect": "5s", "timeout_server": "30s", "retries": 3}}
        db = r.choice(["db-01", "db-02"])
        return {"server": {"port": 8000, "workers": r.choice([8, 12, 16])},
                "db": {"host": self.ip[db], "port": 5432, "pool": 20},
                "cache": {"hosts": ",".join(f"{self.ip[c]}:6379" for c in ("cache-01", "cache-02", "cache-03"))},
                "queue": {"host": self.ip[r.choice(["queue-01", "queue-02"])], "port": 5672}}

    def log(self, host: str, t: datetime, proc: str, msg: str) -> None:
        self.logs[host].append((t, proc, msg))

    def change(self, host: str, t: datetime, mutate) -> None:
        mutate(self.conf[host])
        kind = self.hosts[host]["kind"]
        self.log(host, t, "confwatch[612]", f"{PATHS[kind]} modified sha256={sha(render(self.conf[host]))}")
        self.timeline.append({"time": t, "host": host, "kind": "change", "subject": PATHS[kind], "cause": ""})

    def fail(self, host: str, t: datetime, msg: str, cause: str) -> None:
        svc = SERVICE[self.hosts[host]["kind"]]
        self.log(host, t, f"{svc}[{self.rng.randint(900, 9999)}]", msg)
        self.timeline.append({"time": t, "host": host, "kind": "fail", "subject": svc, "cause": cause})

    def recover(self, host: str, t: datetime, msg: str) -> None:
        svc = SERVICE[self.hosts[host]["kind"]]
        self.log(host, t, f"{svc}[{self.rng.randint(900, 9999)}]", msg)
        self.timeline.append({"time": t, "host": host, "kind": "recover", "subject": svc, "cause": ""})


def at(h: int, m: int, s: int = 0) -> datetime:
    return DAY + timedelta(hours=h, minutes=m, seconds=s)


def simulate(rng: random.Random) -> tuple[World, dict, str]:
    w = World(rng)
    backup = json.loads(json.dumps(w.conf))
    tickets = []

    def setk(section: str, key: str, value: object):
        def f(conf: dict) -> None:
            conf[section][key] = value
        return f

    # The week before: implemented, rolled back and rejected tickets (changes are in the current files).
    for h in ("db-01", "db-02"):
        w.conf[h]["main"]["shared_buffers"] = "6GB"
    tickets.append(("CHG-4100", "2025-03-08", "implemented", "db-01, db-02",
                    "postgresql.conf: shared_buffers raised from 4GB to 6GB."))
    tickets.append(("CHG-4103", "2025-03-10", "rolled back", "cache-01, cache-02, cache-03",
                    "redis.conf: timeout 0 -> 300. Rolled back on 2025-03-11 (clients dropped); files restored."))
    tickets.append(("CHG-4107", "2025-03-12", "rejected", "all app hosts",
                    "app.ini: workers = 32 everywhere. Rejected by the board, never applied."))
    for a in w.apps:
        w.conf[a]["queue"]["heartbeat"] = 30
    tickets.append(("CHG-4109", "2025-03-12", "implemented", "all app hosts",
                    "app.ini: new key heartbeat = 30 in section [queue]."))
    w.start = json.loads(json.dumps(w.conf))  # type: ignore[attr-defined]
    # Skews.
    skewed = rng.sample(w.apps, 2)
    w.hosts[skewed[0]]["skew"] = rng.choice([41, 57, 73])
    w.hosts[skewed[1]]["skew"] = -rng.choice([88, 95, 131])
    w.hosts["cache-02"]["skew"] = 12
    w.hosts["queue-02"]["tz"] = 3600

    # Today.
    t = at(9, 5, rng.randint(0, 59))
    w.change("db-01", t, setk("main", "max_connections", 500))
    tickets.append(("CHG-4112", "2025-03-14", "implemented", "db-01", "postgresql.conf: max_connections 300 -> 500."))
    t = at(9, 40)
    typo_hosts = set(rng.sample(w.apps, 2))
    for a in w.apps:
        t += timedelta(seconds=rng.randint(3, 9))
        w.change(a, t, setk("db", "pool", 4 if a in typo_hosts else 40))
    tickets.append(("CHG-4113", "2025-03-14", "implemented", "all app hosts", "app.ini: [db] pool 20 -> 40."))
    # Silent hand edits (unapproved).
    silent_app = rng.choice([a for a in w.apps if a not in typo_hosts])
    w.silent = silent_app  # type: ignore[attr-defined]
    w.change(silent_app, at(10, 2, rng.randint(0, 59)), setk("server", "workers", 64))
    w.change("cache-03", at(10, 21, rng.randint(0, 59)), setk("main", "maxmemory_policy", "noeviction"))
    # Breaking hand edit on db-02, reverted by an operator later.
    t_db2 = at(10, 47, rng.randint(0, 59))
    w.change("db-02", t_db2, setk("main", "port", 5433))
    w.log("db-02", t_db2 + timedelta(seconds=2), "postgresql[311]", "listening on port 5433")
    db2_users = [a for a in w.apps if w.conf[a]["db"]["host"] == w.ip["db-02"]]
    cause_db2 = "db-02:/etc/postgresql/postgresql.conf"
    fails_db2 = {}
    for a in db2_users:
        tf = t_db2 + timedelta(seconds=rng.randint(5, 50))
        w.fail(a, tf, f"ERROR db connect {w.ip['db-02']}:5432: connection refused", cause_db2)
        fails_db2[a] = tf
        for k in range(1, 4):
            w.log(a, tf + timedelta(seconds=30 * k), "orbit[2210]", f"ERROR db connect {w.ip['db-02']}:5432: connection refused (retry {k})")
    # DNS ticket with a typo on dns-02.
    t_dns = at(11, 30, rng.randint(0, 59))
    w.change("dns-01", t_dns, setk("forward", "forward_addr", "10.0.0.3"))
    t_dns2 = t_dns + timedelta(seconds=rng.randint(20, 60))
    w.change("dns-02", t_dns2, setk("forward", "forward_addr", "10.0.0.33"))
    tickets.append(("CHG-4115", "2025-03-14", "implemented", "dns-01, dns-02",
                    "unbound.conf: forward_addr 10.0.0.2 -> 10.0.0.3 (resolver migration)."))
    cause_dns = "dns-02:/etc/unbound/unbound.conf"
    w.fail("dns-02", t_dns2 + timedelta(seconds=3), "error: forwarder 10.0.0.33 unreachable, answering SERVFAIL", cause_dns)
    dns2_users = sorted(rng.sample([a for a in w.apps if a not in db2_users], 5))
    for a in dns2_users:
        tf = t_dns2 + timedelta(seconds=rng.randint(15, 120))
        w.fail(a, tf, f"ERROR resolve queue host via {w.ip['dns-02']}: SERVFAIL", cause_dns)
    # Silent hand edit on queue-02 (its log is in local time).
    w.change("queue-02", at(12, 18, rng.randint(0, 59)), setk("main", "heartbeat", 15))
    # Breaking hand edit on queue-01 (never fixed).
    t_q = at(13, 45, rng.randint(0, 59))
    w.change("queue-01", t_q, setk("main", "vm_memory_high_watermark", 6))
    cause_q = "queue-01:/etc/rabbitmq/rabbitmq.conf"
    w.fail("queue-01", t_q + timedelta(seconds=4), "BOOT FAILED: vm_memory_high_watermark 6 out of range (0..1)", cause_q)
    q1_users = [a for a in w.apps if w.conf[a]["queue"]["host"] == w.ip["queue-01"] and a not in db2_users and a not in dns2_users]
    for a in q1_users:
        tf = t_q + timedelta(seconds=rng.randint(10, 40))
        w.fail(a, tf, f"ERROR amqp {w.ip['queue-01']}:5672: connection refused", cause_q)
    # Cache ticket, applied correctly.
    t = at(14, 10)
    for c in ("cache-01", "cache-02", "cache-03"):
        t += timedelta(seconds=rng.randint(20, 40))
        w.change(c, t, setk("main", "maxmemory", "4gb"))
    tickets.append(("CHG-4116", "2025-03-14", "implemented", "cache-01, cache-02, cache-03",
                    "redis.conf: maxmemory 2gb -> 4gb."))
    # Operator reverts db-02's port; its clients recover.
    t_fix = at(16, 2, rng.randint(0, 59))
    w.change("db-02", t_fix, setk("main", "port", 5432))
    for a, tf in fails_db2.items():
        w.recover(a, t_fix + timedelta(seconds=rng.randint(5, 45)), f"db connection to {w.ip['db-02']}:5432 restored")
    # Load balancer ticket: app weights, applied correctly.
    heavy = sorted(rng.sample(w.apps, 3))
    w.change("lb-01", at(16, 40, rng.randint(0, 59)), lambda c: [c["backend_app"].__setitem__(a, f"{w.ip[a]}:8000 weight=20") for a in heavy])
    tickets.append(("CHG-4117", "2025-03-14", "implemented", "lb-01",
                    f"backends.conf: weight 20 for {', '.join(heavy)} (bigger machines)."))
    tickets.append(("CHG-4118", "2025-03-14", "rejected", "queue-01, queue-02",
                    "rabbitmq.conf: vm_memory_high_watermark 0.6 -> 0.8. Rejected: needs a capacity review first."))

    # Expected configurations: backup + implemented tickets.
    expected = json.loads(json.dumps(backup))
    for h in ("db-01", "db-02"):
        expected[h]["main"]["shared_buffers"] = "6GB"
    for a in w.apps:
        expected[a]["queue"]["heartbeat"] = 30
        expected[a]["db"]["pool"] = 40
    expected["db-01"]["main"]["max_connections"] = 500
    for d in ("dns-01", "dns-02"):
        expected[d]["forward"]["forward_addr"] = "10.0.0.3"
    for c in ("cache-01", "cache-02", "cache-03"):
        expected[c]["main"]["maxmemory"] = "4gb"
    for a in heavy:
        expected["lb-01"]["backend_app"][a] = f"{w.ip[a]}:8000 weight=20"

    text = ["Change tickets, week of 2025-03-08 (export from the change system)", ""]
    for tid, date, status, scope, what in tickets:
        text += [f"{tid}  {date}  status: {status}", f"  scope: {scope}", f"  change: {what}", ""]
    w.backup = backup  # type: ignore[attr-defined]
    return w, expected, "\n".join(text)


def noise(w: World, rng: random.Random) -> None:
    for h in w.hosts:
        t = DAY + timedelta(hours=7)
        while t < DAY + timedelta(hours=19):
            t += timedelta(seconds=rng.randint(120, 900))
            w.log(h, t, rng.choice(["CRON[1201]", "sshd[884]", "systemd[1]"]), rng.choice([
                "(root) CMD (run-parts /etc/cron.hourly)", "Accepted publickey for deploy from 10.9.0.5 port 50122",
                "Started Daily apt download activities.", "session opened for user deploy",
                "Finished Clean php session files."]))
    for h in w.hosts:
        kind = w.hosts[h]["kind"]
        w.log(h, DAY + timedelta(hours=7, seconds=rng.randint(0, 50)), "confwatch[612]",
              f"baseline {PATHS[kind]} sha256={sha(render(w.start[h]))}")  # type: ignore[attr-defined]
    w.log("cache-02", DAY + timedelta(hours=7, minutes=1), "chronyd[402]", "System clock wrong by -12.000000 seconds (clock is 12 s fast); no server reachable, not adjusting")


def stamp(w: World, host: str, t: datetime) -> str:
    local = t + timedelta(seconds=w.hosts[host]["skew"] + w.hosts[host]["tz"])
    return local.strftime("%Y-%m-%dT%H:%M:%S")


def files_of(w: World, rng: random.Random, tickets: str) -> dict[str, str]:
    files: dict[str, str] = {"tickets.txt": tickets}
    hosts_file = "127.0.0.1 localhost\n" + "".join(f"{v['ip']} {h}.corp.internal {h}\n" for h, v in w.hosts.items())
    for h, v in w.hosts.items():
        kind = v["kind"]
        base = f"hosts/{h}"
        if h not in w.no_backup:  # type: ignore[attr-defined]
            files[f"backup/{h}{PATHS[kind]}"] = render(w.backup[h])
        files[f"{base}{PATHS[kind]}"] = render(w.conf[h])
        files[f"{base}/etc/hosts"] = hosts_file
        files[f"{base}/etc/timezone"] = "Europe/Berlin\n" if v["tz"] else "Etc/UTC\n"
        dns = "dns-02" if h in w.dns2_users else rng.choice(["dns-01", "dns-01", "dns-02"]) if kind != "app" else "dns-01"  # type: ignore[attr-defined]
        files[f"{base}/etc/resolv.conf"] = f"search corp.internal\nnameserver {w.ip[dns]}\n"
        lines = sorted(w.logs[h], key=lambda x: x[0])
        files[f"{base}/var/log/syslog"] = "".join(f"{stamp(w, h, t)} {h} {p}: {m}\n" for t, p, m in lines)
    # Request logs shared between the load balancer and the application hosts.
    lb_lines = []
    for a in w.apps:
        app_lines = []
        t = DAY + timedelta(hours=8)
        for _ in range(40):
            t += timedelta(seconds=rng.randint(300, 1500))
            rid = f"{rng.getrandbits(48):012x}"
            lb_lines.append((t, f"{t.strftime('%Y-%m-%dT%H:%M:%S')}Z req={rid} backend={w.ip[a]}:8000 status=200"))
            ta = t + timedelta(milliseconds=rng.randint(0, 400))
            app_lines.append(f"{stamp(w, a, ta)} GET /api/v1/items req={rid} 200\n")
        files[f"hosts/{a}/var/log/orbit/access.log"] = "".join(app_lines)
    files["hosts/lb-01/var/log/haproxy/access.log"] = "".join(x[1] + "\n" for x in sorted(lb_lines))
    return files


def main(outdir: str, envdir: str | None = None) -> None:
    rng = random.Random(SEED)
    w, expected, tickets = simulate(rng)
    w.dns2_users = {e["host"] for e in w.timeline if e["kind"] == "fail" and e["cause"].startswith("dns-02") and e["host"] != "dns-02"}  # type: ignore[attr-defined]
    # The backup job failed on five hosts: the silently hand-edited one, one with the typo, three fine.
    fixable = sorted(e["host"] for e in w.timeline if e["host"].startswith("app") and e["kind"] == "change")
    wrong = [h for h in sorted(set(fixable)) if render(expected[h]) != render(w.conf[h])]
    right = [h for h in sorted(set(fixable)) if h not in wrong]
    others = [h for h in wrong if h != w.silent]  # type: ignore[attr-defined]
    w.no_backup = {w.silent, rng.choice(others), *rng.sample(right, 3)}  # type: ignore[attr-defined]
    noise(w, rng)
    files = files_of(w, rng, tickets)
    timeline = [dict(e, time=e["time"].strftime("%Y-%m-%dT%H:%M:%SZ")) for e in sorted(w.timeline, key=lambda e: e["time"])]
    truth = {"paths": {h: PATHS[v["kind"]] for h, v in w.hosts.items()},
             "expected": {h: render(c) for h, c in expected.items()},
             "needs_fix": sorted(h for h in w.hosts if render(expected[h]) != render(w.conf[h])),
             "timeline": timeline}
    out = Path(outdir)
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    lines = [f"{sha(t)}  {p}" for p, t in sorted(files.items())]
    (out / "snapshot.sha256").write_text("\n".join(lines) + "\n")
    if envdir:
        for rel, text in files.items():
            path = Path(envdir) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
