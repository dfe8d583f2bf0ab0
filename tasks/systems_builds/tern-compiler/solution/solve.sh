#!/bin/bash
set -euo pipefail
cp "$(dirname "$0")/ternc.py" ternc.py
