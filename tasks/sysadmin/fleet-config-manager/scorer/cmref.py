#!/usr/bin/env python3
"""cm: reference configuration manager for the simulated fleet (SPEC.md describes the contract).

    python3 cm.py [--site DIR] plan|apply|rollback

Also imported by generate.py (desired states and change sets) and by the scorer.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

KINDS = ("package", "user", "file", "service")


def vkey(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version))


def render(text: str, variables: dict) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in variables:
            raise KeyError(f"undefined variable {name}")
        value = variables[name]
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)

    return re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", sub, text)


def load_site(site: Path) -> dict:
    roles = {p.stem: json.loads(p.read_text()) for p in (site / "roles").glob("*.json")}
    return {
        "hosts": json.loads((site / "hosts.json").read_text()),
        "groups": json.loads((site / "groups.json").read_text()),
        "roles": roles,
        "templates": {p.name: p.read_text() for p in (site / "templates").iterdir()},
    }


def host_roles(site: dict, host: str) -> list[str]:
    spec = site["hosts"][host]
    wanted: list[str] = []
    for group in spec.get("groups", []):
        wanted += site["groups"][group].get("roles", [])
    wanted += spec.get("roles", [])
    order: list[str] = []

    def visit(role: str, stack: tuple[str, ...]) -> None:
        if role in order:
            return
        if role in stack:
            raise ValueError(f"role cycle through {role}")
        for dep in site["roles"][role].get("requires_roles", []):
            visit(dep, stack + (role,))
        order.append(role)

    for role in wanted:
        visit(role, ())
    return order


def host_vars(site: dict, host: str, facts: dict, roles: list[str]) -> dict:
    variables: dict = {}
    for role in roles:
        variables.update(site["roles"][role].get("defaults", {}))
    for group in site["hosts"][host].get("groups", []):
        variables.update(site["groups"][group].get("vars", {}))
    variables.update(site["hosts"][host].get("vars", {}))
    variables["hostname"] = host
    variables["distro"] = facts["distro"]
    return variables


def desired(site: dict, host: str, facts: dict, repo: dict) -> dict:
    """The target: {kind: {name: spec or None (absent)}} for what the site declares, plus the
    dependencies of declared packages."""
    roles = host_roles(site, host)
    variables = host_vars(site, host, facts, roles)
    target: dict = {k: {} for k in KINDS}
    for role in roles:
        for res in site["roles"][role].get("resources", []):
            kind = res["type"]
            name = render(res["path"] if kind == "file" else res["name"], variables)
            present = render(res.get("state", "present"), variables) == "present"
            if not present:
                target[kind][name] = None
                continue
            if kind == "package":
                version = render(res.get("version", "latest"), variables)
                if version == "latest":
                    version = max(repo[name]["versions"], key=vkey)
                target[kind][name] = version
            elif kind == "user":
                target[kind][name] = {"uid": int(render(str(res["uid"]), variables)),
                                      "shell": render(res.get("shell", "/bin/bash"), variables)}
            elif kind == "file":
                body = site["templates"][res["template"]] if "template" in res else res["content"]
                target[kind][name] = {
                    "content": render(body, variables),
                    "mode": render(res.get("mode", "0644"), variables),
                    "owner": render(res.get("owner", "root"), variables),
                    "notify": [render(s, variables) for s in res.get("notify", [])],
                }
            else:
                target[kind][name] = {"enabled": bool(res.get("enabled", True)),
                                      "running": bool(res.get("running", True))}
    # Dependencies of declared packages, at their latest version unless installed.
    queue = [p for p, v in target["package"].items() if v is not None]
    while queue:
        pkg = queue.pop()
        for dep in repo[pkg].get("depends", []):
            if dep not in target["package"] or target["package"][dep] is None:
                if target["package"].get(dep, "x") is None:
                    raise ValueError(f"{host}: {dep} is both needed and absent")
                target["package"][dep] = facts["packages"].get(dep) or max(repo[dep]["versions"], key=vkey)
                queue.append(dep)
    return target


def rollback_target(saved: dict, facts: dict) -> dict:
    target: dict = {k: {} for k in KINDS}
    for p in set(saved["packages"]) | set(facts["packages"]):
        target["package"][p] = saved["packages"].get(p)
    for u in set(saved["users"]) | set(facts["users"]):
        target["user"][u] = saved["users"].get(u)
    for f in set(saved["files"]) | set(facts["files"]):
        target["file"][f] = dict(saved["files"][f], notify=[]) if f in saved["files"] else None
    for s, v in saved["services"].items():
        target["service"][s] = v
    return target


def topo(names: list[str], repo: dict, reverse: bool = False) -> list[str]:
    order: list[str] = []

    def visit(p: str) -> None:
        if p in order:
            return
        for d in repo.get(p, {}).get("depends", []):
            if d in names:
                visit(d)
        order.append(p)

    for p in sorted(names):
        visit(p)
    return order[::-1] if reverse else order


def changes(facts: dict, target: dict, repo: dict) -> tuple[list[tuple[str, str, str]], list[list[str]]]:
    """(plan lines as (kind, name, action), hostctl operations in a valid order)."""
    plan: list[tuple[str, str, str]] = []
    ops: list[list[str]] = []
    pk, us, fs, sv = facts["packages"], facts["users"], facts["files"], facts["services"]
    svc_pkg = {s: p for p, e in repo.items() for s in e.get("services", [])}
    removing = [p for p, v in target["package"].items() if v is None and p in pk]
    # 1. stop/disable services that must stop, or whose package goes away
    for s in sorted(sv):
        want = target["service"].get(s)
        gone = svc_pkg.get(s) in removing
        if sv[s]["running"] and (gone or (want is not None and not want["running"])):
            plan.append(("service", s, "stop"))
            ops.append(["svc-stop", s])
        if not gone and want is not None and sv[s]["enabled"] and not want["enabled"]:
            plan.append(("service", s, "disable"))
            ops.append(["svc-disable", s])
    # 2. users to create or modify
    for u, want in sorted(target["user"].items()):
        if want is None:
            continue
        if u not in us:
            plan.append(("user", u, "create"))
            ops.append(["user-add", u, str(want["uid"]), want["shell"]])
        elif us[u] != want:
            plan.append(("user", u, "modify"))
            ops.append(["user-mod", u, str(want["uid"]), want["shell"]])
    # 3. packages to install or change, dependencies first
    todo = [p for p, v in target["package"].items() if v is not None and pk.get(p) != v]
    for p in topo(todo, repo):
        v = target["package"][p]
        action = "install" if p not in pk else ("upgrade" if vkey(v) > vkey(pk[p]) else "downgrade")
        plan.append(("package", p, action))
        ops.append(["pkg-install", p, v])
    # 4. files to write
    touched: set[str] = set()
    for f, want in sorted(target["file"].items()):
        if want is None:
            continue
        have = fs.get(f)
        body = {k: want[k] for k in ("content", "mode", "owner")}
        if have != body:
            plan.append(("file", f, "create" if have is None else "update"))
            ops.append(["file-write", f, want["mode"], want["owner"], want["content"]])
            touched.update(want.get("notify", []))
    # 5. services: enable, start or restart
    for s, want in sorted(target["service"].items()):
        if want is None:
            continue
        now = sv.get(s, {"enabled": False, "running": False})
        if want["enabled"] and not now["enabled"]:
            plan.append(("service", s, "enable"))
            ops.append(["svc-enable", s])
        if want["running"] and not now["running"]:
            plan.append(("service", s, "start"))
            ops.append(["svc-start", s])
        elif want["running"] and s in touched:
            plan.append(("service", s, "restart"))
            ops.append(["svc-restart", s])
    # 6. files to delete
    for f, want in sorted(target["file"].items()):
        if want is None and f in fs:
            plan.append(("file", f, "delete"))
            ops.append(["file-delete", f])
    # 7. packages to remove, dependents first
    for p in topo(removing, repo, reverse=True):
        plan.append(("package", p, "remove"))
        ops.append(["pkg-remove", p])
    # 8. users to delete
    for u, want in sorted(target["user"].items()):
        if want is None and u in us:
            plan.append(("user", u, "delete"))
            ops.append(["user-del", u])
    return plan, ops


class Fleet:
    def __init__(self) -> None:
        self.cmd = shlex.split(os.environ.get("HOSTCTL", "python3 bin/hostctl"))

    def facts(self, host: str) -> dict | None:
        done = subprocess.run([*self.cmd, host, "facts"], capture_output=True, text=True)
        if done.returncode == 75:
            return None
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return json.loads(done.stdout)

    def batch(self, host: str, ops: list[list[str]]) -> bool:
        if not ops:
            return True
        text = "".join(json.dumps(op) + "\n" for op in ops)
        done = subprocess.run([*self.cmd, host, "batch"], input=text, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr.strip(), file=sys.stderr)
        return done.returncode == 0


def main(argv: list[str]) -> int:
    site_dir = Path("site")
    if len(argv) >= 2 and argv[0] == "--site":
        site_dir, argv = Path(argv[1]), argv[2:]
    if len(argv) != 1 or argv[0] not in ("plan", "apply", "rollback"):
        print("usage: cm [--site DIR] plan|apply|rollback", file=sys.stderr)
        return 2
    mode = argv[0]
    site = load_site(site_dir)
    fleet = Fleet()
    store = Path(".cm-rollback")
    store.mkdir(exist_ok=True)
    status = 0
    for host in sorted(site["hosts"]):
        facts = fleet.facts(host)
        if facts is None:
            print(f"{host} unreachable")
            status = 1
            continue
        repo = json.loads((site_dir / "repo" / f"{facts['distro']}.json").read_text())
        saved_path = store / f"{host}.json"
        if mode == "rollback":
            if not saved_path.is_file():
                continue
            target = rollback_target(json.loads(saved_path.read_text()), facts)
        else:
            target = desired(site, host, facts, repo)
        plan, ops = changes(facts, target, repo)
        if mode == "plan":
            for kind, name, action in plan:
                print(f"{host} {kind} {name} {action}")
            continue
        if mode == "apply":
            saved_path.write_text(json.dumps(facts))
        if not fleet.batch(host, ops):
            status = 1
        if mode == "rollback":
            saved_path.unlink()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
