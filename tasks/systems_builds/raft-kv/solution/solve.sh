#!/bin/bash
set -euo pipefail
cp "$(dirname "$0")/node.py" node.py
