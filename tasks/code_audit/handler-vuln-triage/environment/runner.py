"""Replays demonstration files against a fresh deployment of the service.

    python3 runner.py exploits/some-file.json [more files ...]

Each file is replayed on its own fresh deployment (world.py). Its requests run in order, each
as the attacker account `mallory` (tenant acme, role user) unless it says "anonymous": true.
For every request this prints the handler that served it, the status, whether a secret
appeared in the response body and whether mallory's own account record (role, tenant) had
changed by the end of the request, then the body.
"""

import glob
import importlib
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_REQUESTS = 20


def load_service():
    sys.path.insert(0, HERE)
    import platform_http

    for path in sorted(glob.glob(os.path.join(HERE, "mod_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    return platform_http


def replay(http, world, spec, secret):
    """One demonstration file (a parsed dict) on a fresh world; a list of per-request results."""
    planted = world.build(secret)
    start = world.attacker()
    results = []
    for number, item in enumerate(spec.get("requests", [])[:MAX_REQUESTS]):
        method = str(item.get("method", "GET"))
        path = str(item.get("path", "/"))
        user = None if item.get("anonymous") else world.attacker()
        req = http.Request(method, path, item.get("query"), item.get("body"), item.get("headers"), user)
        handler, params = http.match(method, path)
        name = f"{handler.__module__}.{handler.__name__}" if handler else None
        if handler is None:
            status, body = 404, {"error": "no route"}
        else:
            req.params = params
            try:
                status, body = 200, handler(req)
            except http.HttpError as exc:
                status, body = exc.status, {"error": exc.message}
            except Exception as exc:  # the debug error page
                status, body = 500, {"error": type(exc).__name__ + ": " + str(exc)}
        text = json.dumps(body, sort_keys=True, default=str)
        now = world.attacker()
        escalated = (now["role"], now["tenant_id"]) != (start["role"], start["tenant_id"])
        leaked = any(value in text for value in planted)
        results.append({"index": number, "handler": name, "status": status, "leaked": leaked,
                        "escalated": escalated, "body": text[:4000]})
    return results


def main(argv):
    http = load_service()
    import world

    for path in argv:
        with open(path, encoding="utf-8") as handle:
            spec = json.load(handle)
        print(f"== {path}: claims {spec.get('function')} ({spec.get('class')})")
        try:
            results = replay(http, world, spec, lambda label: "SECRET{" + label + "}")
        except Exception:
            traceback.print_exc()
            continue
        for r in results:
            print(f"[{r['index']}] {r['handler']} -> {r['status']} leaked={r['leaked']} "
                  f"escalated={r['escalated']}")
            print("    " + r["body"][:1500])


if __name__ == "__main__":
    main(sys.argv[1:])
