"""Scheduling, batch pages with their progress endpoint, run lists with filters, transcripts."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Batch, Run
from core.schemas import RunResult
from core.services.runs import claim_run, finish_run, record_infra_failure
from core.settings import Settings
from core.states import StopReason
from tests.factories import make_agent, make_task
from tests.web.conftest import csrf_token

TRANSCRIPT: list[Any] = [  # Any: one event is not even a dict, as a broken worker could store
    {"kind": "task_start", "t": 0.0, "seq": 0, "task_id": "t1", "agent": "a"},
    {"kind": "message", "t": 0.01, "seq": 1, "role": "user", "content": "Write hello into answer.txt."},
    {
        "kind": "model",
        "t": 1.2,
        "seq": 2,
        "content": "Let me write it.",
        "tool_calls": [{"id": "c1", "name": "bash", "arguments": {"command": "echo hello > answer.txt"}}],
        "input_tokens": 500,
        "output_tokens": 40,
        "cost_usd": 0.002,
        "duration_s": 1.1,
    },
    {
        "kind": "tool_call",
        "t": 1.21,
        "seq": 3,
        "id": "c1",
        "name": "bash",
        "arguments": {"command": "echo hi"},
    },
    {
        "kind": "tool_output",
        "t": 1.5,
        "seq": 4,
        "id": "c1",
        "name": "bash",
        "output": "exit code: 0 <script>alert(1)</script>",
        "exit_code": 0,
        "duration_s": 0.29,
        "output_original_chars": 90000,
    },
    {"kind": "mystery_event", "t": 1.6, "seq": 5, "detail": {"x": 1}},
    "not even a dict",
    {
        "kind": "task_end",
        "t": 2.1,
        "seq": 7,
        "stop_reason": "submitted",
        "score": 1.0,
        "timings": {"total_s": 2.1},
    },
]


def schedule(client: TestClient, **fields: Any) -> Any:
    return client.post("/schedule", data={**fields, "csrf_token": csrf_token(client)}, follow_redirects=False)


def run_ids(batch_id: int) -> list[int]:
    with session_scope() as s:
        return list(s.scalars(select(Run.id).where(Run.batch_id == batch_id).order_by(Run.id)))


def test_schedule_a_batch_by_tag_and_pick(submitter_client: TestClient) -> None:
    make_task("t1", tags=["easy"])
    make_task("t2", tags=["hard"])
    make_task("t3", tags=["easy"])
    a1 = make_agent("oracle-agent", "oracle")
    a2 = make_agent("null-agent", "null")
    page = submitter_client.get("/schedule")
    assert "oracle-agent" in page.text and 'value="easy"' in page.text
    r = schedule(
        submitter_client, agents=[str(a1), str(a2)], tags=["easy"], tasks=["t2"], repeats="2", name="first"
    )
    assert r.status_code == 303, r.text
    batch_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert len(run_ids(batch_id)) == 2 * 3 * 2
    with session_scope() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.created_by == "test submitter" and batch.name == "first"


def test_schedule_errors_are_shown_and_nothing_is_stored(submitter_client: TestClient) -> None:
    make_task("t1", tags=["easy"])
    agent = make_agent("oracle-agent", "oracle")
    r = schedule(submitter_client, tags=["easy"], repeats="1")
    assert r.status_code == 422 and "pick at least one agent" in r.text
    r = schedule(submitter_client, agents=[str(agent)], repeats="1")
    assert r.status_code == 422 and "give tasks" in r.text
    r = schedule(submitter_client, agents=[str(agent)], tasks=["t1"], repeats="0")
    assert r.status_code == 422 and "greater than or equal to 1" in r.text
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == 0


def test_schedule_page_sets_apart_what_cannot_run_and_refuses_it(submitter_client: TestClient) -> None:
    from core.models import Agent

    make_task("t1", tags=["easy"])
    make_task("placeholder", tags=["easy", "imported"])
    oracle = make_agent("oracle-agent", "oracle")
    with session_scope() as s:
        external = Agent(name="published-agent", scaffold="external", settings={})
        s.add(external)
        s.flush()
        external_id = external.id
    page = submitter_client.get("/schedule").text
    picker, _, rest = page.partition('id="unrunnable-agents"')
    assert "oracle-agent" in picker and "published-agent" not in picker.split('id="agent-picker"')[1]
    reason = "agent &#39;published-agent&#39; was imported from another system"
    assert f"published-agent</strong>: {reason}" in rest
    assert 'id="unrunnable-tasks"' in page and "<li><code>placeholder</code></li>" in page
    assert 'value="easy" data-tasks="t1"' in page  # the tag adds only the task that can run
    r = schedule(submitter_client, agents=[str(external_id)], tasks=["t1"], repeats="1")
    assert r.status_code == 422 and "imported from another system and cannot run here" in r.text
    r = schedule(submitter_client, agents=[str(oracle)], tasks=["placeholder"], repeats="1")
    assert r.status_code == 422 and "it has no environment here, so it cannot run" in r.text
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == 0
    r = schedule(submitter_client, agents=[str(oracle)], tags=["easy"], repeats="2")
    assert r.status_code == 303 and len(run_ids(int(r.headers["location"].rsplit("/", 1)[1]))) == 2


def test_batch_page_and_progress_follow_the_runs(submitter_client: TestClient, settings: Settings) -> None:
    make_task("t1")
    make_task("t2")
    agent = make_agent("oracle-agent", "oracle")
    r = schedule(submitter_client, agents=[str(agent)], tasks=["t1", "t2"], repeats="1")
    batch_id = int(r.headers["location"].rsplit("/", 1)[1])
    page = submitter_client.get(f"/batches/{batch_id}")
    assert page.status_code == 200 and 'data-url="/batches/' in page.text
    progress = submitter_client.get(f"/batches/{batch_id}/progress").json()
    assert progress["total"] == 2 and progress["counts"] == {"queued": 2} and not progress["done"]

    first, second = run_ids(batch_id)
    with session_scope() as s:
        attempt = claim_run(s, first, "w")
        assert attempt is not None
        finish_run(s, first, attempt, RunResult(StopReason.SUBMITTED, 1.0, 1, 100, 20, 0.01, TRANSCRIPT))
    with session_scope() as s:
        attempt = claim_run(s, second, "w")
        assert attempt is not None
    progress = submitter_client.get(f"/batches/{batch_id}/progress").json()
    assert progress["counts"] == {"completed": 1, "running": 1} and progress["finished"] == 1
    assert {r["id"]: r["status"] for r in progress["runs"]} == {first: "completed", second: "running"}
    with session_scope() as s:
        record_infra_failure(
            s, second, 1, "daemon gone", Settings(database_url=settings.database_url, max_attempts=1)
        )
    progress = submitter_client.get(f"/batches/{batch_id}/progress").json()
    assert progress["done"] and progress["counts"] == {"completed": 1, "infra_error": 1}
    listing = submitter_client.get("/batches").text
    assert f'href="/batches/{batch_id}"' in listing


def test_cancel_a_batch(submitter_client: TestClient) -> None:
    make_task("t1")
    agent = make_agent("oracle-agent", "oracle")
    r = schedule(submitter_client, agents=[str(agent)], tasks=["t1"], repeats="3")
    batch_id = int(r.headers["location"].rsplit("/", 1)[1])
    r = submitter_client.post(
        f"/batches/{batch_id}/cancel",
        data={"csrf_token": csrf_token(submitter_client)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    progress = submitter_client.get(f"/batches/{batch_id}/progress").json()
    assert progress["counts"] == {"cancelled": 3} and progress["done"] and progress["cancelled"]


def test_run_list_filters(submitter_client: TestClient) -> None:
    make_task("t1")
    make_task("t2")
    a1 = make_agent("oracle-agent", "oracle")
    a2 = make_agent("null-agent", "null")
    r = schedule(submitter_client, agents=[str(a1), str(a2)], tasks=["t1", "t2"], repeats="1")
    batch_id = int(r.headers["location"].rsplit("/", 1)[1])
    ids = run_ids(batch_id)
    with session_scope() as s:
        attempt = claim_run(s, ids[0], "w")
        assert attempt is not None
        finish_run(s, ids[0], attempt, RunResult(StopReason.SUBMITTED, 1.0, 1, 0, 0, 0.0, []))

    def shown(query: str) -> set[int]:
        page = submitter_client.get("/runs" + query).text
        return {int(x) for x in re.findall(r'<a href="/runs/(\d+)">', page)}

    assert shown("") == set(ids)
    listed = [int(x) for x in re.findall(r'<a href="/runs/(\d+)">', submitter_client.get("/runs").text)]
    assert listed == sorted(ids, reverse=True)  # newest first
    assert shown(f"?batch={batch_id}&agent=null-agent") == set(ids[2:])
    assert shown("?task=t2") == {ids[1], ids[3]}
    assert shown("?status=completed") == {ids[0]}
    assert shown("?status=bogus") == set(ids)  # an unknown status filters nothing out


def test_run_list_sorts_by_column_and_keeps_filters(submitter_client: TestClient) -> None:
    make_task("t1")
    agent = make_agent("oracle-agent", "oracle")
    r = schedule(submitter_client, agents=[str(agent)], tasks=["t1"], repeats="4")
    ids = run_ids(int(r.headers["location"].rsplit("/", 1)[1]))
    scores = {ids[0]: 0.2, ids[1]: 0.9, ids[2]: 0.5}  # ids[3] stays queued: no score, no cost
    with session_scope() as s:
        for run_id, score in scores.items():
            attempt = claim_run(s, run_id, "w")
            assert attempt is not None
            finish_run(s, run_id, attempt, RunResult(StopReason.SUBMITTED, score, 1, 0, 0, score / 10, []))

    def listed(query: str) -> list[int]:
        page = submitter_client.get("/runs" + query).text
        return [int(x) for x in re.findall(r'<a href="/runs/(\d+)">', page)]

    assert listed("?sort=-score") == [ids[1], ids[2], ids[0], ids[3]]  # no score: last either way
    assert listed("?sort=score") == [ids[0], ids[2], ids[1], ids[3]]
    assert listed("?sort=-cost")[:3] == [ids[1], ids[2], ids[0]]
    assert listed("?sort=id") == sorted(ids) and listed("?sort=-id") == sorted(ids, reverse=True)
    assert listed("?sort=bogus") == sorted(ids, reverse=True)  # an unknown order: newest first
    # The header links keep the filters and reverse the current order.
    page = submitter_client.get("/runs?task=t1&sort=-score").text
    assert 'href="/runs?task=t1&amp;sort=score"' in page and 'aria-sort="descending"' in page
    assert listed("?task=t1&status=queued&sort=-score") == [ids[3]]


def test_transcript_viewer_renders_known_and_unknown_events(client: TestClient) -> None:
    from core.schemas import BatchCreate
    from core.services.batches import create_batch

    make_task("t1")
    # Not `oracle`: an oracle run's events are the reference solution, hidden from this reader.
    agent = make_agent("null-agent", "null")
    with session_scope() as s:
        batch = create_batch(s, BatchCreate(agents=[agent], tasks=["t1"]))
        run_id = s.scalars(select(Run.id).where(Run.batch_id == batch.id)).one()
    with session_scope() as s:
        attempt = claim_run(s, run_id, "w")
        assert attempt is not None
        finish_run(s, run_id, attempt, RunResult(StopReason.SUBMITTED, 1.0, 1, 500, 40, 0.002, TRANSCRIPT))
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200
    text = page.text
    assert "Model reply" in text and "echo hello &gt; answer.txt" in text  # the tool call's command
    assert "Tool output" in text and "cut from 90000 characters" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text  # escaped
    assert 'data-kind="mystery_event"' in text and "detail" in text  # unknown kinds are shown generically
    assert "Unreadable event" in text
    assert "500 tokens in, 40 out" in text and "1 model call" in text
    assert client.get("/runs/999999").status_code == 404
