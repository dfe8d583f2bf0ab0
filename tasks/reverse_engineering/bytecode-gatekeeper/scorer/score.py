#!/usr/bin/env python3
"""Scorer for bytecode-gatekeeper: the submitted password is run through the scorer's own copy
of the VM and program; 1.0 when the door opens, else 0.0."""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import vm  # noqa: E402 - the scorer's copy, next to this file


def read_submission() -> str | None:
    """submission.txt in the work directory, else $HORIZON_SUBMISSION_FILE; None when empty."""
    for candidate in ("submission.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                return text
    return None


def main() -> None:
    password = read_submission()
    if password is None or len(password) > 200:
        print("no password (or an over-long one) was submitted")
        print(0.0)
        return
    try:
        granted = vm.run(vm.load(HERE / "program.hex"), password.encode("latin-1", "replace"))
    except (IndexError, ValueError, RuntimeError) as exc:
        print(f"the program failed on this password: {exc}")
        granted = 0
    print(f"password {password!r}: access {'granted' if granted else 'denied'}")
    print(1.0 if granted else 0.0)


main()
