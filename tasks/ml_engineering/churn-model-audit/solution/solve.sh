#!/bin/bash
# Replace the script by the fixed one: columns by name, no winback_offer, 90-day label.
set -euo pipefail
cp "$(dirname "$0")/train.py" train.py
python3 train.py train.csv live_last_month.csv predictions_last_month.csv
