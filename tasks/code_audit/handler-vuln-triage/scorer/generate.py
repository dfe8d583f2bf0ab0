"""Regenerates this task's data: python3 generate.py OUTDIR writes a one-resource service
(platform_*.py, world.py, runner.py, schema.py, mod_<resource>.py and mod_<account>.py, for
environment/) and truth.json (for scorer/: the vulnerable handlers and their classes).
Deterministic (fixed seed). Needs webgen.py and src/ next to it; the same generator builds the
larger service-audit tasks of this family."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webgen  # noqa: E402

SEED = 5_1729
QUOTA = {"sqli": 1, "path-traversal": 1, "command-injection": 1, "ssrf": 1, "missing-auth": 1,
         "mass-assignment": 1}


def build_task():
    return webgen.build(SEED, 1, 1, sum(QUOTA.values()), class_quota=QUOTA, fillers=3)


def main(outdir: str) -> None:
    files, truth, _ = build_task()
    out = Path(outdir)
    for name, text in files.items():
        (out / name).write_text(text)
    answers = [{"function": t["function"].split(".")[1], "class": t["class"]} for t in truth]
    (out / "truth.json").write_text(json.dumps(answers, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
