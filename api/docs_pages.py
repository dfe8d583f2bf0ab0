"""/docs (Swagger UI) and /redoc (ReDoc) with their scripts and styles served by the app itself.

FastAPI's built-in pages fetch both from a CDN, plus a favicon and Google Fonts, so they are blank
on an offline machine and tell third parties who reads the docs. The assets are vendored, with
their licences, under `web/static/vendor/` (the folder names carry the versions).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from web.app import STATIC_PATH

SWAGGER_UI_DIR = f"{STATIC_PATH}/vendor/swagger-ui-5.35.0"
REDOC_DIR = f"{STATIC_PATH}/vendor/redoc-2.5.4"
FAVICON = f"{STATIC_PATH}/favicon.svg"
DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"

# validatorUrl None: otherwise Swagger UI sends the spec's address to validator.swagger.io to
# draw a "valid" badge.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def install(app: FastAPI) -> None:
    """Add the two documentation pages (the app must be created with docs_url/redoc_url None)."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - API docs",
            swagger_js_url=f"{SWAGGER_UI_DIR}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI_DIR}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            oauth2_redirect_url=None,  # the API takes bearer tokens only
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - API reference",
            redoc_js_url=f"{REDOC_DIR}/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
