#!/usr/bin/env python3
"""Hidden harness for fleet-config-manager.

Runs the agent's tool (`bash cm --site SITE plan|apply|rollback` in the work directory) against a
hidden fleet of 40 hosts (hidden.json, made by generate.py with another seed than the public
one), through the scorer's own copy of hostctl, in a child process with a timeout (70 s a run,
520 s in all; as the owner of the work directory when the scorer runs as root). Two scenarios,
each on a fresh copy of the fleet:

  A. plan; apply; apply again; drift some hosts by hand; apply
  B. apply; rollback

The harness judges the journal hostctl keeps: every operation is replayed from the known state,
so a tool that edits state files behind hostctl's back gains nothing. Properties per reachable
host (10): plan lists exactly the changes; packages, users, files and services converge; no
refused operation; notified services restarted after their files changed and nothing else
restarted; a second apply changes nothing; after drift, apply repairs the drifted hosts and
leaves the others alone; rollback restores the state before the apply. Unreachable hosts (2):
plan reports them. The score is the fraction of properties that hold.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cmref import changes, desired, load_site  # noqa: E402
from hostctl import Refused, apply_op  # noqa: E402

RUN_TIMEOUT_S = 70
BUDGET_S = 520  # all six runs together, inside the scorer's 600 s
STARTED = time.monotonic()
KINDS = ("packages", "users", "files", "services")
# The agent's tool runs as the owner of the work directory when the scorer runs as root.
_WD = os.stat(".")
RUN_AS = (_WD.st_uid, _WD.st_gid) if os.geteuid() == 0 and _WD.st_uid != 0 else None


class Lab:
    def __init__(self, root: Path, files: dict[str, str]) -> None:
        self.root = root
        self.site = root / "site"
        for rel, text in files.items():
            if rel.startswith("site/"):
                p = root / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text)
        shutil.copy(HERE / "hostctl.py", root / "hostctl.py")
        self.files = files
        self.decl = load_site(self.site)
        self.repos = {d: json.loads(files[f"site/repo/{d}.json"]) for d in ("bookworm", "jammy")}
        self.initial = {
            rel[len("fleet-state/") : -len(".json")]: json.loads(text)
            for rel, text in files.items()
            if rel.startswith("fleet-state/") and rel.count("/") == 1
        }

    def fresh_state(self, name: str) -> Path:
        state = self.root / name
        (state / "repo").mkdir(parents=True)
        for d, index in self.repos.items():
            (state / "repo" / f"{d}.json").write_text(json.dumps(index))
        for host, facts in self.initial.items():
            (state / f"{host}.json").write_text(json.dumps(facts))
        (state / "journal.jsonl").write_text("")
        self.chown(self.root)
        return state

    def chown(self, path: Path) -> None:
        if RUN_AS is not None:
            for p in [path, *path.rglob("*")]:
                try:
                    os.chown(p, *RUN_AS)
                except OSError:
                    return

    def run(self, state: Path, mode: str) -> tuple[str, int]:
        """Run the tool; returns (stdout, journal offset before the run)."""
        offset = len(read_journal(state))
        env = dict(os.environ, HOSTCTL=f"python3 {self.root / 'hostctl.py'}", HOSTCTL_STATE=str(state))
        env.pop("HORIZON_SUBMISSION_FILE", None)
        kwargs: dict = {}
        if RUN_AS is not None:
            kwargs = {"user": RUN_AS[0], "group": RUN_AS[1], "extra_groups": []}
            env["HOME"] = str(Path.cwd())
        command = ["bash", "cm", "--site", str(self.site), mode]
        limit = max(1.0, min(RUN_TIMEOUT_S, BUDGET_S - (time.monotonic() - STARTED)))
        try:
            proc = subprocess.Popen(
                command, cwd=Path.cwd(), env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, text=True, start_new_session=True, **kwargs,
            )
        except PermissionError:
            # The sandbox may not let root change user: run as the scorer's own user.
            proc = subprocess.Popen(
                command, cwd=Path.cwd(), env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, text=True, start_new_session=True,
            )
        try:
            out, _ = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            out, _ = proc.communicate()
            print(f"cm {mode}: timed out after {limit:.0f} s")
        return out, offset


def read_journal(state: Path) -> list[dict]:
    out = []
    try:
        lines = (state / "journal.jsonl").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"host": None, "op": [], "ok": False})
    return out


def replay(lab: Lab, start: dict[str, dict], entries: list[dict]) -> tuple[dict[str, dict], dict[str, list]]:
    """Final facts per host from the journal's accepted operations, and each host's entries."""
    facts = json.loads(json.dumps(start))
    per_host: dict[str, list] = {h: [] for h in start}
    for e in entries:
        host = e.get("host")
        if host not in facts:
            continue
        per_host[host].append(e)
        if e.get("ok"):
            try:
                apply_op(facts[host], lab.repos[facts[host]["distro"]], e["op"])
            except (Refused, Exception):  # noqa: BLE001 - a forged entry
                facts[host]["tampered"] = True
    return facts, per_host


def norm(facts: dict) -> dict:
    return {k: facts.get(k) for k in KINDS}


def restarted(entries: list[dict], start: dict) -> dict[str, int]:
    """service -> index of its (last) restart in this host's entries."""
    out: dict[str, int] = {}
    stopped: set[str] = set()
    for i, e in enumerate(entries):
        if not e.get("ok") or len(e["op"]) < 2:
            continue
        op, arg = e["op"][0], e["op"][1]
        if op == "svc-restart":
            out[arg] = i
        elif op == "svc-stop" and start["services"].get(arg, {}).get("running"):
            stopped.add(arg)
        elif op == "svc-start" and arg in stopped:
            out[arg] = i
    return out


