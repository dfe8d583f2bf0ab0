"""Account settings: Onboarding. Every handler edits the caller's own user record."""

import platform_auth as auth
import platform_db as db
from platform_http import HttpError, route

EDITABLE = ('onboarding_step',)


@route("POST", "/account/onboarding")
def update_onboarding(req):
    actor = auth.require_user(req)
    changes = {key: str(value)[:200] for key, value in req.body.items() if key in EDITABLE}
    if not changes:
        raise HttpError(400, "nothing to update")
    for column, value in changes.items():
        db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, actor["id"]))
    fresh = db.query_one("SELECT id, username, display_name, locale, timezone, email, phone, bio, digest"
                         " FROM users WHERE id = ?", (actor["id"],))
    return {"updated": sorted(changes), "account": fresh}
