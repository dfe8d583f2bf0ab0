from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(database_url=db)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


def make_token(role: str) -> str:
    """A new token of `role` named "test ROLE" (then "test ROLE 2", ...: names are unique)."""
    from sqlalchemy import select

    from core.auth import create_token
    from core.db import session_scope
    from core.models import ApiToken

    with session_scope() as s:
        name, n = f"test {role}", 1
        while s.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
            n += 1
            name = f"test {role} {n}"
        _, secret = create_token(s, name, role)
    return secret


@pytest.fixture
def admin(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('admin')}"}


@pytest.fixture
def submitter(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('submitter')}"}


@pytest.fixture
def viewer(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('viewer')}"}


def task_body(task_id: str = "fix-bug", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": task_id,
        "family": "debugging",
        "title": "Fix the off-by-one bug",
        "instructions": "Make `python3 check.py` print OK.",
        "environment": {"files": {"check.py": "print('NOT OK')\n"}},
        "scorer": {"command": "python3 /scorer/score.py", "files": {"score.py": "print(1)\n"}},
        "solution": {"command": "sh /solution/solve.sh", "files": {"solve.sh": "true\n"}},
        "tags": ["python", "easy"],
        "time_limit_s": 600,
    }
    body.update(overrides)
    return body