def parse_plan(text: str, hosts: set[str]) -> dict[str, set[tuple[str, ...]]]:
    out: dict[str, set[tuple[str, ...]]] = {h: set() for h in hosts}
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] in hosts:
            out[parts[0]].add(tuple(parts[1:]))
    return out


def main() -> None:
    if not Path("cm").is_file():
        print("no cm in the work directory")
        print(0.0)
        return
    hidden = json.loads((HERE / "hidden.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        lab = Lab(Path(tmp), hidden)
        hosts = sorted(lab.initial)
        reach = [h for h in hosts if lab.initial[h]["reachable"]]
        ref: dict[str, dict] = {}
        for h in reach:
            facts = lab.initial[h]
            repo = lab.repos[facts["distro"]]
            target = desired(lab.decl, h, facts, repo)
            plan, ops = changes(facts, target, repo)
            final = json.loads(json.dumps(facts))
            for op in ops:
                apply_op(final, repo, op)
            notify = {}
            for path, spec in target["file"].items():
                for s in (spec or {}).get("notify", []):
                    notify.setdefault(s, set()).add(path)
            ref[h] = {"plan": {tuple(x) for x in plan}, "final": final, "ops": ops,
                      "restarts": {op[1] for op in ops if op[0] == "svc-restart"}, "notify": notify}
        score: dict[str, dict[str, bool]] = {h: {} for h in hosts}

        # Scenario A
        state = lab.fresh_state("a")
        out, off = lab.run(state, "plan")
        journal = read_journal(state)
        quiet = len(journal) == off
        planned = parse_plan(out, set(hosts))
        for h in hosts:
            if h in ref:
                score[h]["plan"] = quiet and planned[h] == ref[h]["plan"]
            else:
                score[h]["plan"] = quiet and planned[h] == {("unreachable",)}
        _, off = lab.run(state, "apply")
        journal = read_journal(state)
        after1, per_host = replay(lab, lab.initial, journal[off:])
        converged = {}
        for h in reach:
            got, want = after1[h], ref[h]["final"]
            ok = not got.get("tampered")
            converged[h] = ok and norm(got) == norm(want)
            for kind in KINDS:
                # A part that was right from the start earns credit only on a converged host.
                already = lab.initial[h][kind] == want[kind]
                score[h][kind] = ok and got[kind] == want[kind] and (converged[h] or not already)
            score[h]["clean_ops"] = converged[h] and all(e.get("ok") for e in per_host[h])
            got_r = restarted(per_host[h], lab.initial[h])
            good = set(got_r) == ref[h]["restarts"]
            for s, idx in got_r.items():
                writes = [i for i, e in enumerate(per_host[h]) if e.get("ok") and e["op"][0] == "file-write"
                          and e["op"][1] in ref[h]["notify"].get(s, set())]
                if writes and max(writes) > idx:
                    good = False
            score[h]["restarts"] = converged[h] and good
        _, off = lab.run(state, "apply")
        journal = read_journal(state)
        after2, per_host = replay(lab, after1, journal[off:])
        for h in reach:
            score[h]["idempotent"] = converged[h] and not per_host[h] and norm(after2[h]) == norm(ref[h]["final"])
        # Drift: edits made by hand, behind the tool's back.
        rng = random.Random(5150)
        drifted = set(rng.sample(reach, 10))
        base = json.loads(json.dumps(after2))
        for h in sorted(drifted):
            f = base[h]
            repo = lab.repos[f["distro"]]
            edits = [["svc-stop", s] for s, v in sorted(f["services"].items()) if v["running"]]
            edits += [["file-write", p, v["mode"], v["owner"], v["content"] + "# drift\n"]
                      for p, v in sorted(f["files"].items()) if p != "/etc/motd"]
            edits += [["user-mod", "admin", "1500", "/bin/ksh"]] if "admin" in f["users"] else []
            for op in rng.sample(edits, min(2, len(edits))):
                try:
                    apply_op(f, repo, op)
                except Refused:
                    pass
            (state / f"{h}.json").write_text(json.dumps(f))
        lab.chown(state)
        _, off = lab.run(state, "apply")
        journal = read_journal(state)
        after3, per_host = replay(lab, base, journal[off:])
        for h in reach:
            fixed = norm(after3[h]) == norm(ref[h]["final"]) and not after3[h].get("tampered")
            score[h]["drift"] = converged[h] and fixed and (h in drifted or not per_host[h])

        # Scenario B
        state = lab.fresh_state("b")
        _, off = lab.run(state, "apply")
        _, off2 = lab.run(state, "rollback")
        journal = read_journal(state)
        applied, _ = replay(lab, lab.initial, journal[off:off2])
        back, per_host = replay(lab, applied, journal[off2:])
        for h in reach:
            did_apply = norm(applied[h]) == norm(ref[h]["final"])
            score[h]["rollback"] = (
                did_apply and norm(back[h]) == norm(lab.initial[h]) and all(e.get("ok") for e in per_host[h])
                and not back[h].get("tampered")
            )

    total = passed = 0
    for h in hosts:
        bad = [k for k, v in score[h].items() if not v]
        total += len(score[h])
        passed += len(score[h]) - len(bad)
        print(f"{h}: {len(score[h]) - len(bad)}/{len(score[h])}" + (f" (failed: {', '.join(bad)})" if bad else ""))
    print(round(passed / total, 4) if total else 0.0)


main()
