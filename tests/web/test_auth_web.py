"""Sign-in, session cookies, CSRF and roles on the web pages (real app, real PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_token
from tests.web.conftest import csrf_token, post_form, sign_in


def test_sign_in_sets_signed_httponly_lax_cookie_and_sign_out(client: TestClient) -> None:
    token = make_token("submitter")
    r = client.post(
        "/signin",
        data={"token": token, "csrf_token": csrf_token(client), "next": "/tasks"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/tasks"
    cookie = r.headers["set-cookie"]
    assert "horizon_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert token not in cookie  # only a hash of the token is kept, signed
    page = client.get("/tasks")
    assert "test submitter" in page.text and "Sign out" in page.text

    r = post_form(client, "/signout", {}, follow_redirects=False)
    assert r.status_code == 303
    assert "Sign out" not in client.get("/tasks").text


def test_wrong_token_is_refused(client: TestClient) -> None:
    r = client.post("/signin", data={"token": "hzn_not-a-token", "csrf_token": csrf_token(client)})
    assert r.status_code == 401
    assert "not valid" in r.text


def test_posts_without_the_csrf_token_are_refused(client: TestClient) -> None:
    token = make_token("admin")
    # Sign-in itself is protected (login CSRF).
    r = client.post("/signin", data={"token": token, "csrf_token": "forged"})
    assert r.status_code == 403
    sign_in(client, "admin")
    r = client.post("/schedule", data={"agents": "1", "tags": "x"})
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/tasks/new", data={"id": "t", "csrf_token": "wrong"})
    assert r.status_code == 403


def test_sign_in_rotates_the_csrf_token(client: TestClient) -> None:
    before = csrf_token(client)
    sign_in(client, "viewer")
    assert csrf_token(client) != before


def test_forged_cookie_is_an_anonymous_session(client: TestClient) -> None:
    sign_in(client, "admin")
    client.cookies.set("horizon_session", "eyJ0IjoiYWJjIiwiYyI6Inh5eiJ9.forged.signature")
    assert "Sign out" not in client.get("/tasks").text


def test_roles(client: TestClient) -> None:
    # Anonymous visitors may look (reads are open by default) but are sent to sign in to submit.
    assert client.get("/tasks").status_code == 200
    r = client.get("/tasks/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/tasks/new"
    r = client.get("/schedule", follow_redirects=False)
    assert r.headers["location"].startswith("/signin")
    # A viewer may look but not submit, schedule or baseline.
    sign_in(client, "viewer")
    for path in ("/tasks/new", "/schedule", "/baselining"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "viewer role" in r.text
    # A submitter may.
    sign_in(client, "submitter")
    for path in ("/tasks/new", "/schedule", "/baselining"):
        assert client.get(path).status_code == 200, path


def test_revoked_token_ends_the_session(client: TestClient) -> None:
    from core.auth import hash_token, revoke_token
    from core.db import session_scope
    from core.models import ApiToken

    token = sign_in(client, "submitter")
    assert client.get("/tasks/new").status_code == 200
    with session_scope() as s:
        row = s.query(ApiToken).filter_by(token_hash=hash_token(token)).one()
        revoke_token(s, row.id)
    r = client.get("/tasks/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_reads_can_require_a_token(db: str, tmp_path: object) -> None:
    from pathlib import Path

    from api.app import create_app

    settings = Settings(database_url=db, data_dir=Path(str(tmp_path)) / "data", read_requires_token=True)
    with TestClient(create_app(settings)) as c:
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/signin?next=/"
        sign_in(c, "viewer")
        assert c.get("/").status_code == 200


def test_open_redirects_are_refused(client: TestClient) -> None:
    token = make_token("viewer")
    r = client.post(
        "/signin",
        data={"token": token, "csrf_token": csrf_token(client), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_session_secret_is_persisted_and_shared(settings: Settings) -> None:
    from web.auth import SECRET_FILE, _load_or_create_secret

    path = settings.data_dir / SECRET_FILE
    first = _load_or_create_secret(path)
    assert _load_or_create_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
