"""The FastAPI application: REST API under /api, OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi import FastAPI

from api import docs_pages, errors, http_security
from api.routes import analyses, catalog, exchange, runs, system, task_imports, tasks
from core.live_sandbox import LiveSandboxes
from core.settings import Settings, get_settings
from web.app import mount_web

DESCRIPTION = """
Horizon measures how long a task, in human time, an AI agent can complete.

Writes need `Authorization: Bearer <token>` with the right role (viewer < submitter < admin);
reads are open unless `HORIZON_READ_REQUIRES_TOKEN` is set. Errors answer with a `detail`
message, and 422s list each offending `field`.

A task version's `scorer` and `solution` hold the answers: they are shown in full only to the
task's owner and to admins; every other reader gets `{"hidden": true, "files": <count>}` (the
scorer also keeps its `threshold`).
"""


def create_app(settings: Settings | None = None, live_sandboxes: LiveSandboxes | None = None) -> FastAPI:
    """The whole application: API routers, error answers, HTTP hardening and the web pages.

    `live_sandboxes` (the CLI gives `workers.live_baselining.DockerLiveSandboxes`) lets people
    baseline tasks in the task's own sandbox from the browser; without it, baselining times a
    written answer only."""
    settings = settings or get_settings()
    # /docs and /redoc are added by docs_pages, with Swagger UI and ReDoc served locally (no CDN).
    app = FastAPI(title="Horizon", version="0.1.0", description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.live_sandboxes = live_sandboxes
    errors.install(app)
    # exchange before runs: its /api/runs/export must not be read as /api/runs/{run_id}.
    for module in (tasks, catalog, exchange, task_imports, runs, analyses, system):
        app.include_router(module.router)
    docs_pages.install(app)
    mount_web(app)  # dashboard and forms (HTML), /static, bundled plotly.js
    # Security headers, trusted hosts and body limits, before any routing, parsing or auth.
    http_security.install(app, settings)
    return app
