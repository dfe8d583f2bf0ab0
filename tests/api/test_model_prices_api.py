"""A model's cache prices and output limit through the REST API and into the worker's ModelConfig;
values out of bounds are refused with 422 and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import session_scope
from tests.factories import make_agent, make_run, make_task
from workers.run_executor import attempt_spec

MODEL: dict[str, Any] = {
    "name": "sonnet",
    "provider": "anthropic",
    "api_model": "claude-sonnet-4-5",
    "base_url": "http://127.0.0.1:9",
    "input_price_per_mtok": 3.0,
    "output_price_per_mtok": 15.0,
}
NEW_FIELDS = ("cached_input_price_per_mtok", "cache_write_price_per_mtok", "max_output_tokens")


def test_cache_prices_and_output_limit_are_stored_shown_changed_and_reach_the_worker(
    client: TestClient, submitter: dict[str, str]
) -> None:
    r = client.post("/api/models", json={**MODEL, "name": "defaults"}, headers=submitter)
    assert r.status_code == 201, r.text
    assert [r.json()[f] for f in NEW_FIELDS] == [None, None, None]

    body = {
        **MODEL,
        "cached_input_price_per_mtok": 0.3,
        "cache_write_price_per_mtok": 6.0,
        "max_output_tokens": 64000,
    }
    r = client.post("/api/models", json=body, headers=submitter)
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    assert [r.json()[f] for f in NEW_FIELDS] == [0.3, 6.0, 64000]

    r = client.patch(
        f"/api/models/{model_id}",
        json={"cache_write_price_per_mtok": None, "max_output_tokens": 4096},
        headers=submitter,
    )
    assert r.status_code == 200, r.text
    assert [client.get(f"/api/models/{model_id}").json()[f] for f in NEW_FIELDS] == [0.3, None, 4096]

    # What a worker makes of the row: the stored prices, the unset write price from Anthropic's
    # published ratio (1.25x input), and the output limit.
    make_task("t")
    agent_id = make_agent("a", "react", model="sonnet")
    run_id = make_run("t", agent_id, status="running", attempt=1)
    with session_scope() as s:
        model = attempt_spec(s, run_id, 1).model
    assert model is not None and model.max_output_tokens == 4096
    prices = model.prices
    assert (prices.input, prices.cache_read, prices.cache_write, prices.output) == pytest.approx(
        (3.0, 0.3, 3.75, 15.0)
    )


BAD_VALUES: list[tuple[str, Any]] = [
    ("cached_input_price_per_mtok", -0.01),
    ("cached_input_price_per_mtok", "NaN"),
    ("cached_input_price_per_mtok", "Infinity"),
    ("cached_input_price_per_mtok", 1e6),
    ("cached_input_price_per_mtok", "cheap"),
    ("cache_write_price_per_mtok", -1),
    ("cache_write_price_per_mtok", "-Infinity"),
    ("cache_write_price_per_mtok", 1e308),
    ("max_output_tokens", 0),
    ("max_output_tokens", -5),
    ("max_output_tokens", 1_000_001),
    ("max_output_tokens", 2.5),
    ("max_output_tokens", 10**30),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_out_of_bounds_values_are_refused_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str], field: str, value: Any
) -> None:
    r = client.post("/api/models", json={**MODEL, field: value}, headers=admin)
    assert r.status_code == 422 and field in r.text, r.text
    assert client.get("/api/models").json() == []

    r = client.post("/api/models", json=MODEL, headers=admin)
    model_id = r.json()["id"]
    r = client.patch(f"/api/models/{model_id}", json={field: value}, headers=admin)
    assert r.status_code == 422 and field in r.text, r.text
    assert client.get(f"/api/models/{model_id}").json()[field] is None


def test_a_bare_nan_token_in_the_body_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    # Python's JSON reader takes the non-standard NaN token; the bound still refuses it.
    raw = json.dumps(MODEL)[:-1] + ', "cached_input_price_per_mtok": NaN}'
    r = client.post("/api/models", content=raw, headers={**admin, "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert client.get("/api/models").json() == []
