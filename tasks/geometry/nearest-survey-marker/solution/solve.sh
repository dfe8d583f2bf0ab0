#!/bin/bash
# One command: squared distance to the query point for every marker, keeping the smallest. (No
# `sort | head`: head closing the pipe early makes sort die of SIGPIPE under pipefail.)
set -euo pipefail
awk -F, 'NR > 1 { dx = $2 - 4183.25; dy = $3 - 2716.5; d = dx * dx + dy * dy
                  if (best == "" || d < best) { best = d; id = $1 } }
         END { print id }' markers.csv > submission.txt
