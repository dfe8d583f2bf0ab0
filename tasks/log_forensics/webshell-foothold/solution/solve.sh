#!/bin/bash
# The reference investigation (a second or two): reads the evidence, writes submission.txt.
set -euo pipefail
python3 "$(dirname "$0")/investigate.py"
