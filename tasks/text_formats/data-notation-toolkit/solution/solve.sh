#!/usr/bin/env bash
# Reference solution: install the finished tool as quill.py in the work directory.
set -euo pipefail
cp "$(dirname "$0")/quill.py" quill.py
