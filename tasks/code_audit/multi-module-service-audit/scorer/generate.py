"""Regenerates this task's data: python3 generate.py OUTDIR writes the service (platform_*.py,
world.py, runner.py, schema.py and one mod_*.py per resource or account module, for
environment/) and truth.json (for scorer/: the planted vulnerabilities). Deterministic: the
seed fixes which resources exist, which form (safe, decoy or vulnerable variant) every handler
takes and where the planted vulnerabilities are. Needs webgen.py and src/ next to it.

build_task() is also what score.py calls to rebuild the graders' copy of the service.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webgen  # noqa: E402

SEED = 40_2026
N_RESOURCES = 70
N_ACCOUNT = 6
QUOTA = {"sqli": 7, "idor": 6, "path-traversal": 5, "command-injection": 5, "ssrf": 4,
         "template-injection": 3, "missing-auth": 4, "mass-assignment": 2}


def build_task():
    return webgen.build(SEED, N_RESOURCES, N_ACCOUNT, sum(QUOTA.values()), class_quota=QUOTA)


def main(outdir: str) -> None:
    files, truth, _ = build_task()
    out = Path(outdir)
    for name, text in files.items():
        (out / name).write_text(text)
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


def write_solution(path: str) -> None:
    """The reference demonstrations (one per planted vulnerability), for solution/."""
    _, _, exploits = build_task()
    Path(path).write_text(json.dumps(exploits, indent=1) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "--solution":
        write_solution(sys.argv[2])
    else:
        main(sys.argv[1])
