#!/bin/bash
# The active (uncommented) port line of the live configuration file, not the .dpkg-old copy.
set -euo pipefail
grep -E '^port *=' image/etc/quartermaster/quartermaster.conf | sed 's/[^0-9]//g' > submission.txt
