#!/bin/bash
set -euo pipefail
here="$(dirname "$0")"
cp "$here/keygen.py" "$here/params.json" .
