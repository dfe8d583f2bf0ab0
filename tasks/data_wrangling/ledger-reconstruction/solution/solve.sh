#!/bin/bash
# Cheap oracle: the author knows the true ledger and copies the audit answers generate.py wrote.
set -euo pipefail
cp "$(dirname "$0")/truth.json" audit.json
