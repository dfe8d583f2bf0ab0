"""API tokens: random secrets shown once, stored only as SHA-256, each with a role."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import session_scope
from core.errors import Conflict, InvalidInput, NotFound
from core.models import ApiToken, WebSession, utcnow
from core.settings import Settings
from core.states import Role

TOKEN_PREFIX = "hzn_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_RANK: dict[str, int] = {Role.VIEWER: 0, Role.SUBMITTER: 1, Role.ADMIN: 2}


def hash_token(token: str) -> str:
    """The form a token is stored and looked up in."""
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(token.encode()).hexdigest()


def role_allows(role: str, needed: str) -> bool:
    """Roles are ordered viewer < submitter < admin; a higher role may do what a lower one may."""
    return _RANK.get(role, -1) >= _RANK[needed]


def create_token(session: Session, name: str, role: str) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the secret, which is never retrievable again."""
    if role not in tuple(Role):
        raise InvalidInput(f"role must be one of {', '.join(tuple(Role))}, not {role!r}")
    if not name.strip():
        raise InvalidInput("a token needs a name saying who or what uses it")
    name = name.strip()
    # Names are unique (people are told apart by them): checked first for a clear answer, and the
    # unique constraint decides a race between two requests; either way nothing is stored.
    taken = f"a token named {name!r} already exists; choose another name"
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise Conflict(taken)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=hash_token(secret), role=role)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        # The caller's transaction is spoilt and is rolled back as the Conflict passes through.
        raise Conflict(taken) from None
    return row, secret


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, oldest first (their hashes only: secrets are never stored)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def ensure_admin_token(settings: Settings) -> str | None:
    """On a fresh install (no token at all), create an admin token and keep its secret in the data
    dir (`admin-token`, mode 0600) once the row is committed; otherwise the secret kept there, if
    any. `horizon serve` and `horizon quickstart` print it, so a new install can sign in."""
    path = settings.data_dir / "admin-token"
    with session_scope(settings) as session:
        if session.scalar(select(func.count()).select_from(ApiToken)):
            return path.read_text().strip() if path.exists() else None
        _, secret = create_token(session, "first admin (created by horizon serve)", Role.ADMIN)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(secret + "\n")
    return secret


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """End a token and the web sessions signed in with it; revoking twice keeps the first time."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token with id {token_id}")
    row.revoked_at = row.revoked_at or utcnow()
    # Its web sessions end too (the session lookup also checks revoked_at; this keeps the rows true).
    session.execute(
        update(WebSession)
        .where(WebSession.token_id == token_id, WebSession.ended_at.is_(None))
        .values(ended_at=row.revoked_at)
    )
    session.flush()
    return row


def identify(session: Session, token: str, settings: Settings) -> tuple[str, str, int | None] | None:
    """Return (name, role, token id) for a valid token, or None. The bootstrap admin token from
    the settings has no row: its id is None."""
    if settings.admin_token and hmac.compare_digest(hash_token(token), hash_token(settings.admin_token)):
        return ("bootstrap-admin", Role.ADMIN, None)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    _stamp_use(row)
    return (row.name, row.role, row.id)


def _stamp_use(row: ApiToken) -> None:
    """Record when a token was last used, at most once a minute (not a write per request); the
    caller's session commits it."""
    now, last = utcnow(), row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)  # SQLite gives naive datetimes (stored as UTC)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        row.last_used_at = now
