"""Creating terminal-scaffold agents through the REST API: its settings are checked at creation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_catalog_runs_api import MODEL


def test_terminal_agent_settings_are_checked_at_creation(
    client: TestClient, submitter: dict[str, str]
) -> None:
    assert client.post("/api/models", json=MODEL, headers=submitter).status_code == 201
    base = {"scaffold": "terminal", "model": "tiny-model"}
    made = client.post(
        "/api/agents",
        json={
            **base,
            "name": "term",
            "settings": {"context_strategy": "compact", "max_tool_output_chars": 20000},
        },
        headers=submitter,
    )
    assert made.status_code == 201, made.text
    assert made.json()["settings"] == {"context_strategy": "compact", "max_tool_output_chars": 20000}
    for settings, expected in (
        ({"shell_timeout_s": 5}, "unknown setting 'shell_timeout_s'; the settings are"),
        ({"context_strategy": "forget"}, "context_strategy"),
        ({"max_tool_output_chars": 0}, "max_tool_output_chars"),
    ):
        r = client.post("/api/agents", json={**base, "name": "bad", "settings": settings}, headers=submitter)
        assert r.status_code == 422 and expected in r.text, r.text
    # A setting the react scaffold would silently ignore is refused for it.
    r = client.post(
        "/api/agents",
        json={
            "name": "r",
            "scaffold": "react",
            "model": "tiny-model",
            "settings": {"context_strategy": "trim"},
        },
        headers=submitter,
    )
    assert r.status_code == 422 and "'context_strategy' is for the terminal scaffold" in r.text
