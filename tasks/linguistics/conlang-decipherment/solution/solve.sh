#!/bin/bash
# Cheap oracle: the author knows the hidden language and copies the answers generate.py wrote.
set -euo pipefail
here="$(dirname "$0")"
cp "$here/translations.json" translations.json
cp "$here/renderings.json" renderings.json
