"""Regenerates this task's data (deterministic, fixed seeds).

    python3 generate.py OUTDIR            writes hidden.json and public.sha256 (flat files)
    python3 generate.py OUTDIR ENVDIR     also lays the public fleet out under ENVDIR/

Two fleets of 40 hosts come from the same generator with different seeds: the public one
(ENVDIR/site: declarations, templates and package indexes; ENVDIR/fleet-state: each host's
state and the indexes hostctl reads) and the hidden one the scorer runs the agent's tool
against (hidden.json: the same files as one JSON object). A host's starting state is a base
image with legacy leftovers, then a random prefix of the reference operations (a half-finished
earlier roll-out), then drift (edited files, stopped services, old versions, a changed shell).
public.sha256 pins every public file (`cd environment && sha256sum -c ../scorer/public.sha256`).
"""

import copy
import hashlib
import json
import random
import sys
from pathlib import Path

from cmref import changes, desired
from hostctl import Refused, apply_op

PUBLIC_SEED, HIDDEN_SEED = 4_040, 9_191


def repos(rng: random.Random) -> dict[str, dict]:
    def pkg(versions, depends=(), services=(), files=None):
        return {"versions": list(versions), "depends": list(depends), "services": list(services),
                "service_files": files or {}}

    common = {
        "libssl3": pkg(["3.0.9", "3.0.11", "3.0.13"]),
        "curl": pkg(["7.88.1", "8.5.0"], ["libssl3"]),
        "openssh-server": pkg(["9.2.1", "9.6.1"], ["libssl3"], ["sshd"], {"sshd": ["/etc/ssh/sshd_config"]}),
        "chrony": pkg(["4.3", "4.5"], [], ["chronyd"]),
        "ntp": pkg(["4.2.8"], [], ["ntpd"]),
        "telnetd": pkg(["0.17.41"], [], ["telnetd"]),
        "nginx-common": pkg(["1.22.1", "1.24.0", "1.25.3"]),
        "nginx": pkg(["1.22.1", "1.24.0", "1.25.3"], ["libssl3", "nginx-common"], ["nginx"],
                     {"nginx": ["/etc/nginx/nginx.conf"]}),
        "libpq5": pkg(["15.4", "15.6"]),
        "postgresql-common": pkg(["248", "250"]),
        "postgresql-15": pkg(["15.4", "15.6"], ["libpq5", "postgresql-common"], ["postgresql"],
                             {"postgresql": ["/etc/postgresql/15/main/postgresql.conf"]}),
        "libjemalloc2": pkg(["5.3.0"]),
        "redis-server": pkg(["7.0.11", "7.2.4"], ["libjemalloc2"], ["redis"], {"redis": ["/etc/redis/redis.conf"]}),
        "python3-minimal": pkg(["3.11.2", "3.12.3"]),
        "orbit-app": pkg(["2.3.0", "2.4.1", "2.5.0"], ["python3-minimal", "libpq5"], ["orbit"],
                         {"orbit": ["/etc/orbit/app.ini"]}),
        "node-exporter": pkg(["1.6.1", "1.7.0"], [], ["node-exporter"]),
    }
    jammy = copy.deepcopy(common)
    jammy["nginx"]["versions"] = ["1.18.0", "1.24.0"]
    jammy["nginx-common"]["versions"] = ["1.18.0", "1.24.0"]
    jammy["python3-minimal"]["versions"] = ["3.10.12", "3.12.3"]
    jammy["orbit-app"]["versions"] = ["2.3.0", "2.4.1"]
    return {"bookworm": common, "jammy": jammy}


