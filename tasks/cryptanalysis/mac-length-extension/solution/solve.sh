#!/bin/bash
# The real length-extension attack (well under a second).
set -euo pipefail
python3 "$(dirname "$0")/solve.py"
