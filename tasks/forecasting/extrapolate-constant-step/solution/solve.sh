#!/bin/bash
# Sort by month, take the step from the last two months, and add three steps (2025-09 -> 2025-12).
# awk keeps the last two rows itself (no `sort | head`/`tail` early-exit traps under pipefail).
set -euo pipefail
tail -n +2 bookings.csv | sort -t, -k1,1 | awk -F, '
    { prev = last; last = $2; m = $1 }
    END {
        split(m, ym, "-"); ahead = (2025 - ym[1]) * 12 + (12 - ym[2])
        print last + ahead * (last - prev)
    }' > submission.txt
