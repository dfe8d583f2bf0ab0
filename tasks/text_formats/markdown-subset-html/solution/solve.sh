#!/usr/bin/env bash
# Reference solution: install the finished renderer as marklet.py in the work directory.
set -euo pipefail
cp "$(dirname "$0")/marklet.py" marklet.py
