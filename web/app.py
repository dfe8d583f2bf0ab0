"""Mounting the web pages and static files on the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from web.rendering import WEB_DIR
from web.routes import (
    account,
    agents,
    analyses,
    assets,
    baselining,
    catalog,
    compare,
    dashboard,
    exports,
    runs,
    tasks,
)

STATIC_PATH = "/static"


def mount_web(app: FastAPI) -> None:
    """Add the web routes (HTML pages, their JSON helpers) and `/static` to `app`."""
    # catalog before agents: its /agents/new comes before the agent page's /agents/{name:path}.
    for module in (
        assets,
        account,
        dashboard,
        exports,
        analyses,
        compare,
        catalog,
        agents,
        tasks,
        runs,
        baselining,
    ):
        app.include_router(module.router)
    app.mount(STATIC_PATH, StaticFiles(directory=str(WEB_DIR / "static")), name="static")
