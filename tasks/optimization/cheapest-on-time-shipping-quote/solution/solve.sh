#!/bin/bash
# Keep the quotes within both inclusive limits and remember the cheapest one (awk, no `sort | head`).
set -euo pipefail
awk -F, 'NR > 1 && $4 <= 4 && $5 >= 340 { if (best == "" || $3 + 0 < best) { best = $3 + 0; id = $1 } }
         END { print id }' quotes.csv > submission.txt
