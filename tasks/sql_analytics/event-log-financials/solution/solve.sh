#!/bin/bash
# Reference solution: the full rebuild (a few seconds on one core).
set -euo pipefail
python3 "$(dirname "$0")/books.py" . .
