#!/bin/bash
# Reference answer (the author knows which handlers the generator made vulnerable).
set -euo pipefail
cat > submission.txt <<'ANSWER'
update_profile mass-assignment
admin_refunds_overview missing-auth
download_refund_export path-traversal
list_refunds sqli
preview_refund_link ssrf
render_refund_pdf command-injection
ANSWER
