#!/bin/bash
# Reference solution: conflict-driven clause learning with the original's decision order
# (assumptions, then the smallest unassigned variable set false), two watched literals,
# first-UIP learning kept across queries, Luby restarts, LBD-based clause deletion.
set -euo pipefail
cp "$(dirname "$0")/lexsat.py" lexsat.py
