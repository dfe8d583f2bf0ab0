"""The model form (admins), the agent form (submitters) and the dashboard's first-run steps."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Agent, ApiToken, Model
from tests.factories import make_model
from tests.web.conftest import csrf_token, sign_in


def model_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "local-llama",
        "provider": "openai",
        "api_model": "llama-3.1-8b",
        "wire_api": "chat",
        "release_date": "2024-07-23",
        "base_url": "http://localhost:8080/v1",
        "api_key_env": "",
        "input_price_per_mtok": "0.5",
        "output_price_per_mtok": "1",
        "cached_input_price_per_mtok": "",
        "cache_write_price_per_mtok": "",
        "context_window": "32768",
        "max_output_tokens": "",
        "server_template": "",
        "weights": "",
        "gpus": "",
    }
    return fields | overrides


def agent_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "react-llama",
        "scaffold": "react",
        "model": "local-llama",
        "version": "1.0",
        "release_date": "",
        "settings.token_limit": "200000",
        "settings.time_limit_s": "1800",
        "settings.cost_limit_usd": "",
        "settings.action_limit": "",
        "settings.max_output_tokens": "",
        "settings.temperature": "0.2",
    }
    return fields | overrides


def submit(client: TestClient, path: str, fields: dict[str, str]) -> Any:
    return client.post(path, data={**fields, "csrf_token": csrf_token(client)}, follow_redirects=False)


def count(model: Any) -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def field_error(page: str, name: str) -> str | None:
    found = re.search(rf'data-error-for="{re.escape(name)}">([^<]*)<', page)
    return html.unescape(found.group(1)) if found else None


def input_value(page: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


# ---------------------------------------------------------------- models


def test_an_admin_creates_a_model_through_the_form(admin_client: TestClient) -> None:
    page = admin_client.get("/models/new")
    assert page.status_code == 200 and 'id="model-form"' in page.text
    r = submit(admin_client, "/models/new", model_fields())
    assert r.status_code == 303
    assert r.headers["location"] == "/agents/new?added=1&model=local-llama"
    with session_scope() as s:
        row = s.scalars(select(Model)).one()
        assert (row.name, row.api_model, row.base_url) == (
            "local-llama",
            "llama-3.1-8b",
            "http://localhost:8080/v1",
        )
        assert (row.input_price_per_mtok, row.context_window, row.managed, row.gpus) == (0.5, 32768, False, 0)
        assert str(row.release_date) == "2024-07-23"
        owner = s.get(ApiToken, row.owner_token_id)
        assert owner is not None and owner.role == "admin"
    # The agent form that follows offers the new model, chosen.
    follow = admin_client.get(r.headers["location"])
    assert 'id="model-added"' in follow.text
    assert '<option value="local-llama" selected>' in follow.text


def test_the_model_form_refuses_bad_fields_beside_them_and_stores_nothing(admin_client: TestClient) -> None:
    r = submit(admin_client, "/models/new", model_fields(name=" ", context_window="lots"))
    assert r.status_code == 422
    assert "Nothing was stored" in r.text
    assert field_error(r.text, "name") == "this field is required"
    assert (
        field_error(r.text, "context_window")
        == "must be a valid integer, unable to parse string as an integer"
    )
    assert input_value(r.text, "context_window") == "lots"  # what was typed stays
    assert input_value(r.text, "api_model") == "llama-3.1-8b"
    # Rules about the whole model land on the field they name.
    r = submit(admin_client, "/models/new", model_fields(base_url=""))
    assert r.status_code == 422
    assert "base_url is required" in (field_error(r.text, "base_url") or "")
    # The service's key rule (core/model_keys.py): OpenAI's key goes to OpenAI only.
    r = submit(admin_client, "/models/new", model_fields(api_key_env="OPENAI_API_KEY"))
    assert r.status_code == 422
    assert "may only be sent to https://api.openai.com/v1" in (field_error(r.text, "base_url") or "")
    r = submit(admin_client, "/models/new", model_fields(api_key_env="openai key"))
    assert "capital letters" in (field_error(r.text, "api_key_env") or "")
    assert count(Model) == 0


def test_a_model_name_is_taken_once(admin_client: TestClient) -> None:
    make_model("local-llama")
    r = submit(admin_client, "/models/new", model_fields())
    assert r.status_code == 422
    assert "already exists" in (field_error(r.text, "name") or "")
    assert count(Model) == 1


def test_a_submitter_cannot_open_or_post_the_model_form(submitter_client: TestClient) -> None:
    assert submitter_client.get("/models/new").status_code == 403
    assert submit(submitter_client, "/models/new", model_fields()).status_code == 403
    assert count(Model) == 0
    assert 'href="/models/new"' not in submitter_client.get("/agents").text
    assert 'href="/agents/new"' in submitter_client.get("/agents").text


def test_the_forms_need_the_csrf_token(admin_client: TestClient) -> None:
    make_model("local-llama")
    r = admin_client.post("/models/new", data=model_fields(name="other"), follow_redirects=False)
    assert r.status_code == 403
    r = admin_client.post("/agents/new", data=agent_fields(), follow_redirects=False)
    assert r.status_code == 403
    bad = {"csrf_token": "not-the-token"}
    assert admin_client.post("/agents/new", data=agent_fields() | bad).status_code == 403
    assert count(Model) == 1 and count(Agent) == 0


# ---------------------------------------------------------------- agents


def test_a_submitter_creates_an_agent_through_the_form(submitter_client: TestClient) -> None:
    make_model("local-llama")
    page = submitter_client.get("/agents/new")  # the form, not an agent named "new"
    assert page.status_code == 200 and 'id="agent-form"' in page.text
    assert '<option value="local-llama"' in page.text
    r = submit(submitter_client, "/agents/new", agent_fields())
    assert r.status_code == 303
    assert r.headers["location"] == "/agents/react-llama?created=1"
    with session_scope() as s:
        agent = s.scalars(select(Agent)).one()
        assert (agent.kind, agent.scaffold, agent.version) == ("scaffold", "react", "1.0")
        assert agent.model is not None and agent.model.name == "local-llama"
        assert agent.settings == {"token_limit": 200000, "time_limit_s": 1800, "temperature": 0.2}
        owner = s.get(ApiToken, agent.owner_token_id)
        assert owner is not None and owner.role == "submitter"
    assert 'id="agent-created"' in submitter_client.get(r.headers["location"]).text


def test_the_agent_form_refuses_bad_fields_beside_them_and_stores_nothing(
    submitter_client: TestClient,
) -> None:
    make_model("local-llama")
    r = submit(submitter_client, "/agents/new", agent_fields(**{"settings.token_limit": "-5"}))
    assert r.status_code == 422
    assert field_error(r.text, "settings.token_limit") == "must be greater than 0"
    assert input_value(r.text, "settings.token_limit") == "-5"
    assert input_value(r.text, "name") == "react-llama"
    r = submit(submitter_client, "/agents/new", agent_fields(model=""))
    assert field_error(r.text, "model") == "the react scaffold needs a model"
    r = submit(submitter_client, "/agents/new", agent_fields(model="no-such-model"))
    assert "no-such-model" in (field_error(r.text, "model") or "")
    r = submit(submitter_client, "/agents/new", agent_fields(scaffold="sandbox_program"))
    assert "kind" in (field_error(r.text, "scaffold") or "")
    assert count(Agent) == 0
    # The oracle needs no model; a second agent of one name is refused at the name.
    assert (
        submit(
            submitter_client, "/agents/new", agent_fields(name="o", scaffold="oracle", model="")
        ).status_code
        == 303
    )
    r = submit(submitter_client, "/agents/new", agent_fields(name="o", scaffold="oracle", model=""))
    assert "already exists" in (field_error(r.text, "name") or "")
    assert count(Agent) == 1


def test_a_viewer_cannot_add_agents(client: TestClient) -> None:
    assert client.get("/agents/new", follow_redirects=False).status_code == 303  # sign in first
    sign_in(client, "viewer")
    assert client.get("/agents/new").status_code == 403
    assert submit(client, "/agents/new", agent_fields()).status_code == 403
    assert 'href="/agents/new"' not in client.get("/agents").text


# ---------------------------------------------------------------- first run


def test_the_empty_dashboard_explains_and_offers_the_next_steps(client: TestClient) -> None:
    page = client.get("/").text
    assert 'id="first-run"' in page
    assert 'href="https://arxiv.org/abs/2503.14499"' in page
    assert "horizon tasks sync tasks/" in page
    assert "horizon import-runs" in page
    assert 'href="/agents/new"' in page and 'href="/schedule"' in page
    assert 'href="/models/new"' not in page  # models are an admin's
    sign_in(client, "admin")
    make_model("local-llama")
    page = client.get("/").text
    assert 'href="/models/new"' in page
    assert re.search(r'id="step-model".*?1 added', page, re.S)
