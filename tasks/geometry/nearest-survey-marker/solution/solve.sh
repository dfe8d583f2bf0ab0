#!/bin/bash
# One command: squared distance to the query point for every marker, smallest first.
set -euo pipefail
awk -F, 'NR > 1 { dx = $2 - 4183.25; dy = $3 - 2716.5; print dx * dx + dy * dy, $1 }' markers.csv \
    | sort -g | head -n 1 | awk '{ print $2 }' > submission.txt
