#!/bin/bash
# Cheap oracle: the keys the generator computed by inverting each stage (see task.yaml notes).
set -euo pipefail
cp "$(dirname "$0")/keys.txt" keys.txt
