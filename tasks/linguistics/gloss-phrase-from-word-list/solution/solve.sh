#!/bin/bash
# Look each English word up by an exact match of the first column (a substring search would also
# hit decoys such as "older", "birds", "sees"/"see").
set -euo pipefail
out=()
for en in old woman sees red bird; do
    out+=("$(awk -F'\t' -v w="$en" 'NR > 1 && $1 == w { print $2 }' glossary.tsv)")
done
echo "${out[*]}" > submission.txt
