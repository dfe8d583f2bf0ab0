#!/bin/bash
# The fixed package: every deviation from report.md corrected (see the task notes for the list).
set -euo pipefail
cp "$(dirname "$0")"/repro/*.py repro/
python3 repro/run.py . results.json
