"""Reference solution (oracle): the true model's parameters (params.json, a copy of the
generator's) and the forward filter give the exact predictive distribution of every prefix.
A solver recovers the same model by Baum-Welch on train.txt."""

import json
from pathlib import Path

params = json.loads((Path(__file__).resolve().parent / "params.json").read_text())
symbols, start, trans, emit = params["symbols"], params["start"], params["trans"], params["emit"]
k = len(start)
with open("predictions.csv", "w") as out:
    out.write("id," + ",".join(symbols) + "\n")
    for line in open("test.txt"):
        qid, prefix = line.rstrip("\n").split("\t")
        alpha = start[:]
        for ch in prefix:
            s = symbols.index(ch)
            post = [alpha[i] * emit[i][s] for i in range(k)]
            total = sum(post)
            alpha = [sum(post[i] / total * trans[i][j] for i in range(k)) for j in range(k)]
        probs = [sum(alpha[i] * emit[i][s] for i in range(k)) for s in range(len(symbols))]
        out.write(qid + "," + ",".join(f"{p:.8f}" for p in probs) + "\n")
