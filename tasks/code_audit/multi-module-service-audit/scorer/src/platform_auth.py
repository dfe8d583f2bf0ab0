"""Authentication helpers. The gateway in front of the service resolves the caller's session
and puts the user record (a dict with id, username, tenant_id and role) on req.user; requests
without a valid session have req.user = None."""

from platform_http import HttpError

ROLES = ("user", "manager", "admin")


def require_user(req):
    if req.user is None:
        raise HttpError(401, "login required")
    return req.user


def require_role(req, role):
    user = require_user(req)
    if ROLES.index(user["role"]) < ROLES.index(role):
        raise HttpError(403, "forbidden")
    return user


def same_tenant(req, row):
    user = require_user(req)
    if row is None or row["tenant_id"] != user["tenant_id"]:
        raise HttpError(404, "not found")
    return row
