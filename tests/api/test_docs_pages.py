"""/docs and /redoc name only this server's assets, which it serves, under a CSP with no other host.
(tests/web/test_offline_pages.py proves the same in a real browser.)"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

URL_ATTR = re.compile(r'(?:src|href)="([^"]*)"')


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    urls = URL_ATTR.findall(page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "http://" not in page.text and "https://" not in page.text
    csp = page.headers["content-security-policy"]
    assert "http" not in csp and "script-src 'self' 'unsafe-inline';" in csp
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers.get("cache-control") != "no-store"  # public files, cacheable
        assert asset.content, url
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts and all(len(client.get(u).content) > 100_000 for u in scripts)  # the real bundles


def test_swagger_ui_draws_no_validator_badge(client: TestClient) -> None:
    # Without validatorUrl null, Swagger UI sends the spec's address to validator.swagger.io.
    assert '"validatorUrl": null' in client.get("/docs").text


def test_fastapi_default_docs_routes_are_gone(client: TestClient) -> None:
    assert client.get("/docs/oauth2-redirect").status_code == 404
    methods = [r for r in client.app.routes if getattr(r, "path", None) in ("/docs", "/redoc")]  # type: ignore[attr-defined]
    assert len(methods) == 2  # ours only, not FastAPI's as well
