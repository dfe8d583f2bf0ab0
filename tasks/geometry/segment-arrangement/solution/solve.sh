#!/bin/bash
# The real computation (about a second): exact rational arrangement of segments.txt.
set -euo pipefail
python3 "$(dirname "$0")/solve.py"
