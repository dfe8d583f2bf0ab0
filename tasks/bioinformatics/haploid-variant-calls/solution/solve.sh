#!/bin/bash
# The real pipeline (seconds): seed, align, pile up, call, left-align.
set -euo pipefail
python3 "$(dirname "$0")/call.py"
