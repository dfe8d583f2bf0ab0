#!/bin/bash
# Cheap oracle: install the reference broker (the protocol's secret) as server.py.
set -euo pipefail
cp "$(dirname "$0")/broker.py" server.py
