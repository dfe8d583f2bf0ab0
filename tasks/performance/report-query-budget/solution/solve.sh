#!/bin/bash
# Reference solution: four indexes (orders by date, lines by order, refunds by line and by day),
# one range query for the month and the three before it, one batched lookup per related table,
# small tables scanned once; every section then works from dictionaries. About 37,000 units.
set -euo pipefail
cp "$(dirname "$0")/report.py" report.py
