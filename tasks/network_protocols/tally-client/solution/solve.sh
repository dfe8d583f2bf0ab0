#!/bin/bash
# Reference client.
set -euo pipefail
cp "$(dirname "$0")/client.py" client.py
