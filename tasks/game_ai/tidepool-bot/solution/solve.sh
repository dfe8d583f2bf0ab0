#!/bin/bash
# Reference bot: deterministic 12-ply alpha-beta with a transposition table (well under 1 s a move).
set -euo pipefail
cp "$(dirname "$0")/bot.py" bot.py
