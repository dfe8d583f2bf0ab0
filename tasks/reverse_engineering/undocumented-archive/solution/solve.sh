#!/bin/bash
# The reference extractor becomes the agent's unpak.py; it also extracts target.hex.
set -euo pipefail
cp "$(dirname "$0")/unpak.py" unpak.py
python3 unpak.py target.hex extracted
