"""Writes budgets.json (scorer) and sample_budgets.json (environment): for each script, twice
the steps the reference needs (meter.py) plus 20,000. Slow (it traces the reference); run it
after generate.py whenever the scripts or the reference change:

    python3 measure_budgets.py SCORER_DIR ENVIRONMENT_DIR
"""

import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from meter import count_steps  # noqa: E402
from reference_lexsat import run  # noqa: E402


def main(scorer_dir: str, env_dir: str) -> None:
    for folder, pattern, name in ((scorer_dir, "bench-*.cnf", "budgets.json"), (env_dir, "sample-*.cnf", "sample_budgets.json")):
        budgets = {}
        for path in sorted(Path(folder).glob(pattern)):
            steps = count_steps(run, path.read_text())[1]
            budgets[path.name] = 2 * steps + 20_000
            print(path.name, steps, flush=True)
        (Path(folder) / name).write_text(json.dumps(budgets, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
