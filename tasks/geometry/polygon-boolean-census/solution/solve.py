"""Reference solver: exact boolean operations for every case of cases.json (boolean.py:
overlay both boundaries with rational arithmetic, classify both sides of each overlay edge,
keep the edges where the result changes, walk their face cycles), written to answers.json."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boolean import evaluate  # noqa: E402


def main() -> None:
    """Read cases.json, write answers.json."""
    answers = {}
    for case in json.loads(Path("cases.json").read_text()):
        a = [[tuple(p) for p in ring] for ring in case["a"]]
        b = [[tuple(p) for p in ring] for ring in case["b"]]
        area, pieces, holes = evaluate(a, b, case["op"])
        answers[case["id"]] = {"area": round(float(area), 6), "pieces": pieces, "holes": holes}
    Path("answers.json").write_text(json.dumps(answers, indent=1) + "\n")


main()
