#!/bin/bash
set -euo pipefail
cp "$(dirname "$0")/vm.py" vm.py
