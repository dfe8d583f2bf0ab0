#!/bin/bash
# Reference solution: the author's move generator with its perft driver.
set -euo pipefail
cp "$(dirname "$0")/perft.py" perft.py
