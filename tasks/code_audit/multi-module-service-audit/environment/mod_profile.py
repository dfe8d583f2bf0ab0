"""Account settings: Profile. Every handler edits the caller's own user record."""

import platform_auth as auth
import platform_db as db
from platform_http import HttpError, route

EDITABLE = ('display_name', 'bio')


@route("POST", "/account/profile")
def update_profile(req):
    actor = auth.require_user(req)
    changes = {}
    for key, value in req.body.items():
        column = {name: name for name in EDITABLE}.get(key.strip().lower())
        if column is None:
            raise HttpError(400, f"{key} cannot be changed here")
        changes[column] = str(value)[:200]
    for column, value in changes.items():
        db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, actor["id"]))
    fresh = db.query_one("SELECT id, username, display_name, locale, timezone, email, phone, bio, digest"
                         " FROM users WHERE id = ?", (actor["id"],))
    return {"updated": sorted(changes), "account": fresh}
