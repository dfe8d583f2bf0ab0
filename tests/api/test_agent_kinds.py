"""Agents of each kind through the REST API: checked when made, shown with kind, version, settings.

A sandbox program's settings become a Dockerfile, a command line and an environment in a worker,
so each field is bounded and refused with a 422 that says what is wrong: pip options in a
requirement, build steps that could touch the task's files, placeholders that do not exist,
variables that would replace the proxy's, limits the kind cannot keep.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.api.test_catalog_runs_api import MODEL

PROGRAM = {
    "command": ["mini", "--yolo", "--model", "openai/{model}", "--task", "{instructions}"],
    "pip": ["mini-swe-agent==1.17.5"],
    "env": {"MSWEA_CONFIGURED": "true", "NOTE": "<script>alert(1)</script>"},
}


def _agent(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/agents", json={"name": "a", "model": "tiny-model", **body}, headers=headers)


@pytest.fixture
def with_model(client: TestClient, submitter: dict[str, str]) -> dict[str, str]:
    assert client.post("/api/models", json=MODEL, headers=submitter).status_code == 201
    return submitter


def test_a_sandbox_program_agent_is_made_listed_and_shown(
    client: TestClient, with_model: dict[str, str]
) -> None:
    made = _agent(
        client,
        with_model,
        name="mini",
        kind="sandbox_program",
        version="1.17.5",
        settings={"program": PROGRAM, "token_limit": 100000},
    )
    assert made.status_code == 201, made.text
    out = made.json()
    assert (out["kind"], out["scaffold"], out["version"]) == ("sandbox_program", "sandbox_program", "1.17.5")
    program = out["settings"]["program"]
    assert (
        program["command"] == PROGRAM["command"]
        and program["port"] == 8787
        and program["max_model_calls"] == 1000
    )
    listed = client.get("/agents").text
    assert "sandbox program" in listed and "1.17.5" in listed
    page = client.get("/agents/mini").text
    assert "mini --yolo --model openai/{model}" in page and "mini-swe-agent==1.17.5" in page
    assert "<script>alert(1)</script>" not in page and "alert(1)" in page
    # A scaffold agent is still made the old way, and says its kind.
    plain = _agent(client, with_model, name="plain", scaffold="react")
    assert plain.status_code == 201 and plain.json()["kind"] == "scaffold" and plain.json()["version"] is None


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ({}, "command"),
        ({"command": []}, "command"),
        ({"command": ["x"] * 65}, "command"),
        ({"command": ["run", "{secret}"]}, "unknown placeholder {secret}"),
        ({"command": ["run", "{model.__class__}"]}, "unknown placeholder"),
        ({"command": ["run", "{unclosed"]}, "malformed braces"),
        ({"command": ["run", "{instructions:>999999999}"]}, "may not have a format"),
        ({"command": ["run", "{model!r}"]}, "may not have a format"),
        ({"command": ["run", "{model:{port}}"]}, "may not have a format"),
        ({"command": ["run", "{0}"]}, "unknown placeholder {0}"),
        ({"command": ["a\x00b"]}, "NUL"),
        ({"command": ["x" * 5000]}, "command"),
        ({"command": ["mini"], "pip": ["--index-url=http://evil/simple"]}, "pip"),
        ({"command": ["mini"], "pip": ["mini-swe-agent @ https://evil/x.whl"]}, "pip"),
        ({"command": ["mini"], "pip": ["-r/etc/passwd"]}, "pip"),
        ({"command": ["mini"], "dockerfile": "FROM horizon-task:abc\nRUN true"}, "not FROM"),
        ({"command": ["mini"], "dockerfile": "COPY evil /usr/bin/python3"}, "not COPY"),
        ({"command": ["mini"], "dockerfile": "RUN true \\\n  && true\nUSER root"}, "not USER"),
        ({"command": ["mini"], "dockerfile": "ADD http://x/y /z"}, "not ADD"),
        ({"command": ["mini"], "dockerfile": "RUN " + "x" * 20_000}, "dockerfile"),
        ({"command": ["mini"], "env": {"OPENAI_API_KEY": "mine"}}, "set by Horizon"),
        ({"command": ["mini"], "env": {"openai_base_url": "http://x"}}, "set by Horizon"),
        ({"command": ["mini"], "env": {"HORIZON_MODEL": "x"}}, "set by Horizon"),
        ({"command": ["mini"], "env": {"1BAD": "x"}}, "not a valid variable name"),
        ({"command": ["mini"], "port": 80}, "port"),
        ({"command": ["mini"], "max_model_calls": 0}, "max_model_calls"),
        ({"command": ["mini"], "max_request_bytes": 10**9}, "max_request_bytes"),
        ({"command": ["mini"], "image": "ubuntu"}, "image"),
    ],
)
def test_bad_programs_are_refused_with_what_is_wrong(
    client: TestClient, with_model: dict[str, str], program: dict[str, Any], expected: str
) -> None:
    r = _agent(client, with_model, kind="sandbox_program", settings={"program": program})
    assert r.status_code == 422 and expected in r.text, r.text
    assert client.get("/api/agents").json() == [] or all(
        a["name"] != "a" for a in client.get("/api/agents").json()
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "sandbox_program"}, "needs the `program` setting"),
        ({"kind": "sandbox_program", "settings": {"program": PROGRAM, "action_limit": 5}}, "action_limit"),
        (
            {"kind": "sandbox_program", "settings": {"program": PROGRAM, "system_prompt": "hi"}},
            "system_prompt",
        ),
        ({"kind": "sandbox_program", "scaffold": "react", "settings": {"program": PROGRAM}}, "runs under"),
        ({"kind": "sandbox_program", "model": None, "settings": {"program": PROGRAM}}, "needs a model"),
        ({"scaffold": "react", "settings": {"program": PROGRAM}}, "'program' is for sandbox_program agents"),
        ({"scaffold": "sandbox_program", "settings": {"program": PROGRAM}}, "with kind 'sandbox_program'"),
        ({"kind": "scaffold"}, "names its scaffold"),
        ({"kind": "robot", "scaffold": "react"}, "kind"),
        ({"kind": "inspect"}, "needs the `agent` setting"),
        ({"kind": "inspect", "settings": {"agent": "os.system"}}, "not an import path"),
        (
            {"kind": "inspect", "settings": {"agent": "inspect_ai.agent:react; rm -rf /"}},
            "not an import path",
        ),
        (
            {"scaffold": "react", "settings": {"agent": "inspect_ai.agent:react"}},
            "'agent' is for inspect agents",
        ),
        ({"scaffold": "react", "version": " padded "}, "version"),
        ({"scaffold": "react", "version": "x" * 101}, "version"),
    ],
)
def test_kind_rules_are_checked_at_creation(
    client: TestClient, with_model: dict[str, str], body: dict[str, Any], expected: str
) -> None:
    r = _agent(client, with_model, **body)
    assert r.status_code == 422 and expected in r.text, r.text


def test_an_inspect_agent_names_an_import_path(client: TestClient, with_model: dict[str, str]) -> None:
    r = _agent(client, with_model, name="insp", kind="inspect", settings={"agent": "inspect_ai.agent:react"})
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["scaffold"]) == ("inspect", "inspect")
    # With no version given, the agent records its path and the installed inspect_ai release.
    from importlib import metadata

    assert r.json()["version"] == f"inspect_ai.agent:react (inspect_ai {metadata.version('inspect_ai')})"
    given = _agent(
        client,
        with_model,
        name="insp2",
        kind="inspect",
        version="v7",
        settings={"agent": "inspect_ai.agent:react"},
    )
    assert given.json()["version"] == "v7"


def test_a_scaffold_class_path_is_accepted_when_the_operator_lists_it(
    client: TestClient, with_model: dict[str, str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = "mypkg.agents:MyScaffold"
    r = _agent(client, with_model, name="mine", scaffold=path)
    # The name is well formed now (it was refused for its capital letter), but a path is imported
    # in workers, so only one the operator listed is taken.
    assert r.status_code == 422 and "unknown scaffold 'mypkg.agents:MyScaffold'" in r.text, r.text
    from core.settings import get_settings

    monkeypatch.setenv("HORIZON_EXTRA_SCAFFOLDS", path)
    get_settings.cache_clear()
    try:
        r = _agent(client, with_model, name="mine", scaffold=path)
        assert r.status_code == 201, r.text
        assert r.json()["scaffold"] == path
    finally:
        get_settings.cache_clear()
    for bad in ("mypkg.agents:My Scaffold", "Mypkg:X", "mypkg:", "mypkg.agents:1X"):
        assert _agent(client, with_model, name="bad", scaffold=bad).status_code == 422


def test_an_inspect_agent_takes_its_tools_and_arguments_and_only_listed_paths(
    client: TestClient, with_model: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    react = {
        "agent": "inspect_ai.agent:react",
        "agent_args": {"prompt": "Solve the task in the working directory."},
        "tools": [{"tool": "inspect_ai.tool:bash", "args": {"timeout": 180}}, "inspect_ai.tool:think"],
        "token_limit": 2000000,
    }
    # The settings docs/agents.md shows are taken as they are, and kept for the worker.
    made = _agent(client, with_model, name="react", kind="inspect", settings=react)
    assert made.status_code == 201, made.text
    assert made.json()["settings"] == react
    nested = {"scaffold_options": {k: v for k, v in react.items() if k != "token_limit"}}
    assert _agent(client, with_model, name="nested", kind="inspect", settings=nested).status_code == 201
    # A path the operator did not list is refused when the agent is made, not when it runs.
    for settings, listed in (
        ({**react, "tools": ["inspect_ai.tool:web_browser"]}, "HORIZON_INSPECT_TOOLS"),
        ({"agent": "mypkg.agents:solver"}, "HORIZON_INSPECT_AGENTS"),
        ({"scaffold_options": {"agent": "subprocess:run"}}, "HORIZON_INSPECT_AGENTS"),
        ({**react, "tools": [{"tool": "inspect_ai.tool:bash", "x": 1}]}, "each inspect tool"),
    ):
        r = _agent(client, with_model, name="refused", kind="inspect", settings=settings)
        assert r.status_code == 422 and listed in r.text, r.text
    assert _agent(client, with_model, name="r2", scaffold="react", settings={"tools": []}).status_code == 422
    # A listed agent from another package records that package's release beside inspect_ai's.
    from importlib import metadata

    from core.settings import get_settings

    monkeypatch.setenv("HORIZON_INSPECT_AGENTS", "pydantic.main:*")
    get_settings.cache_clear()
    try:
        r = _agent(
            client, with_model, name="other", kind="inspect", settings={"agent": "pydantic.main:create_model"}
        )
    finally:
        get_settings.cache_clear()
    assert r.status_code == 201, r.text
    assert r.json()["version"] == (
        f"pydantic.main:create_model (pydantic {metadata.version('pydantic')}, "
        f"inspect_ai {metadata.version('inspect_ai')})"
    )
