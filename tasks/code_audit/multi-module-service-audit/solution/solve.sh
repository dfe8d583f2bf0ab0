#!/bin/bash
# Reference solution: the author's demonstrations, one per planted vulnerability (made by
# scorer/generate.py --solution from the generator's knowledge of which variant each handler
# took). A human finds the same handlers by reading the code.
set -euo pipefail
python3 - "$(dirname "$0")/exploits.json" <<'PY'
import json, os, sys
os.makedirs("exploits", exist_ok=True)
for n, spec in enumerate(json.load(open(sys.argv[1]))):
    with open(f"exploits/{n:03d}.json", "w") as out:
        json.dump(spec, out, indent=1)
PY
