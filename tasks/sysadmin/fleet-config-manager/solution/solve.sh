#!/bin/bash
# Installs the reference tool (cm.py, a diff-and-converge engine over hostctl) behind the cm entry point.
set -euo pipefail
here="$(dirname "$0")"
cp "$here/cm.py" cm.py
printf '#!/bin/bash\nexec python3 "$(dirname "$0")/cm.py" "$@"\n' > cm
chmod +x cm
