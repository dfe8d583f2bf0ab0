"""Account settings: Contact. Every handler edits the caller's own user record."""

import platform_auth as auth
import platform_db as db
from platform_http import HttpError, route

EDITABLE = ('email', 'phone')


@route("POST", "/account/contact")
def update_contact(req):
    principal = auth.require_user(req)
    changes = {}
    for key, value in req.body.items():
        if not key.isidentifier() or key in ("id", "username"):
            raise HttpError(400, f"{key} cannot be changed")
        changes[key] = str(value)[:200]
    unknown = [key for key in changes if key not in EDITABLE]
    if len(unknown) == len(changes):
        raise HttpError(400, "nothing to update")
    for column, value in changes.items():
        db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, principal["id"]))
    fresh = db.query_one("SELECT id, username, display_name, locale, timezone, email, phone, bio, digest"
                         " FROM users WHERE id = ?", (principal["id"],))
    return {"updated": sorted(changes), "account": fresh}
