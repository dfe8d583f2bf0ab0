#!/bin/bash
# Oracle: the author knows the simulation (copies of scorer/truth_tree.nwk, truth_recombinants.tsv
# and truth_ancestors.fasta). The alignment, tree search, recombination scan and ancestral
# reconstruction are the task.
set -euo pipefail
here="$(dirname "$0")"
cp "$here/tree.nwk" "$here/recombinants.tsv" "$here/ancestors.fasta" .
