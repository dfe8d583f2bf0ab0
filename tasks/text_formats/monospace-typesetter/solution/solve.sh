#!/usr/bin/env bash
# Reference solution: install the finished typesetter as galley.py in the work directory.
set -euo pipefail
cp "$(dirname "$0")/galley.py" galley.py
