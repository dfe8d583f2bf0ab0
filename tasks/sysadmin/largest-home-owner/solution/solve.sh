#!/bin/bash
# Size every home directory named in etc/passwd (apparent bytes) and keep the largest's login.
set -euo pipefail
while IFS=: read -r login _ _ _ _ home _; do
    dir="image${home}"
    [ -d "$dir" ] || continue
    printf '%s %s\n' "$(du -sb "$dir" | cut -f1)" "$login"
done < image/etc/passwd | sort -n | tail -1 | cut -d' ' -f2 > submission.txt
