"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seeds).

Writes, for each benchmark family in families.py, one sample script for the agent
(sample-FAMILY.cnf, environment) and two hidden ones (bench-FAMILY-1.cnf and -2.cnf, scorer),
plus answers.json (environment: the answers to the samples) and expected.json (scorer: the
answers to the hidden scripts), both computed by reference_lexsat.py. The step budgets live in
budgets.json and sample_budgets.json, written by measure_budgets.py (slow: it traces the
reference), not here.
"""

import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from families import FAMILIES  # noqa: E402
from reference_lexsat import run  # noqa: E402

SAMPLE_SEED = 1_000
HIDDEN_SEEDS = (52_817, 90_443)


def scripts() -> tuple[dict[str, str], dict[str, str]]:
    """({sample file name: text}, {hidden file name: text})."""
    samples = {f"sample-{name}.cnf": make(SAMPLE_SEED) for name, make in FAMILIES.items()}
    hidden = {
        f"bench-{name}-{i}.cnf": make(seed) for name, make in FAMILIES.items() for i, seed in enumerate(HIDDEN_SEEDS, start=1)
    }
    return samples, hidden


def main(outdir: str) -> None:
    out = Path(outdir)
    samples, hidden = scripts()
    for group, answers_name in ((samples, "answers.json"), (hidden, "expected.json")):
        answers = {}
        for name, text in group.items():
            (out / name).write_text(text)
            answers[name] = run(text)
        (out / answers_name).write_text(json.dumps(answers, indent=0) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
