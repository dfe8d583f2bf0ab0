#!/bin/bash
# Reference solution: the share of rows whose prediction equals the label.
set -euo pipefail
awk -F, 'NR > 1 { n++; if ($2 == $3) ok++ } END { printf "%.4f\n", ok / n }' predictions.csv > submission.txt
