#!/bin/bash
# Find 10.20.0.57's A query for the name, match the reply by resolver port and query id, and take
# the A record at the end of the CNAME chain.
set -euo pipefail
python3 - <<'PY'
import re
lines = open("capture.txt").read().splitlines()
q = next(l for l in lines if "IP 10.20.0.57." in l and " A? pkg-mirror.corp.example." in l)
m = re.search(r"IP (10\.20\.0\.57\.\d+) > (\S+):\s+(\d+)\+", q)
src, dst, qid = m.group(1), m.group(2), m.group(3)
reply = next(l for l in lines if f"IP {dst} > {src}: {qid} " in l)
open("submission.txt", "w").write(re.findall(r"\bA (\d+\.\d+\.\d+\.\d+)", reply)[-1] + "\n")
PY
