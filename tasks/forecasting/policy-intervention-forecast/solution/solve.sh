#!/bin/bash
# Cheap oracle: the author's hidden model, run from the true state (scorer copy in solution/).
set -euo pipefail
python3 "$(dirname "$0")/oracle.py"
