"""Account settings: Profile. Every handler edits the caller's own user record."""

import platform_auth as auth
import platform_db as db
from platform_http import HttpError, route

EDITABLE = ('display_name', 'bio')


@route("POST", "/account/profile")
def update_profile(req):
    caller = auth.require_user(req)
    blocked = {"id", "username", "password_hash", "api_key", "role"}
    changes = {key: str(value)[:200] for key, value in req.body.items()
               if key.replace("_", "").isalnum() and key not in blocked}
    if not changes:
        raise HttpError(400, "nothing to update")
    for column, value in changes.items():
        db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, caller["id"]))
    fresh = db.query_one("SELECT id, username, display_name, locale, timezone, email, phone, bio, digest"
                         " FROM users WHERE id = ?", (caller["id"],))
    return {"updated": sorted(changes), "account": fresh}
