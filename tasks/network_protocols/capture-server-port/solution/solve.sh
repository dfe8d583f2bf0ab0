#!/bin/bash
# Reference solution: a listening port is the source port of the host's SYN-ACK replies.
set -euo pipefail
grep -F 'Flags [S.]' capture.txt \
  | awk '$3 ~ /^10\.4\.0\.20\./ { n = split($3, part, "."); print part[n] }' \
  | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }' > submission.txt
