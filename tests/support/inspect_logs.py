"""Real Inspect eval logs for the import tests, made by running a tiny eval offline.

`write_log` runs an Inspect task on inspect_ai's `mockllm` model (no network: the mock answers
with token usage set, so nothing is counted with a downloaded tokenizer) and returns the path of
the `.eval` or `.json` log it wrote. Each sample says how the mock answers it in each epoch, so a
test decides which samples succeed; a sample may carry `human_minutes` metadata, a continuous
`fraction` score, or make its solver fail (an errored sample).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ANSWER = "yes"
MODEL = "mockllm/model"
# Default agent name of these logs: the model and the solver.
AGENT = f"{MODEL} (generate)"


@dataclass(frozen=True)
class SampleSpec:
    """One sample: its id, whether the mock answers it right in each epoch (cycled), and extras."""

    id: str | int
    solved: Sequence[bool] = (True,)
    human_minutes: float | None = None
    fraction: float | None = None  # the `fraction` scorer's value
    fails: bool = False  # the solver raises: the sample ends in an error
    metadata: dict[str, Any] = field(default_factory=dict)


# Six tasks, 1 to 32 minutes: the agent solves the short ones and fails the long ones, with a
# mixed middle, so a logistic fit has a finite horizon between 2 and 16 minutes.
PROBE_SAMPLES = [
    SampleSpec("probe/t1", (True, True), human_minutes=1),
    SampleSpec("probe/t2", (True, True), human_minutes=2),
    SampleSpec("probe/t3", (True, False), human_minutes=4),
    SampleSpec("probe/t4", (False, True), human_minutes=8),
    SampleSpec("probe/t5", (False, False), human_minutes=16),
    SampleSpec("probe/t6", (False, False), human_minutes=32),
]


def write_log(
    log_dir: Path,
    samples: Sequence[SampleSpec],
    *,
    log_format: Literal["eval", "json"] = "eval",
    epochs: int = 1,
    scorers: Sequence[str] = ("match",),
    task_name: str = "horizon_probe",
) -> Path:
    """Run the eval and return its log's path (a new file in `log_dir`)."""
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import Score, Target, includes, match, mean, scorer
    from inspect_ai.solver import Generate, TaskState, generate, solver

    answers: dict[str, list[bool]] = {f"sample {s.id}": list(s.solved) for s in samples}
    asked: dict[str, int] = {}

    def mock(messages: Any, _tools: Any, _choice: Any, _config: Any) -> ModelOutput:
        prompt = messages[-1].text
        n = asked.get(prompt, 0)
        asked[prompt] = n + 1
        right = answers[prompt][n % len(answers[prompt])]
        output = ModelOutput.from_content(model="mockllm", content=ANSWER if right else "no")
        output.usage = ModelUsage(input_tokens=5, output_tokens=1, total_tokens=6)
        return output

    @solver
    def fail_some() -> Any:
        async def solve(state: TaskState, generate_: Generate) -> TaskState:
            if state.metadata.get("fails"):
                raise RuntimeError("the sandbox went away")
            return await generate_(state)

        return solve

    @scorer(metrics=[mean()])
    def fraction() -> Any:
        async def score(state: TaskState, _target: Target) -> Score | None:
            value = state.metadata.get("fraction")
            return None if value is None else Score(value=float(value))  # None: left unscored

        return score

    made: dict[str, Callable[[], Any]] = {"match": match, "includes": includes, "fraction": fraction}
    dataset = [
        Sample(
            input=f"sample {s.id}",
            target=ANSWER,
            id=s.id,
            metadata={
                **s.metadata,
                **({"human_minutes": s.human_minutes} if s.human_minutes is not None else {}),
                **({"fraction": s.fraction} if s.fraction is not None else {}),
                "fails": s.fails,
            },
        )
        for s in samples
    ]
    uses_failures = any(s.fails for s in samples)
    task = Task(
        name=task_name,
        dataset=dataset,
        solver=fail_some() if uses_failures else generate(),
        scorer=[made[name]() for name in scorers],
        version=2,
    )
    before = set(log_dir.glob("*"))
    eval(
        task,
        model=get_model(MODEL, custom_outputs=mock),
        log_dir=str(log_dir),
        log_format=log_format,
        display="none",
        epochs=epochs,
        fail_on_error=False,
        score_display=False,
    )
    (path,) = set(log_dir.glob("*")) - before
    return path
