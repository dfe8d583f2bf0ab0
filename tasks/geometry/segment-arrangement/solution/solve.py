"""Reference solver: exact arrangement statistics of segments.txt, written to answers.json.

Rational arithmetic throughout (planar.py): split every segment at every point it shares with
another (a uniform grid limits the pairs tested), deduplicate the pieces, walk the face cycles,
count bounded faces (checked against Euler's formula), and sum the bounded cycles' areas minus
the components that float inside another component's faces."""

import json
import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from planar import Arrangement, components, face_cycles, inside_ring, ring_area2  # noqa: E402


def main() -> None:
    """Read segments.txt, write answers.json."""
    lines = Path("segments.txt").read_text().split("\n")
    count = int(lines[0])
    segs = [tuple(int(v) for v in line.split()) for line in lines[1 : count + 1]]
    arr = Arrangement(segs)  # type: ignore[arg-type]
    roots = components(arr.edges)
    comps = set(roots.values())
    positive = [(cyc, ring_area2(cyc), roots[cyc[0]]) for cyc in face_cycles(arr.edges)]
    positive = [p for p in positive if p[1] > 0]
    v, e, c, f = len(arr.vertices), len(arr.edges), len(comps), len(positive)
    assert f == e - v + c
    enclosed = {r: Fraction(0) for r in comps}
    for _cyc, a2, root in positive:
        enclosed[root] += a2 / 2
    area = sum(enclosed.values(), Fraction(0))
    for root in comps:
        for cyc, _a2, other in positive:
            xs = [p[0] for p in cyc]
            ys = [p[1] for p in cyc]
            if (
                other != root
                and min(xs) < root[0] < max(xs)
                and min(ys) < root[1] < max(ys)
                and inside_ring(root, cyc)
            ):
                area -= enclosed[root]
                break
    answers = {
        "meeting_pairs": arr.meeting_pairs,
        "vertices": v,
        "edges": e,
        "components": c,
        "bounded_faces": f,
        "enclosed_area": round(float(area), 6),
        "max_through": max(arr.through.values()),
    }
    Path("answers.json").write_text(json.dumps(answers, indent=2) + "\n")


main()