TEMPLATES = {
    "motd.tmpl": "{{ hostname }} ({{ distro }}): {{ motd_banner }}\nUnauthorised access is prohibited.\n",
    "sshd_config.tmpl": "Port {{ ssh_port }}\nPermitRootLogin {{ permit_root }}\nPasswordAuthentication no\n"
                        "AllowGroups {{ ssh_groups }}\n",
    "node-exporter.tmpl": "ARGS=\"--web.listen-address=:{{ exporter_port }} --collector.systemd\"\n",
    "nginx.conf.tmpl": "worker_processes {{ nginx_workers }};\nevents {}\nhttp {\n  upstream app {\n"
                       "    # {{ app_backends }}\n  }\n  server { listen 80; server_name {{ hostname }}; }\n}\n",
    "app.ini.tmpl": "[orbit]\nworkers = {{ orbit_workers }}\ndb_host = {{ db_host }}\nregion = {{ region }}\n",
    "postgresql.conf.tmpl": "listen_addresses = '*'\nmax_connections = {{ pg_max_connections }}\n"
                            "shared_buffers = {{ pg_shared_buffers }}\n",
    "redis.conf.tmpl": "bind 0.0.0.0\nmaxmemory {{ redis_maxmemory }}\nmaxmemory-policy allkeys-lru\n",
    "chrony.conf.tmpl": "pool {{ ntp_pool }} iburst\nmakestep 1.0 3\n",
}


def roles() -> dict[str, dict]:
    def res(**kw):
        return kw

    return {
        "base": {
            "defaults": {"motd_banner": "managed by cm", "ssh_port": 22, "permit_root": "no",
                         "ssh_groups": ["admin"], "ntp_pool": "pool.ntp.internal"},
            "resources": [
                res(type="package", name="curl"),
                res(type="package", name="openssh-server"),
                res(type="package", name="chrony"),
                res(type="user", name="admin", uid=1500, shell="/bin/bash"),
                res(type="file", path="/etc/motd", template="motd.tmpl"),
                res(type="file", path="/etc/ssh/sshd_config", template="sshd_config.tmpl", mode="0600",
                    notify=["sshd"]),
                res(type="file", path="/etc/chrony/chrony.conf", template="chrony.conf.tmpl", notify=["chronyd"]),
                res(type="service", name="sshd"),
                res(type="service", name="chronyd"),
                res(type="package", name="telnetd", state="absent"),
                res(type="package", name="ntp", state="absent"),
                res(type="file", path="/home/olduser/.profile", state="absent"),
                res(type="file", path="/etc/cron.d/legacy-sync", state="absent"),
                res(type="user", name="olduser", state="absent"),
            ],
        },
        "monitoring": {
            "requires_roles": ["base"],
            "defaults": {"exporter_port": 9100},
            "resources": [
                res(type="package", name="node-exporter"),
                res(type="file", path="/etc/default/node-exporter", template="node-exporter.tmpl",
                    notify=["node-exporter"]),
                res(type="service", name="node-exporter"),
            ],
        },
        "web": {
            "requires_roles": ["base", "monitoring"],
            "defaults": {"nginx_version": "latest", "nginx_workers": 4, "app_backends": ["app-01:8000"]},
            "resources": [
                res(type="user", name="www-data", uid=33, shell="/usr/sbin/nologin"),
                res(type="package", name="nginx", version="{{ nginx_version }}"),
                res(type="file", path="/etc/nginx/nginx.conf", template="nginx.conf.tmpl", owner="www-data",
                    notify=["nginx"]),
                res(type="service", name="nginx"),
            ],
        },
        "web-drain": {
            "requires_roles": ["web"],
            "resources": [res(type="service", name="nginx", enabled=True, running=False)],
        },
        "app": {
            "requires_roles": ["base"],
            "defaults": {"orbit_workers": 4, "orbit_uid": 2100, "orbit_version": "latest", "db_host": "db-01"},
            "resources": [
                res(type="user", name="orbit", uid="{{ orbit_uid }}", shell="/usr/sbin/nologin"),
                res(type="package", name="orbit-app", version="{{ orbit_version }}"),
                res(type="file", path="/etc/orbit/app.ini", template="app.ini.tmpl", owner="orbit", mode="0640",
                    notify=["orbit"]),
                res(type="service", name="orbit"),
            ],
        },
        "db": {
            "requires_roles": ["base", "monitoring"],
            "defaults": {"pg_max_connections": 200, "pg_shared_buffers": "2GB"},
            "resources": [
                res(type="user", name="postgres", uid=120, shell="/bin/bash"),
                res(type="package", name="postgresql-15"),
                res(type="file", path="/etc/postgresql/15/main/postgresql.conf", template="postgresql.conf.tmpl",
                    owner="postgres", mode="0640", notify=["postgresql"]),
                res(type="service", name="postgresql"),
            ],
        },
        "cache": {
            "requires_roles": ["base"],
            "defaults": {"redis_maxmemory": "1gb"},
            "resources": [
                res(type="package", name="redis-server"),
                res(type="file", path="/etc/redis/redis.conf", template="redis.conf.tmpl", notify=["redis"]),
                res(type="service", name="redis"),
                res(type="service", name="chronyd", enabled=True, running=False),
            ],
        },
    }


