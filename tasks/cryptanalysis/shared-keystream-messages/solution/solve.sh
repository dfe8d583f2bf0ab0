#!/bin/bash
# Column statistics, then two recognised sentences as cribs (well under a second).
set -euo pipefail
python3 "$(dirname "$0")/solve.py"
