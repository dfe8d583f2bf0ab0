#!/bin/bash
# Oracle: the author knows the true chromosome (a copy of scorer/genome.fasta). The real work
# (error correction, assembly graph, repeat resolution with the jump library) is the task.
set -euo pipefail
cp "$(dirname "$0")/genome.fasta" assembly.fasta
