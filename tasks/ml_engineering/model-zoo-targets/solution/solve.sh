#!/bin/bash
# Oracle: the true models' predictions (made by the generator, which knows the planted structure).
set -euo pipefail
here="$(dirname "$0")"
mkdir -p predictions
for name in glyphs ratings demand sequences tabular; do
    cp "$here/oracle/oracle_$name.csv" "predictions/$name.csv"
done
