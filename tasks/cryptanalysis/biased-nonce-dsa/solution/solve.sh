#!/bin/bash
# The real lattice attack on the nightly signatures (a few seconds).
set -euo pipefail
python3 "$(dirname "$0")/solve.py"
