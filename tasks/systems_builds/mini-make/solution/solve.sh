#!/bin/bash
set -euo pipefail
cp "$(dirname "$0")/mmake.py" mmake.py
