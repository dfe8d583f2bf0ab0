#!/bin/bash
# Cheap oracle: the isolate's true replicons (each with its first 1,500 bp repeated at the end,
# as an assembler reports a circular sequence) and the planted inversion's coordinates.
set -euo pipefail
here="$(dirname "$0")"
cp "$here/assembly.fasta" assembly.fasta
cp "$here/inversion.txt" inversion.txt
