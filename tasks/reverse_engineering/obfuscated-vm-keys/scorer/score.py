#!/usr/bin/env python3
"""Scorer for obfuscated-vm-keys. keys.txt in the work directory holds lines `USER NAME<TAB>KEY`.
For each of the scorer's own names (names.txt), the key given for it is run through the
scorer's own copies of vm.py and program.hex; the program reports each of its ten checks as
`Si:1` or `Si:0`. A name scores the fraction of checks passed (0 for a missing or malformed
key); the score is the mean over the names. Threshold 0.95: every check of every name, give or
take a few."""

import contextlib
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
N_CHECKS = 10


def run(image: str, name: str, key: str) -> str:
    scope: dict = {"__name__": "vm"}
    exec(compile((HERE / "vm.py").read_text(), "vm.py", "exec"), scope)  # noqa: S102 - the scorer's own copy
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        scope["main"](image, name, key)
    return buf.getvalue()


def main() -> None:
    try:
        text = Path("keys.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        print("keys.txt missing or unreadable")
        print(0.0)
        return
    given: dict[str, str] = {}
    for line in text.splitlines()[:1000]:
        if "\t" in line:
            name, key = line.split("\t", 1)
            given.setdefault(name, key.strip())
    names = (HERE / "names.txt").read_text().splitlines()
    image = (HERE / "program.hex").read_text()
    total = 0.0
    for name in names:
        key = given.get(name)
        passed = 0
        if key and len(key) <= 200 and key.isascii() and key.isprintable():
            out = run(image, name, key).split()
            passed = sum(f"S{i}:1" in out for i in range(1, N_CHECKS + 1))
        print(f"{name!r}: {passed}/{N_CHECKS}")
        total += passed / N_CHECKS
    print(f"{total / len(names):.4f}")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001 - the scorer must always end with a number
        print(f"scorer error: {exc!r}", file=sys.stderr)
        print(0.0)