def site(rng: random.Random) -> tuple[dict, dict]:
    groups = {
        "web": {"roles": ["web"]},
        "app": {"roles": ["app"], "vars": {"orbit_workers": 8}},
        "db": {"roles": ["db"]},
        "cache": {"roles": ["cache"]},
        "mon": {"roles": ["monitoring"]},
        "dc-a": {"vars": {"region": "dc-a", "ntp_pool": "ntp.dc-a.internal", "db_host": "db-01"}},
        "dc-b": {"vars": {"region": "dc-b", "ntp_pool": "ntp.dc-b.internal", "db_host": "db-04",
                          "motd_banner": "dc-b: change freeze on Fridays"}},
        "canary": {"vars": {"orbit_version": "2.4.1", "nginx_version": "1.24.0", "ssh_groups": ["admin", "canary-ops"]}},
        "drain": {"roles": ["web-drain"]},
    }
    hosts: dict[str, dict] = {}
    distros: dict[str, str] = {}
    layout = [("web", 12), ("app", 10), ("db", 6), ("cache", 6), ("mon", 6)]
    for kind, count in layout:
        for i in range(1, count + 1):
            name = f"{kind}-{i:02d}"
            gs = [kind, rng.choice(["dc-a", "dc-b"])]
            if kind in ("web", "app") and rng.random() < 0.25:
                gs.append("canary")
            if kind == "web" and rng.random() < 0.2:
                gs.append("drain")
            spec: dict = {"groups": gs}
            hv: dict = {}
            if rng.random() < 0.2:
                hv["ssh_port"] = 2222
            if kind == "app" and rng.random() < 0.3:
                hv["orbit_workers"] = rng.choice([2, 16])
            if kind == "db" and rng.random() < 0.5:
                hv["pg_max_connections"] = rng.choice([400, 800])
            if kind == "web":
                hv["app_backends"] = sorted(rng.sample([f"app-{j:02d}:8000" for j in range(1, 11)], 3))
            if hv:
                spec["vars"] = hv
            if kind == "mon" and rng.random() < 0.5:
                spec["roles"] = ["cache"]
            hosts[name] = spec
            distros[name] = "jammy" if rng.random() < 0.35 else "bookworm"
    # Canary pins nginx to a version both distros have; bookworm-only orbit 2.5.0 never reaches jammy
    # because app hosts on jammy are pinned through their host vars.
    for name, spec in hosts.items():
        if name.startswith("app") and distros[name] == "jammy":
            spec.setdefault("vars", {})["orbit_version"] = "2.4.1"
    return {"hosts": hosts, "groups": groups, "roles": roles(), "templates": TEMPLATES}, distros


