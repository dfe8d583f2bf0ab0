#!/usr/bin/env bash
# Reference solution: install the finished codec as rowtext.py in the work directory.
set -euo pipefail
cp "$(dirname "$0")/rowtext.py" rowtext.py
