#!/usr/bin/env python3
"""Scorer for bundle-parser-proofs: replays the agent's proof inputs (proofs/FUNCTION.KIND.hex
in the work directory) through the graders' own copy of spk.py (rebuilt from generate.py) on
the checking heap (sanheap.py), in a child process.

A proof demonstrates its claim when parsing it makes the checking heap report fault KIND in
FUNCTION (for unbounded-recursion: FUNCTION is one of the functions that recursed). A claim is
correct when it is demonstrated and matches a planted bug (its function or an accepted alias,
and its kind); each planted bug counts once. Score = 2 * correct / (distinct claims + planted)."""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True
MARKER = "@@proof-results@@"
MAX_FILES, MAX_INPUT = 60, 300_000
KINDS = {"out-of-bounds-read", "out-of-bounds-write", "use-after-free", "double-free",
         "uninitialized-read", "unbounded-recursion", "endless-loop"}
TIMEOUT_S = 400


def load_proofs(workdir):
    proofs, problems = [], []
    folder = workdir / "proofs"
    paths = sorted(folder.glob("*.hex")) if folder.is_dir() else []
    for path in paths[:MAX_FILES]:
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\.([a-z-]+)\.hex", path.name)
        if not m or m.group(2) not in KINDS:
            problems.append(f"{path.name}: not named FUNCTION.KIND.hex with a known kind")
            continue
        try:
            if path.is_symlink() or path.stat().st_size > 3 * MAX_INPUT:
                raise ValueError("too large or a link")
            text = "".join(path.read_text(encoding="ascii").split())
            data = bytes.fromhex(text)
            if len(data) > MAX_INPUT:
                raise ValueError("input over 300,000 bytes")
        except Exception as exc:
            problems.append(f"{path.name}: unreadable ({exc})")
            continue
        proofs.append((m.group(1), m.group(2), data.hex()))
    if len(paths) > MAX_FILES:
        problems.append(f"only the first {MAX_FILES} files were read")
    return proofs, problems


def main():
    import generate

    source, truth = generate.build()
    proofs, problems = load_proofs(Path.cwd())
    for line in problems:
        print(line)
    claims = {(f, k) for f, k, _ in proofs}
    if not claims:
        print("no proofs found in proofs/")
        print(0.0)
        return
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "spk.py").write_text(source)
        Path(tmp, "sanheap.py").write_text((HERE / "sanheap.py").read_text())
        Path(tmp, "inputs.json").write_text(json.dumps([hexdata for _, _, hexdata in proofs]))
        try:
            done = subprocess.run(
                [sys.executable, "-I", str(HERE / "harness.py"), tmp, str(Path(tmp, "inputs.json")), MARKER],
                capture_output=True, text=True, timeout=TIMEOUT_S, cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            print(f"the proofs did not finish within {TIMEOUT_S} s")
            print(0.0)
            return
    results = None
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            results = json.loads(line[len(MARKER):])
    if results is None or len(results) != len(proofs):
        print("the harness failed:", done.stderr[-1500:])
        print(0.0)
        return
    credited = set()
    for (function, kind, _), (got_kind, got_function, recursed) in zip(proofs, results):
        shown = got_kind == kind and (got_function == function or function in recursed)
        site = next((t["site"] for t in truth if t["kind"] == kind
                     and function in [t["function"], *t["aliases"]] and t["site"] not in credited), None)
        if shown and site is not None:
            credited.add(site)
            verdict = "correct"
        elif shown:
            verdict = "demonstrated, but not a planted bug (or already credited)"
        else:
            verdict = f"not demonstrated (checking heap reported {got_kind} in {got_function})"
        print(f"{function}.{kind}: {verdict}")
    print(f"{len(credited)} of {len(truth)} planted bugs demonstrated; {len(claims)} claims")
    print(round(2 * len(credited) / (len(claims) + len(truth)), 4))


main()
