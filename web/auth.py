"""Web sign-in: an API token is exchanged for a signed session cookie; every form carries a CSRF token.

The cookie (`horizon_session`) holds, signed with itsdangerous, a random session id and a random
per-session CSRF token. Only the id's SHA-256 is stored, as a `web_sessions` row naming the token
that signed in; each request looks that row up, so sign-out (which ends the row), revoking the
token, or the row expiring signs the session out on the server, whatever a copied cookie says.
Anonymous visitors get a cookie with only a CSRF token, so the sign-in form itself is protected.
The bootstrap admin token (`HORIZON_ADMIN_TOKEN`) has no token row and works only on the API.
The signing secret is `HORIZON_SESSION_SECRET`, or a random secret created once in the data
directory (`session-secret`, mode 0600) and shared by every process using that directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.auth import role_allows
from core.models import ApiToken, utcnow
from core.models import WebSession as WebSessionRow
from core.ownership import may_change
from core.settings import Settings
from core.states import Role

COOKIE_NAME = "horizon_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE_S = 14 * 24 * 3600
SECRET_FILE = "session-secret"
_SALT = "horizon.web.session"

_secret_lock = threading.Lock()
_secrets_by_dir: dict[str, str] = {}


def session_secret(settings: Settings) -> str:
    """The cookie-signing secret: the setting, else one persisted in the data directory."""
    if settings.session_secret:
        return settings.session_secret
    key = str(settings.data_dir.resolve())
    with _secret_lock:
        if key not in _secrets_by_dir:
            _secrets_by_dir[key] = _load_or_create_secret(settings.data_dir / SECRET_FILE)
        return _secrets_by_dir[key]


def _load_or_create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several processes starting at once, exactly one writes the secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            text = path.read_text().strip()
            if text:
                return text
            threading.Event().wait(0.05)  # the creator is still writing
        raise RuntimeError(f"the session secret file {path.name} in the data directory is empty") from None
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(settings), salt=_SALT)


@dataclass(frozen=True)
class WebSession:
    """The decoded cookie: the signed-in session's random id (None when anonymous) and the CSRF
    token. `fresh` is True when the cookie must be (re)sent with the response."""

    session_id: str | None
    csrf: str
    fresh: bool = False


def new_session(session_id: str | None = None) -> WebSession:
    """A session with a new CSRF token (sign-in rotates it, so an old page's token stops working)."""
    return WebSession(session_id=session_id, csrf=secrets.token_urlsafe(32), fresh=True)


def read_session(cookie: str | None, settings: Settings) -> WebSession:
    """Decode the cookie; a missing, forged or expired cookie gives a new anonymous session."""
    if cookie:
        try:
            data: Any = _serializer(settings).loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("c"), str):
            # A cookie of the older format (a token hash under "t") keeps its CSRF token only.
            session_id = data.get("s")
            return WebSession(session_id if isinstance(session_id, str) else None, data["c"])
    return new_session()


def encode_session(web_session: WebSession, settings: Settings) -> str:
    """The signed cookie value."""
    return _serializer(settings).dumps({"s": web_session.session_id, "c": web_session.csrf})


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(db: Session, token_id: int) -> str:
    """Store a new signed-in session for token `token_id`; returns its random id (for the cookie)."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        WebSessionRow(
            id_hash=_id_hash(session_id),
            token_id=token_id,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=SESSION_MAX_AGE_S),
        )
    )
    db.flush()
    return session_id


def end_session(db: Session, session_id: str | None) -> None:
    """Sign-out: the stored session ends, so a copy of its cookie no longer signs anyone in."""
    if session_id:
        db.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id_hash == _id_hash(session_id), WebSessionRow.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


@dataclass(frozen=True)
class WebUser:
    """Who is looking at the page: a name and a role, or anonymous (role "")."""

    name: str
    role: str
    token_id: int | None = None

    @property
    def signed_in(self) -> bool:
        """Whether a token signed this browser in."""
        return bool(self.role)

    def can(self, role: str) -> bool:
        """Whether this user holds `role` or a higher one."""
        return self.signed_in and role_allows(self.role, role)

    @property
    def is_admin(self) -> bool:
        """Whether the signed-in token is an admin's."""
        return self.can(Role.ADMIN)

    def may_change(self, owner_token_id: int | None) -> bool:
        """Whether this user may change a row owned by `owner_token_id` (core/ownership.py)."""
        return may_change(owner_token_id, self.role, self.token_id)


ANONYMOUS = WebUser("", "")


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored as UTC).
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def user_for_session(db: Session, session_id: str | None) -> WebUser:
    """The user of a stored session; anonymous when unknown, ended, expired or its token revoked."""
    if not session_id:
        return ANONYMOUS
    row = db.execute(
        select(ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.revoked_at, WebSessionRow.expires_at)
        .join(WebSessionRow, WebSessionRow.token_id == ApiToken.id)
        .where(WebSessionRow.id_hash == _id_hash(session_id), WebSessionRow.ended_at.is_(None))
    ).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
        return ANONYMOUS
    return WebUser(row.name, row.role, row.id)


def csrf_matches(web_session: WebSession, submitted: str | None) -> bool:
    """Constant-time comparison of the submitted CSRF token with the session's."""
    return bool(submitted) and hmac.compare_digest(web_session.csrf, submitted or "")
