"""Account settings: Notifications. Every handler edits the caller's own user record."""

import platform_auth as auth
import platform_db as db
from platform_http import HttpError, route

EDITABLE = ('digest',)


@route("POST", "/account/notifications")
def update_notifications(req):
    user = auth.require_user(req)
    blocked = {"id", "username", "password_hash", "api_key", "role"}
    changes = {key: str(value)[:200] for key, value in req.body.items()
               if key.replace("_", "").isalnum() and key not in blocked}
    if not changes:
        raise HttpError(400, "nothing to update")
    for column, value in changes.items():
        db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, user["id"]))
    fresh = db.query_one("SELECT id, username, display_name, locale, timezone, email, phone, bio, digest"
                         " FROM users WHERE id = ?", (user["id"],))
    return {"updated": sorted(changes), "account": fresh}
