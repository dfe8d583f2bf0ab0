"""Reference migration of relayd 1.x configurations to the 2.x JSON format (MIGRATION.md and
CHANGE-7731.md in the environment describe the rules). Usage: python3 migrate.py FLEETDIR OUTDIR.
The same file is the task's reference solution."""

import glob
import json
import re
import sys
from pathlib import Path

DUR = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
SIZE = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
TLS_ORDER = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
BALANCE = {"roundrobin": "round_robin", "leastconn": "least_conn", "iphash": "ip_hash"}
BOOL = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}


def duration(text: str) -> int:
    m = re.fullmatch(r"(\d+)(ms|s|m|h)?", text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * DUR[m.group(2) or "s"]


def size(text: str) -> int:
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * SIZE[m.group(2).lower()]


def logical_lines(path: Path) -> list[str]:
    out: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line.strip():
            out.append(" ".join(line.split()))
    if pending.strip():
        out.append(" ".join(pending.split()))
    return out


def expand(text: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)\}", lambda m: env[m.group(1)], text)


def directives(host: Path, shared: Path, path: Path, env: dict[str, str]) -> list[str]:
    out: list[str] = []
    for line in logical_lines(path):
        line = expand(line, env)
        if line.startswith("include "):
            target = line.split(" ", 1)[1]
            if target.startswith("@shared/"):
                pattern = str(shared / target[len("@shared/") :])
            else:
                pattern = str(host / target)
            for name in sorted(glob.glob(pattern)):
                out.extend(directives(host, shared, Path(name), env))
        else:
            out.append(line)
    return out


def read_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key.strip()] = value.strip().strip('"')
    return env


def groups_of(inventory: Path) -> dict[str, set[str]]:
    """host -> every group it belongs to, directly or through :children sections."""
    direct: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    section = None
    for line in inventory.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        if section.endswith(":children"):
            children.setdefault(section[: -len(":children")], set()).add(line)
        elif section != "all:vars" and not section.endswith(":vars"):
            direct.setdefault(section, set()).add(line.split()[0])

    def members(group: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if group in seen:
            return set()
        found = set(direct.get(group, set()))
        for child in children.get(group, set()):
            found |= members(child, seen | {group})
        return found

    result: dict[str, set[str]] = {}
    for group in set(direct) | set(children):
        for h in members(group):
            result.setdefault(h, set()).add(group)
    return result


def listener(spec: str) -> dict[str, object]:
    parts = spec.split()
    addr = parts[0]
    m = re.fullmatch(r"\[(.*)\]:(\d+)", addr) or re.fullmatch(r"([^:]*):(\d+)", addr)
    if m:
        address, port = m.group(1), int(m.group(2))
    else:
        address, port = "0.0.0.0", int(addr)
    return {"address": address, "port": port, "tls": "ssl" in parts[1:]}


def migrate_host(host: Path, shared: Path, groups: set[str]) -> dict[str, object]:
    env = read_env(host / "default")
    lines = directives(host, shared, host / "relayd.conf", env)
    scalars: dict[str, str] = {}
    listeners: list[dict[str, object]] = []
    upstreams: dict[str, dict[str, object]] = {}
    routes: list[dict[str, str]] = []
    current: dict[str, object] | None = None
    for line in lines:
        if line.startswith("<upstream "):
            name = line[len("<upstream ") :].rstrip(">").strip()
            current = {"balance": "round_robin", "servers": []}
            upstreams.pop(name, None)
            upstreams[name] = current
            continue
        if line == "</upstream>":
            current = None
            continue
        key, _, value = line.partition(" ")
        if current is not None:
            if key == "balance":
                current["balance"] = BALANCE[value]
            elif key == "server":
                parts = value.split()
                h, p = parts[0].rsplit(":", 1)
                server = {"host": h, "port": int(p), "weight": 1, "backup": False}
                for opt in parts[1:]:
                    if opt.startswith("weight="):
                        server["weight"] = int(opt[len("weight=") :])
                    elif opt == "backup":
                        server["backup"] = True
                current["servers"].append(server)  # type: ignore[attr-defined]
            continue
        if key == "listen":
            listeners.append(listener(value))
        elif key == "route":
            prefix, target = value.split()
            routes = [r for r in routes if r["prefix"] != prefix]
            routes.append({"prefix": prefix, "upstream": target})
        else:
            scalars[key] = value
    # CHANGE-7731: retired listeners.
    retired = {("edge-11", "0.0.0.0", 8443), ("pos-04", "127.0.0.1", 8080)}
    listeners = [x for x in listeners if (host.name, x["address"], x["port"]) not in retired]
    workers = scalars.get("worker_processes", "1")
    timeout = duration(scalars.get("client_timeout", "60s"))
    if "dc-west" in groups:
        timeout = max(timeout, 90_000)
    log = scalars.get("access_log", "/var/log/relayd/access.log")
    out: dict[str, object] = {
        "listeners": listeners,
        "workers": 0 if workers == "auto" else int(workers),
        "client_timeout_ms": timeout,
        "keepalive_ms": duration(scalars.get("keepalive_timeout", "75s")),
        "max_body_bytes": size(scalars.get("client_max_body", "1M")),
        "access_log": None if log == "off" else log,
        "gzip": BOOL[scalars.get("gzip", "off")],
    }
    if any(x["tls"] for x in listeners):
        protocols = scalars.get("ssl_protocols", "TLSv1.2").split()
        lowest = min(protocols, key=TLS_ORDER.index)
        if "legacy-pos" not in groups and TLS_ORDER.index(lowest) < 2:
            lowest = "TLSv1.2"
        out["tls"] = {
            "certificate": scalars["ssl_certificate"],
            "key": scalars["ssl_certificate_key"],
            "min_version": {"TLSv1": "1.0"}.get(lowest, lowest.removeprefix("TLSv")),
        }
    else:
        out["tls"] = None
    used = {r["upstream"] for r in routes}
    out["upstreams"] = {k: v for k, v in upstreams.items() if k in used}
    out["routes"] = routes
    return out


def migrate_fleet(fleet: Path) -> dict[str, dict[str, object]]:
    groups = groups_of(fleet / "inventory.ini")
    result = {}
    for host in sorted(p for p in (fleet / "hosts").iterdir() if p.is_dir()):
        result[host.name] = migrate_host(host, fleet / "shared", groups.get(host.name, set()))
    return result


def main(fleet: str, outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, config in migrate_fleet(Path(fleet)).items():
        (out / f"{name}.json").write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
