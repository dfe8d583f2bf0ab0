#!/bin/bash
# The author's oracle holds the planted optimal schedule (see task.yaml notes).
set -euo pipefail
cp "$(dirname "$0")/planted.txt" schedule.txt
