"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

The sequences come from a hidden Markov model: 4 hidden regimes that persist (self-transition
0.90-0.96) and 8 symbols whose emission distributions overlap between regimes, so the next symbol
depends on evidence spread over the last few dozen symbols, more than any short n-gram sees.
Files: train.txt (environment: 400 sequences of 200 symbols, one per line), test.txt
(environment: 2,500 prefixes of 5-120 symbols, "id<TAB>prefix"), test_next.txt (scorer: the
symbol that followed each prefix), params.json (scorer: the true model) and bar.json (scorer:
the mean log-loss of the true model's predictive distributions on the test prefixes, of the
unigram frequencies, and the bar).
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 5_2026
SYMBOLS = "abcdefgh"
K = 4


def make_params(rng: random.Random) -> tuple[list[float], list[list[float]], list[list[float]]]:
    start = [1 / K] * K
    trans = []
    for i in range(K):
        stay = rng.uniform(0.90, 0.96)
        others = [rng.random() + 0.2 for _ in range(K - 1)]
        row, it = [], iter(o / sum(others) * (1 - stay) for o in others)
        for j in range(K):
            row.append(stay if i == j else next(it))
        trans.append(row)
    emit = []
    for i in range(K):
        weights = [rng.random() ** 2 * 0.3 + 0.03 for _ in SYMBOLS]
        for s in rng.sample(range(len(SYMBOLS)), 3):
            weights[s] += rng.uniform(0.8, 1.6)
        emit.append([w / sum(weights) for w in weights])
    return start, trans, emit


def draw(rng: random.Random, n: int, start, trans, emit) -> str:
    out, state = [], rng.choices(range(K), start)[0]
    for _ in range(n):
        out.append(SYMBOLS[rng.choices(range(len(SYMBOLS)), emit[state])[0]])
        state = rng.choices(range(K), trans[state])[0]
    return "".join(out)


def predictive(prefix: str, start, trans, emit) -> list[float]:
    """P(next symbol | prefix) under the true model (normalised forward filter)."""
    alpha = start[:]
    for ch in prefix:
        s = SYMBOLS.index(ch)
        post = [alpha[i] * emit[i][s] for i in range(K)]
        total = sum(post)
        post = [p / total for p in post]
        alpha = [sum(post[i] * trans[i][j] for i in range(K)) for j in range(K)]
    return [sum(alpha[i] * emit[i][s] for i in range(K)) for s in range(len(SYMBOLS))]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    start, trans, emit = make_params(rng)
    out = Path(outdir)
    train = [draw(rng, 200, start, trans, emit) for _ in range(400)]
    (out / "train.txt").write_text("\n".join(train) + "\n")
    tests = []
    for i in range(2500):
        seq = draw(rng, rng.randint(5, 120) + 1, start, trans, emit)
        tests.append((f"q{i:04d}", seq[:-1], seq[-1]))
    (out / "test.txt").write_text("".join(f"{q}\t{p}\n" for q, p, _ in tests))
    (out / "test_next.txt").write_text("".join(f"{q}\t{n}\n" for q, _, n in tests))
    loss = -sum(math.log(predictive(p, start, trans, emit)[SYMBOLS.index(n)]) for _, p, n in tests)
    counts = {s: sum(seq.count(s) for seq in train) for s in SYMBOLS}
    total = sum(counts.values())
    unigram = -sum(math.log(counts[n] / total) for _, _, n in tests)
    oracle, base = loss / len(tests), unigram / len(tests)
    bar = {"oracle": round(oracle, 4), "unigram": round(base, 4), "bar": round(oracle + 0.012, 3)}
    (out / "bar.json").write_text(json.dumps(bar, indent=2) + "\n")
    params = {"symbols": SYMBOLS, "start": start, "trans": trans, "emit": emit}
    (out / "params.json").write_text(json.dumps(params, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
