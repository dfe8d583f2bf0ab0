"""Ownership: a row's owner is the token that made it (docs/security.md, "Ownership").

Submitters change or cancel only the rows they own; admins change anything; rows without an owner
(made by task folders, imports, the CLI or the bootstrap admin token) only admins may change.
Reading stays open, so a batch may use another person's agents and tasks. This module is the one
place the rule is written; services and routes call `require_owner`, templates `may_change`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from core.auth import role_allows
from core.errors import PermissionDenied
from core.models import ApiToken
from core.states import Role


class Actor(Protocol):
    """Who asks for a change: the API's Caller and the web's WebUser both qualify."""

    @property
    def role(self) -> str:
        """The caller's role name (viewer, submitter or admin)."""
        ...

    @property
    def token_id(self) -> int | None:
        """The caller's token, or None for the system and the bootstrap admin."""
        ...


@dataclass(frozen=True)
class Operator:
    """The operator acting through the CLI or a task-folder sync: trusted like an admin."""

    role: str = Role.ADMIN
    token_id: int | None = None


SYSTEM = Operator()


def may_change(owner_token_id: int | None, role: str, token_id: int | None) -> bool:
    """Whether a caller with `role` and `token_id` may change a row owned by `owner_token_id`."""
    if role_allows(role, Role.ADMIN):
        return True
    return (
        role_allows(role, Role.SUBMITTER)
        and owner_token_id is not None
        and token_id is not None
        and owner_token_id == token_id
    )


def require_owner(owner_token_id: int | None, role: str, token_id: int | None, what: str = "object") -> None:
    """Raise PermissionDenied (403) unless the caller may change the row; the message names no
    token, so a refusal tells nobody who owns what beyond what reading already shows."""
    if not may_change(owner_token_id, role, token_id):
        raise PermissionDenied(f"only the owner of this {what} or an admin may change it")


def check_owner(owner_token_id: int | None, actor: Actor, what: str = "object") -> None:
    """`require_owner` for an Actor (a Caller, a WebUser or SYSTEM)."""
    require_owner(owner_token_id, actor.role, actor.token_id, what)


def owner_name(session: Session | None, owner_token_id: int | None) -> str | None:
    """The owner's token name for the API's `owner` field (None when no owner). The token rows
    come from the session's identity map after the first look-up, so a list costs one query per
    distinct owner."""
    if owner_token_id is None or session is None:
        return None
    token = session.get(ApiToken, owner_token_id)
    return token.name if token is not None else None
