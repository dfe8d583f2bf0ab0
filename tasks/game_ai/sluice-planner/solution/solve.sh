#!/bin/bash
# Reference solver: the simulator and a breadth-first search over bitmask states.
set -euo pipefail
cp "$(dirname "$0")/sluice.py" solver.py
