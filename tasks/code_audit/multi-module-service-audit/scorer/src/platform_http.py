"""Routing and request objects for the service.

Handlers are plain functions registered with @route(method, pattern). A pattern is a path
whose segments may be <name> placeholders; the matched values arrive in req.params (strings).
A handler returns a JSON-serialisable dict (the response body) or raises HttpError.
"""

ROUTES = []


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Request:
    def __init__(self, method, path, query=None, body=None, headers=None, user=None):
        self.method = method.upper()
        self.path = path
        self.query = dict(query or {})
        self.body = dict(body or {})
        self.headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        self.user = user
        self.params = {}


def route(method, pattern):
    def register(handler):
        ROUTES.append((method.upper(), pattern.strip("/").split("/"), handler))
        return handler

    return register


def match(method, path):
    """(handler, params) for a request line, or (None, None). Literal segments win over
    placeholders: /things/search is never taken for /things/<thing_id>."""
    parts = path.split("?")[0].strip("/").split("/")
    best, best_literal = (None, None), -1
    for want_method, segments, handler in ROUTES:
        if want_method != method.upper() or len(segments) != len(parts):
            continue
        params, literal = {}, 0
        for seg, part in zip(segments, parts):
            if seg.startswith("<") and seg.endswith(">"):
                params[seg[1:-1]] = part
            elif seg != part:
                break
            else:
                literal += 1
        else:
            if literal > best_literal:
                best, best_literal = (handler, params), literal
    return best