def base_facts(rng: random.Random, host: str, distro: str, repo: dict) -> dict:
    facts = {"host": host, "distro": distro, "reachable": True, "packages": {}, "users": {},
             "files": {}, "services": {}}
    ops = [["user-add", "root", "0", "/bin/bash"], ["pkg-install", "libssl3", rng.choice(["3.0.9", "3.0.11"])],
           ["pkg-install", "curl", "7.88.1"], ["pkg-install", "openssh-server", "9.2.1"],
           ["file-write", "/etc/ssh/sshd_config", "0644", "root", "Port 22\nPermitRootLogin yes\n"],
           ["svc-enable", "sshd"], ["svc-start", "sshd"]]
    if rng.random() < 0.5:
        ops += [["pkg-install", "telnetd", "0.17.41"], ["svc-enable", "telnetd"], ["svc-start", "telnetd"]]
    if rng.random() < 0.5:
        ops += [["pkg-install", "ntp", "4.2.8"], ["svc-enable", "ntpd"], ["svc-start", "ntpd"]]
    if rng.random() < 0.4:
        ops += [["user-add", "olduser", "1999", "/bin/sh"],
                ["file-write", "/home/olduser/.profile", "0644", "olduser", "export PATH=/opt/old/bin:$PATH\n"]]
    if rng.random() < 0.3:
        ops += [["file-write", "/etc/cron.d/legacy-sync", "0644", "root", "*/5 * * * * root /opt/old/sync\n"]]
    for op in ops:
        apply_op(facts, repo, op)
    return facts


def drift(rng: random.Random, facts: dict, repo: dict) -> None:
    for _ in range(rng.randint(0, 3)):
        choice = rng.random()
        try:
            if choice < 0.3 and facts["files"]:
                path = rng.choice(sorted(facts["files"]))
                f = facts["files"][path]
                apply_op(facts, repo, ["file-write", path, f["mode"], f["owner"], f["content"] + "# hand edit\n"])
            elif choice < 0.5:
                running = sorted(s for s, v in facts["services"].items() if v["running"])
                if running:
                    apply_op(facts, repo, ["svc-stop", rng.choice(running)])
            elif choice < 0.7 and "admin" in facts["users"]:
                apply_op(facts, repo, ["user-mod", "admin", "1500", "/bin/zsh"])
            elif choice < 0.85 and facts["files"]:
                path = rng.choice(sorted(facts["files"]))
                f = facts["files"][path]
                apply_op(facts, repo, ["file-write", path, "0666", f["owner"], f["content"]])
            elif "curl" in facts["packages"]:
                apply_op(facts, repo, ["pkg-install", "curl", "7.88.1"])
        except Refused:
            pass


def fleet(seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    declared, distros = site(rng)
    repo = repos(rng)
    files: dict[str, str] = {}
    for dist, index in repo.items():
        text = json.dumps(index, indent=1, sort_keys=True) + "\n"
        files[f"site/repo/{dist}.json"] = text
        files[f"fleet-state/repo/{dist}.json"] = text
    files["site/hosts.json"] = json.dumps(declared["hosts"], indent=1) + "\n"
    files["site/groups.json"] = json.dumps(declared["groups"], indent=1) + "\n"
    for name, role in declared["roles"].items():
        files[f"site/roles/{name}.json"] = json.dumps(role, indent=1) + "\n"
    for name, text in declared["templates"].items():
        files[f"site/templates/{name}"] = text
    unreachable = set(rng.sample(sorted(declared["hosts"]), 2))
    for host in sorted(declared["hosts"]):
        facts = base_facts(rng, host, distros[host], repo[distros[host]])
        _, ops = changes(facts, desired(declared, host, facts, repo[distros[host]]), repo[distros[host]])
        for op in ops[: rng.randint(0, len(ops))]:
            apply_op(facts, repo[distros[host]], op)
        drift(rng, facts, repo[distros[host]])
        facts["reachable"] = host not in unreachable
        files[f"fleet-state/{host}.json"] = json.dumps(facts, indent=1, sort_keys=True) + "\n"
    return files


def main(outdir: str, envdir: str | None = None) -> None:
    public, hidden = fleet(PUBLIC_SEED), fleet(HIDDEN_SEED)
    out = Path(outdir)
    (out / "hidden.json").write_text(json.dumps(hidden, indent=0, sort_keys=True) + "\n")
    lines = [f"{hashlib.sha256(t.encode()).hexdigest()}  {p}" for p, t in sorted(public.items())]
    (out / "public.sha256").write_text("\n".join(lines) + "\n")
    if envdir:
        for rel, text in public.items():
            path = Path(envdir) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
