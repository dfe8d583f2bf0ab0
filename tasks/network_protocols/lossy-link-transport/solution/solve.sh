#!/bin/bash
# Reference transport (selective repeat with SACK, CRC-32, model-based pacing).
set -euo pipefail
cp "$(dirname "$0")/transport.py" transport.py
