from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_token


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(database_url=db)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def admin(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('admin')}"}


@pytest.fixture
def submitter(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('submitter')}"}


@pytest.fixture
def viewer(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('viewer')}"}
