"""Health, what the deployment is doing (status and metrics), the GPU workers seen, and API tokens."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select, text

from api.deps import Caller, SessionDep, admin, get_settings_dep, reader
from core.auth import create_token, revoke_token
from core.models import ApiToken
from core.schemas import GpuOut, GpuWorkerOut, HealthOut, TokenCreate, TokenCreated, TokenOut
from core.services.doctor import diagnose
from core.services.doctor_report import DoctorOut
from core.services.gpu_workers import gpu_workers
from core.services.monitoring import SystemStatus, system_status
from core.services.monitoring_metrics import CONTENT_TYPE, prometheus_text
from core.settings import Settings
from web.params import RowId

router = APIRouter(prefix="/api", tags=["system"])


@router.get("/health", response_model=HealthOut)
def health(session: SessionDep, settings: Settings = Depends(get_settings_dep)) -> JSONResponse:
    """Reports whether the database and the broker answer; 503 when one does not."""
    try:
        session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # report, do not raise: this endpoint exists to say what is broken
        database = f"error: {type(exc).__name__}"
    if settings.embedded_queue:
        broker = "embedded (in-process queue)"
    else:
        try:
            import redis

            client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=2)
            client.ping()
            broker = "ok"
        except Exception as exc:
            broker = f"error: {type(exc).__name__}"
    healthy = database == "ok" and (settings.embedded_queue or broker == "ok")
    body = HealthOut(
        status="ok" if healthy else "degraded",
        database=database,
        broker=broker,
        mode="embedded" if settings.embedded_queue else "distributed",
    )
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)


@router.get("/system/status", response_model=SystemStatus)
def status_snapshot(
    session: SessionDep, _: Caller = Depends(reader), settings: Settings = Depends(get_settings_dep)
) -> SystemStatus:
    """Runs by status, the backlog and its age, stuck or waiting work, and each queue's depth
    (docs/operations.md, "Monitor"). Counts only, so readers may see it."""
    return system_status(session, settings, jobs_here=True)


@router.get("/system/metrics", response_class=PlainTextResponse)
def status_metrics(
    session: SessionDep, _: Caller = Depends(reader), settings: Settings = Depends(get_settings_dep)
) -> PlainTextResponse:
    """The same numbers as Prometheus gauges (`horizon_*`, text exposition format)."""
    body = prometheus_text(system_status(session, settings, jobs_here=True))
    return PlainTextResponse(body, media_type=CONTENT_TYPE)


@router.get("/workers/gpu", response_model=list[GpuWorkerOut])
def list_gpu_workers(
    _: Caller = Depends(reader), settings: Settings = Depends(get_settings_dep)
) -> list[GpuWorkerOut]:
    """The GPU workers seen lately (each refreshes its record every 30 s; a record lives 90 s):
    batches of runs needing GPUs are refused unless one of them has enough."""
    return [
        GpuWorkerOut(
            host=w.host,
            pid=w.pid,
            gpus=[GpuOut(index=g.index, memory_mib=g.memory_mib) for g in w.gpus],
            seen_at=dt.datetime.fromtimestamp(w.seen_at, dt.UTC),
        )
        for w in gpu_workers(settings)
    ]


@router.get("/system/doctor", response_model=DoctorOut)
def system_doctor(
    session: SessionDep, _: Caller = Depends(admin), settings: Settings = Depends(get_settings_dep)
) -> DoctorOut:
    """Derive every cached value again and compare it with the stored one, changing nothing
    (`horizon doctor --repair` repairs); also counts work whose queue message may be lost and a
    stale analysis. Admins only: examples name rows of every owner."""
    return diagnose(session, settings)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, _: Caller = Depends(admin)) -> list[TokenOut]:
    """List API tokens (never their secrets)."""
    return [TokenOut.model_validate(t) for t in session.scalars(select(ApiToken).order_by(ApiToken.id))]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def new_token(data: TokenCreate, session: SessionDep, _: Caller = Depends(admin)) -> TokenCreated:
    """Create an API token; its secret is in this answer and never shown again."""
    row, secret = create_token(session, data.name, data.role)
    return TokenCreated(**TokenOut.model_validate(row).model_dump(), token=secret)


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke(token_id: RowId, session: SessionDep, _: Caller = Depends(admin)) -> TokenOut:
    """Revoke an API token and end the web sessions signed in with it."""
    return TokenOut.model_validate(revoke_token(session, token_id))
