#!/bin/bash
# Cheap oracle (the author knows the manufactured solution): exact quantities by quadrature.
set -euo pipefail
python3 "$(dirname "$0")/oracle.py"
