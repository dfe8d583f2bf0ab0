#!/bin/bash
set -euo pipefail
cp "$(dirname "$0")/kvstore.py" kvstore.py
