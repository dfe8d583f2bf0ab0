"""The Celery application used by `horizon worker` and `horizon beat`.

Delivery guarantees: jobs acknowledge late and are redelivered if their worker dies. The Redis
visibility timeout (`HORIZON_VISIBILITY_TIMEOUT_S`, default 12 h) is set above the longest run so a
slow run is never delivered twice while alive; a run whose worker died is recovered sooner by the
heartbeat reaper (`runs.reap_stale`), which re-queues it with attempt + 1. A duplicate delivery is
harmless because a run is claimed by one guarded update.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from core.db import dispose_engines
from core.queue import celery_config
from core.services.transcript_storage import MAINTENANCE_INTERVAL_S
from core.settings import Settings, get_settings
from core.states import JobName


def create_celery(settings: Settings | None = None) -> Celery:
    """The Celery application of the workers, with the jobs and the beat schedule of periodic ones."""
    settings = settings or get_settings()
    # A worker imports the jobs (which register themselves on `app`) when it starts; by name, as
    # `workers.jobs` imports this module.
    app = Celery("horizon", include=["workers.jobs"])
    app.conf.update(celery_config(settings))
    app.conf.beat_schedule = {
        "reap-stale-runs": {"task": JobName.REAP_STALE_RUNS.value, "schedule": settings.reap_interval_s},
        "requeue-lost-runs": {"task": JobName.REQUEUE_LOST_RUNS.value, "schedule": settings.reap_interval_s},
        "pause-idle-baselining": {"task": JobName.PAUSE_IDLE_ATTEMPTS.value, "schedule": 60.0},
        "maintain-transcripts": {
            "task": JobName.MAINTAIN_TRANSCRIPTS.value,
            "schedule": MAINTENANCE_INTERVAL_S,
        },
    }
    return app


app = create_celery()


def _fresh_connections(**_: Any) -> None:
    # Pooled connections must not be shared across fork.
    dispose_engines()


# Connected by a call rather than as a decorator: celery is untyped, and an untyped decorator
# would erase this function's signature for mypy.
worker_process_init.connect(_fresh_connections)
