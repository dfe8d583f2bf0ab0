#!/bin/bash
# Reference solution: craft one input per planted bug with a small SPK writer.
set -euo pipefail
here="$(dirname "$0")"
python3 "$here/make_proofs.py" "$here/planted.json"
