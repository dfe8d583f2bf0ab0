#!/bin/bash
# Reference answer: drain_backlog calls list.pop(0) once per record, and each pop shifts every
# remaining element, so n records cost about n*n/2 moves. letter_histogram's inner loops run a
# fixed 26*26 times per record (linear), merge_overlaps sorts once and then advances i past every
# span its inner loop consumed (n log n).
set -euo pipefail
echo drain_backlog > submission.txt
