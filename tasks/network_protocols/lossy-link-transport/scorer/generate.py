"""Regenerates this task's data: python3 generate.py OUTDIR writes scenarios.json and netsim.py
(for environment/) and hidden_scenarios.json and netsim.py (for scorer/). Deterministic (fixed
seed); needs make_scenarios.py, netsim.py and reference_transport.py next to it.

Scenarios are link parameter sets (delay, jitter, queue size, Gilbert-Elliott loss, corruption,
duplication, packet size limit) and a transfer size; each gets a seed for the link's random
choices and its data. The bounds of each scenario come from running the reference transport
(reference_transport.py, the same as solution/transport.py) on it: the finish tick may be at
most 1.5 times the reference's plus 50, and the packets the sender hands to the link at most
1.3 times the reference's plus 20.
"""

import json
import math
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import make_scenarios  # noqa: E402
import netsim  # noqa: E402

SEED = 1_460_2026
PUBLIC = ["clean", "mixed", "mixed", "harsh", "mixed", "mixed", "harsh", "clean"]
HIDDEN = ["clean", "mixed", "mixed", "mixed", "harsh", "mixed", "mixed", "harsh", "mixed", "mixed", "harsh", "clean"]


def with_bounds(scs: list[dict]) -> list[dict]:
    ref = netsim.load(str(HERE / "reference_transport.py"))
    for sc in scs:
        r = netsim.run(ref, sc)
        assert r["ok"], (sc["name"], r)
        sc["bounds"] = {
            "finish_tick": math.ceil(1.5 * r["finish_tick"]) + 50,
            "data_packets": math.ceil(1.3 * r["data_packets"]) + 20,
        }
    return scs


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    public = with_bounds(make_scenarios.scenarios(rng, "public", PUBLIC))
    hidden = with_bounds(make_scenarios.scenarios(rng, "hidden", HIDDEN))
    (out / "scenarios.json").write_text(json.dumps(public, indent=1) + "\n")
    (out / "hidden_scenarios.json").write_text(json.dumps(hidden, indent=1) + "\n")
    if (out / "netsim.py").resolve() != (HERE / "netsim.py").resolve():
        shutil.copyfile(HERE / "netsim.py", out / "netsim.py")


if __name__ == "__main__":
    main()
