#!/usr/bin/env python3
"""hostctl: the agent interface of the simulated fleet. Every change to a host goes through it.

    hostctl HOST facts                  print the host's state as JSON
    hostctl HOST OP ARG...              run one operation (file-write reads the content on stdin)
    hostctl HOST batch                  run operations read from stdin, one JSON array per line,
                                        e.g. ["file-write", "/etc/motd", "0644", "root", "hi\\n"];
                                        stops at the first refused operation

State lives in the folder $HOSTCTL_STATE (default: fleet-state in the current directory):
HOST.json per host, repo/DISTRO.json package indexes, journal.jsonl (every operation, appended).
Exit status: 0 done, 1 refused (the reason on stderr), 2 usage, 75 host unreachable.
"""

import json
import os
import re
import sys
from pathlib import Path

STATE = Path(os.environ.get("HOSTCTL_STATE", "fleet-state"))
MUTATING = {
    "pkg-install": 2, "pkg-remove": 1, "user-add": 3, "user-mod": 3, "user-del": 1,
    "file-write": 3, "file-delete": 1, "svc-enable": 1, "svc-disable": 1, "svc-start": 1,
    "svc-stop": 1, "svc-restart": 1,
}


class Refused(Exception):
    pass


def vkey(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version))


def apply_op(facts: dict, repo: dict, op: list[str]) -> None:
    name, args = op[0], op[1:]
    if name not in MUTATING:
        raise Refused(f"unknown operation {name!r}")
    want = MUTATING[name] + (1 if name == "file-write" else 0)
    if len(args) != want:
        raise Refused(f"{name} takes {want} arguments, got {len(args)}")
    pk, us, fs, sv = facts["packages"], facts["users"], facts["files"], facts["services"]
    if name == "pkg-install":
        pkg, version = args
        entry = repo.get(pkg)
        if entry is None or version not in entry["versions"]:
            raise Refused(f"{pkg} {version} is not in the {facts['distro']} repository")
        missing = [d for d in entry.get("depends", []) if d not in pk]
        if missing:
            raise Refused(f"{pkg} needs {', '.join(missing)} installed first")
        pk[pkg] = version
        for svc in entry.get("services", []):
            sv.setdefault(svc, {"enabled": False, "running": False})
    elif name == "pkg-remove":
        (pkg,) = args
        if pkg not in pk:
            raise Refused(f"{pkg} is not installed")
        users_of = [p for p in pk if pkg in repo.get(p, {}).get("depends", [])]
        if users_of:
            raise Refused(f"{', '.join(sorted(users_of))} depend on {pkg}")
        for svc in repo.get(pkg, {}).get("services", []):
            if sv.get(svc, {}).get("running"):
                raise Refused(f"service {svc} of {pkg} is running")
        for svc in repo.get(pkg, {}).get("services", []):
            sv.pop(svc, None)
        del pk[pkg]
    elif name in ("user-add", "user-mod"):
        user, uid, shell = args
        if not uid.isdigit():
            raise Refused("uid must be a number")
        if (name == "user-add") == (user in us):
            raise Refused(f"user {user} {'exists' if user in us else 'does not exist'}")
        if any(u != user and v["uid"] == int(uid) for u, v in us.items()):
            raise Refused(f"uid {uid} is taken")
        us[user] = {"uid": int(uid), "shell": shell}
    elif name == "user-del":
        (user,) = args
        if user not in us:
            raise Refused(f"user {user} does not exist")
        owned = [p for p, f in fs.items() if f["owner"] == user]
        if owned:
            raise Refused(f"user {user} still owns {', '.join(sorted(owned))}")
        del us[user]
    elif name == "file-write":
        path, mode, owner, content = args
        if not re.fullmatch(r"0[0-7]{3}", mode):
            raise Refused("mode must look like 0644")
        if owner not in us:
            raise Refused(f"owner {owner} does not exist")
        if not path.startswith("/"):
            raise Refused("path must be absolute")
        fs[path] = {"content": content, "mode": mode, "owner": owner}
    elif name == "file-delete":
        (path,) = args
        if path not in fs:
            raise Refused(f"{path} does not exist")
        del fs[path]
    else:
        (svc,) = args
        if svc not in sv:
            raise Refused(f"no service {svc} (is its package installed?)")
        s = sv[svc]
        if name in ("svc-start", "svc-restart"):
            if name == "svc-restart" and not s["running"]:
                raise Refused(f"{svc} is not running")
            owner_pkg = next((p for p in pk if svc in repo.get(p, {}).get("services", [])), None)
            needs = repo.get(owner_pkg or "", {}).get("service_files", {}).get(svc, [])
            missing = [f for f in needs if f not in fs]
            if missing:
                raise Refused(f"{svc} cannot start without {', '.join(missing)}")
            s["running"] = True
        elif name == "svc-stop":
            s["running"] = False
        elif name == "svc-enable":
            s["enabled"] = True
        elif name == "svc-disable":
            s["enabled"] = False


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    host, cmd = argv[0], argv[1]
    path = STATE / f"{host}.json"
    if not re.fullmatch(r"[a-z0-9-]+", host) or not path.is_file():
        print(f"no such host: {host}", file=sys.stderr)
        return 2
    facts = json.loads(path.read_text())
    if not facts.get("reachable", True):
        print(f"{host}: unreachable", file=sys.stderr)
        return 75
    if cmd == "facts":
        print(json.dumps(facts, indent=1, sort_keys=True))
        return 0
    repo = json.loads((STATE / "repo" / f"{facts['distro']}.json").read_text())
    if cmd == "batch":
        ops = [json.loads(line) for line in sys.stdin.read().splitlines() if line.strip()]
    else:
        op = argv[1:]
        if cmd == "file-write":
            op = op + [sys.stdin.read()]
        ops = [op]
    status = 0
    with open(STATE / "journal.jsonl", "a") as journal:
        for op in ops:
            if not isinstance(op, list) or not op or not all(isinstance(x, str) for x in op):
                print(f"bad operation: {op!r}", file=sys.stderr)
                status = 2
                break
            try:
                apply_op(facts, repo, op)
            except Refused as exc:
                journal.write(json.dumps({"host": host, "op": op, "ok": False, "error": str(exc)}) + "\n")
                print(f"{host}: {op[0]} refused: {exc}", file=sys.stderr)
                status = 1
                break
            journal.write(json.dumps({"host": host, "op": op, "ok": True}) + "\n")
    path.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
