#!/bin/bash
# The real computation (a few seconds): exact overlay-and-classify boolean operations.
set -euo pipefail
python3 "$(dirname "$0")/solve.py"
