#!/bin/bash
# Reference solution: price levels as deques with lazy deletion under a heap of level prices,
# dicts by order id, an expiry heap, trigger-ordered stop heaps with a re-checked pool for
# cascades, per-trader id sets, running summary counters. About 140 steps per event.
set -euo pipefail
cp "$(dirname "$0")/engine.py" engine.py
