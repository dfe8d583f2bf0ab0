"""Regenerates this task's data (deterministic, fixed seed).

    python3 generate.py OUTDIR            writes truth.json and image.sha256 (flat files)
    python3 generate.py OUTDIR ENVDIR     also lays the machine image out under ENVDIR/image/

The image holds etc/passwd and the accounts' home directories. Several home folders are not named
after their login (renamed accounts, dotted names) and one lives outside home/. The biggest folder
under home/ belongs to no account (a leftover migration dump), so it must be skipped. Sizes are
spread so that apparent size and disk usage rank the homes the same way. image.sha256 pins every
file of the tree (`cd environment && sha256sum -c ../scorer/image.sha256`).
"""

import hashlib
import json
import random
import sys
from pathlib import Path

SEED = 52_230
WORDS = "alpha bravo delta echo kilo lima oscar romeo sierra tango victor yankee zulu".split()
# (login, uid, home folder relative to the image root, size weight)
ACCOUNTS = [
    ("root", 0, "root", 1),
    ("daemon", 1, "usr/sbin", 0),
    ("www-data", 33, "var/www", 0),
    ("backup", 34, "var/backups", 0),
    ("ahmed", 1001, "home/ahmed", 3),
    ("bfischer", 1002, "home/bfischer", 5),
    ("cwong", 1003, "home/c.wong", 8),
    ("dpatel", 1004, "home/dpatel", 4),
    ("eokafor", 1005, "home/emeka", 13),
    ("fmorales", 1006, "home/fmorales", 7),
    ("gsato", 1007, "home/gsato", 2),
    ("hlindqvist", 1008, "home/h.lindqvist", 10),
    ("ibrahimk", 1009, "home/ibrahimk", 6),
    ("jnovak", 1010, "srv/jnovak", 9),
    ("builder", 1100, "srv/build", 11),
]
ORPHAN = ("home/migration-2023", 18)
UNIT = 19_000


def text_blob(rng: random.Random, size: int) -> str:
    out = []
    total = 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))) + "\n"
        out.append(line)
        total += len(line)
    return "".join(out)[:size]


def build(rng: random.Random) -> tuple[dict[str, str], str]:
    files: dict[str, str] = {}
    passwd = []
    sizes: dict[str, int] = {}
    for login, uid, home, weight in ACCOUNTS:
        shell = "/bin/bash" if uid >= 1000 or uid == 0 else "/usr/sbin/nologin"
        passwd.append(f"{login}:x:{uid}:{uid}:{login}:/{home}:{shell}")
        if weight == 0:
            continue
        target = weight * UNIT + rng.randint(0, UNIT // 4)
        sizes[login] = 0
        n = rng.randint(3, 7)
        for i in range(n):
            part = target // n
            name = rng.choice(["notes", "report", "dump", "todo", "scratch", "export"]) + f"-{i}.txt"
            sub = rng.choice(["", "docs/", "projects/", ".cache/"])
            files[f"{home}/{sub}{name}"] = text_blob(rng, part)
            sizes[login] += part
        files[f"{home}/.bashrc"] = "alias ll='ls -l'\n"
    path, weight = ORPHAN
    for i in range(4):
        files[f"{path}/chunk-{i}.txt"] = text_blob(rng, weight * UNIT // 4)
    files["etc/passwd"] = "\n".join(passwd) + "\n"
    files["etc/hostname"] = "shell-01\n"
    best = max(sizes, key=sizes.__getitem__)
    return files, best


def main(outdir: str, envdir: str | None = None) -> None:
    rng = random.Random(SEED)
    files, best = build(rng)
    out = Path(outdir)
    (out / "truth.json").write_text(json.dumps({"login": best}) + "\n")
    lines = [f"{hashlib.sha256(t.encode()).hexdigest()}  image/{p}" for p, t in sorted(files.items())]
    (out / "image.sha256").write_text("\n".join(lines) + "\n")
    if envdir:
        for rel, text in files.items():
            path = Path(envdir) / "image" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
