#!/usr/bin/env python3
"""Scores mini-make: differential tests of the agent's mmake.py against the reference (ref_mmake.py)
on build projects generated from a seed that only this folder holds. Each step runs both tools on
identical copies of a project and compares exit status, standard output, build.log and every file
left behind. The last line printed is the fraction of steps that agreed."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 7301_2291
PROJECTS = 5
STEP_TIMEOUT_S = 10
DEADLINE_S = 240  # within the scorer's timeout: steps not run by then fail
WORDS = "alpha beta gamma delta omega sigma kappa theta lambda zeta".split()


def make_project(rng: random.Random) -> tuple[dict[str, str], list[str], list[str]]:
    """Files of one random project, its source names and its intermediate targets."""
    n_src, n_mid = rng.randint(5, 9), rng.randint(6, 11)
    files = {f"src/s{i}.txt": " ".join(rng.choices(WORDS, k=4)) + "\n" for i in range(n_src)}
    files["src/extra.h"] = "extra\n"
    lines = ["# generated project", "LOG = build.log", "CAT = cat", "TAG = v1", "ALLDEPS ="]
    mids = []
    for j in range(n_mid):
        pool = [f"src/s{i}.txt" for i in range(n_src)] + [f"src/s{i}.up" for i in range(n_src)] + mids
        deps = rng.sample(pool, k=min(len(pool), rng.randint(1, 4)))
        order = " | stamp" if rng.random() < 0.3 else ""
        name = f"mid/m{j}.dat"
        lines.append(f"{name}: {' '.join(deps)}{order}  # intermediate")
        lines.append(f"\techo build $@ from $< $(TAG) >> $(LOG)")
        if rng.random() < 0.3:
            lines.append("\t@test ! -e fail.flag")
        lines.append(f"\t@mkdir -p mid && $(CAT) $^ > $@")
        mids.append(name)
    finals = rng.sample(mids, k=min(3, len(mids)))
    head = [
        ".PHONY: all clean",
        f"all: {' '.join(finals)} report.txt",
        "\t@echo all done $(TAG)",
        "",
        "report.txt: $(ALLDEPS) " + " ".join(rng.sample(mids, k=2)),
        "\tcat $^ | wc -l > $@",
        "\techo report >> $(LOG)",
        "",
        "%.up: %.txt",
        '\t@echo "up $* cost $$5" >> $(LOG)',
        "\ttr a-z A-Z < $< > $@",
        "",
        f"src/s{rng.randrange(n_src)}.up: src/extra.h",
        "stamp:",
        "\ttouch $@",
        "\techo stamp >> $(LOG)",
        "clean:",
        "\trm -rf mid report.txt stamp src/*.up build.log",
    ]
    files["Buildfile"] = "\n".join(lines[:5] + head + [""] + lines[5:]) + "\n"
    return files, [f for f in files if f.endswith(".txt")], mids


def broken_projects(rng: random.Random) -> list[dict[str, str]]:
    """Buildfiles that must be refused with status 2 before any command runs."""
    a, b, c = rng.sample(["p", "q", "r", "s", "t"], 3)
    ok = "\techo ran $@ >> build.log\n\ttouch $@\n"
    return [
        {"Buildfile": f"all: {a}\n{ok}{a}: {b}\n{ok}{b}: {c}\n{ok}{c}: {a}\n{ok}"},
        {"Buildfile": f"all: {a} {b}\n{ok}{a}:\n{ok}{b}: missing-{c}.c\n{ok}"},
        {"Buildfile": f"all: {a}\n{ok}{a}:\n{ok}{a}:\n\techo twice\n"},
        {"Buildfile": f"\techo orphan\nall:\n{ok}"},
        {"Buildfile": f"%.o: %.c\n{ok}all: {a}.o\n{ok}"},
    ]


def snapshot(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in ("Buildfile",):
            out[str(path.relative_to(root))] = path.read_text(errors="replace")
    return out


def shift_times(root: Path) -> None:
    """Move every mtime 100 s into the past, keeping their order, so that later builds are newer."""
    for path in root.rglob("*"):
        st = path.stat()
        path_ns = st.st_mtime_ns - 100 * 10**9
        os.utime(path, ns=(path_ns, path_ns))


def touch(root: Path, rel: str) -> None:
    ns = time.time_ns() - 50 * 10**9
    os.utime(root / rel, ns=(ns, ns))


def run(tool: Path, root: Path, args: list[str]) -> tuple:
    try:
        done = subprocess.run(
            [sys.executable, str(tool), *args], cwd=root, capture_output=True, text=True, timeout=STEP_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return ("timeout",)
    return (done.returncode, done.stdout, snapshot(root))


def steps(rng: random.Random, sources: list[str], mids: list[str]) -> list[tuple[str, list, list[str]]]:
    """(description, actions before the run, arguments) for one project."""
    out: list[tuple[str, list, list[str]]] = [("first build", [], []), ("second build does nothing", [], [])]
    out.append(("touched sources", [("touch", s) for s in rng.sample(sources, 2)], []))
    out.append(("dry run", [("touch", rng.choice(sources))], ["-n"]))
    out.append(("build after dry run", [], ["all"]))
    out.append(("one target", [("touch", "src/extra.h")], [rng.choice(mids)]))
    out.append(("removed intermediate", [("remove", rng.choice(mids))], []))
    out.append(("variable override", [], ["TAG=v2", "all", "report.txt"]))
    out.append(("order-only prerequisite", [("touch", "stamp")], []))
    out.append(("failing recipe", [("flag", "")] + [("touch", s) for s in sources], []))
    out.append(("keep going", [], ["-k"]))
    out.append(("repaired", [("unflag", "")], []))
    out.append(("phony clean", [], ["clean"]))
    out.append(("rebuild from clean", [], ["-k", "report.txt", "all"]))
    return out


def apply(root: Path, actions: list) -> None:
    shift_times(root)
    for kind, rel in actions:
        if kind == "touch" and (root / rel).exists():
            touch(root, rel)
        elif kind == "remove" and (root / rel).exists():
            (root / rel).unlink()
        elif kind == "flag":
            (root / "fail.flag").write_text("")
        elif kind == "unflag" and (root / "fail.flag").exists():
            (root / "fail.flag").unlink()


def write_tree(root: Path, files: dict[str, str]) -> None:
    base = time.time_ns() - 10**6 * 10**9
    for i, (rel, text) in enumerate(sorted(files.items())):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        os.utime(root / rel, ns=(base + i * 10**9, base + i * 10**9))


def main() -> None:
    agent = Path.cwd() / "mmake.py"
    if not agent.is_file():
        print("mmake.py is missing")
        print(0.0)
        return
    rng = random.Random(SEED)
    deadline = time.monotonic() + DEADLINE_S
    passed = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(agent, work / "agent_mmake.py")
        tools = {"ref": HERE / "ref_mmake.py", "agent": work / "agent_mmake.py"}
        cases = [(make_project(rng), True) for _ in range(PROJECTS)]
        cases += [((files, [], []), False) for files in broken_projects(rng)]
        for index, ((files, sources, mids), full) in enumerate(cases):
            plan = steps(rng, sources, mids) if full else [("refused Buildfile", [], [])]
            roots = {}
            for name in tools:
                roots[name] = work / f"{name}{index}"
                roots[name].mkdir()
                write_tree(roots[name], files)
            for label, actions, args in plan:
                if time.monotonic() > deadline:
                    total += 1
                    print(f"FAIL project {index}: {label} (not run: out of time)")
                    continue
                results = {}
                for name, tool in tools.items():
                    apply(roots[name], actions)
                    results[name] = run(tool, roots[name], args)
                total += 1
                if results["ref"] == results["agent"]:
                    passed += 1
                    print(f"PASS project {index}: {label}")
                else:
                    ref, got = results["ref"], results["agent"]
                    why = "timed out" if got == ("timeout",) else (
                        "exit status" if ref[0] != got[0] else "stdout" if ref[1] != got[1] else "files"
                    )
                    print(f"FAIL project {index}: {label} ({why} differs)")
    print(f"{passed}/{total} steps agree with the reference")
    print(round(passed / total, 4))


main()
