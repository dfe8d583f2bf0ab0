#!/bin/bash
# The real attack (a few seconds): correlation attack on the Geffe generator.
set -euo pipefail
python3 "$(dirname "$0")/attack.py"
