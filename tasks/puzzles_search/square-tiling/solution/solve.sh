#!/bin/bash
set -euo pipefail
python3 "$(dirname "$0")/tile.py" puzzles.txt solution.json
