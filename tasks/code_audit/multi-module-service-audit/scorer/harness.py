"""The graders' replay harness, run by score.py in a child process:

    python3 -I harness.py SERVICE_DIR SPECS_JSON MARKER

Replays every demonstration (already parsed and bounded by score.py) on a fresh deployment of
the graders' copy of the service, with fresh random secrets, and prints MARKER + a JSON list:
for each demonstration, one [handler, leaked, escalated] triple per request."""

import json
import secrets
import sys

sys.setrecursionlimit(400)
service, specs_path, marker = sys.argv[1:4]
sys.path.insert(0, service)
import platform_db  # noqa: E402
import runner  # noqa: E402

_connect = platform_db.connect


def bounded_connect(path=":memory:"):
    conn = _connect(path)
    budget = [0]

    def tick():
        budget[0] += 1
        return budget[0] > 20_000  # about 20 million virtual machine steps per deployment

    conn.set_progress_handler(tick, 1000)
    return conn


platform_db.connect = bounded_connect
http = runner.load_service()
import world  # noqa: E402

out = []
for spec in json.load(open(specs_path, encoding="utf-8")):
    try:
        results = runner.replay(http, world, spec, lambda label: "k" + secrets.token_hex(12))
        out.append([[r["handler"], r["leaked"], r["escalated"]] for r in results])
    except Exception as exc:  # a demonstration that breaks the replay proves nothing
        out.append([["replay-error: " + type(exc).__name__, False, False]])
print(marker + json.dumps(out))
