#!/bin/bash
# The reference migration: parses every host's 1.x configuration and writes the 2.x JSON files.
set -euo pipefail
python3 "$(dirname "$0")/migrate.py" fleet migrated
