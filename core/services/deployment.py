"""This deployment's identity: the `deployment` row its database got when it was first migrated.

Sandbox containers are labelled with it (`horizon.instance`), and every cleanup lists containers
by that label. Two deployments with their own databases on one Docker daemon therefore never see,
let alone reap, each other's sandboxes. Workers, beat's reaper, the API's in-process queue, task
health checks and baseline scoring all ask `sandbox_instance` here, so they agree.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.db import session_scope
from core.models import Deployment, utcnow
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)

DEPLOYMENT_ROW_ID = 1
# An operator's explicit label wins (tests, or two processes meant to share sandboxes on purpose).
INSTANCE_OVERRIDE_ENV = "HORIZON_SANDBOX_INSTANCE"

# Per database URL: the row never changes once made, so one read per process is enough.
_cache: dict[str, str] = {}
_lock = threading.Lock()


def new_instance_id() -> str:
    """A fresh identity in the migration's format: `d-` and 16 hex digits."""
    return "d-" + secrets.token_hex(8)


def _read_or_create(session: Session) -> str:
    found = session.scalar(select(Deployment.instance_id).where(Deployment.id == DEPLOYMENT_ROW_ID))
    if found:
        return str(found)
    # The migration makes the row; it is missing only if someone deleted it. Make one atomically
    # (ON CONFLICT DO NOTHING): concurrent processes all end up reading the same winner.
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"id": DEPLOYMENT_ROW_ID, "instance_id": new_instance_id(), "created_at": utcnow()}
    session.execute(insert(Deployment).values(**values).on_conflict_do_nothing(index_elements=["id"]))
    created = session.scalar(select(Deployment.instance_id).where(Deployment.id == DEPLOYMENT_ROW_ID))
    if not created:  # pragma: no cover - the insert above either wrote or lost to another writer
        raise RuntimeError("the deployment table has no row and none could be made")
    log.warning("the deployment row was missing; this deployment is now instance %s", created)
    return str(created)


def instance_id(settings: Settings | None = None) -> str:
    """This deployment's instance id, read from its database once per process (and cached)."""
    settings = settings or get_settings()
    url = settings.effective_database_url
    with _lock:
        if url not in _cache:
            with session_scope(settings) as session:
                _cache[url] = _read_or_create(session)
        return _cache[url]


def sandbox_instance(settings: Settings | None = None) -> str:
    """The `horizon.instance` label of this deployment's sandboxes: HORIZON_SANDBOX_INSTANCE when
    set, otherwise the deployment's own instance id."""
    override = os.environ.get(INSTANCE_OVERRIDE_ENV)
    if override:
        return override
    return instance_id(settings)


def clear_cache() -> None:
    """Forget cached ids (tests that recreate a database under the same URL)."""
    with _lock:
        _cache.clear()
