"""Hidden number problem: nightly nonces are below 2**224 while q has 256 bits. Each nightly
signature gives k = t*x + u (mod q) with t = r/s, u = h/s; an LLL-reduced embedding lattice holds
(k_i - B/2, x*B/q, B) as a short vector. Exact-rational LLL in pure Python (dimension 16)."""

import json
from fractions import Fraction
from pathlib import Path
import sys

sys.path.insert(0, ".")
from fwsign import digest  # noqa: E402

dom = json.loads(Path("domain.json").read_text())
p, q, g, y = dom["p"], dom["q"], dom["g"], dom["y"]
sigs = [json.loads(l) for l in Path("signing.log").read_text().splitlines()]
sigs = [e for e in sigs if e["signer"] == "buildfarm"]
B = 1 << 224
n = len(sigs)
ts, us = [], []
for e in sigs:
    r, s = int(e["r"], 16), int(e["s"], 16)
    w = pow(s, -1, q)
    ts.append(r * w % q)
    us.append((digest(e["manifest"], q) * w - B // 2) % q)
rows = []
for i in range(n):
    row = [0] * (n + 2)
    row[i] = q * q
    rows.append(row)
rows.append([q * t for t in ts] + [B, 0])
rows.append([q * u for u in us] + [0, B * q])


def lll(b: list[list[int]], delta: Fraction = Fraction(3, 4)) -> list[list[int]]:
    m = len(b)

    def dot(a: list, c: list) -> int:
        return sum(x * z for x, z in zip(a, c))

    def gram_schmidt() -> tuple[list[list[Fraction]], list[Fraction], list[list[Fraction]]]:
        bs: list[list[Fraction]] = []
        mu = [[Fraction(0)] * m for _ in range(m)]
        norms: list[Fraction] = []
        for i in range(m):
            v = [Fraction(x) for x in b[i]]
            for j in range(i):
                mu[i][j] = dot(b[i], bs[j]) / norms[j]
                v = [a - mu[i][j] * c for a, c in zip(v, bs[j])]
            bs.append(v)
            norms.append(dot(v, v))
        return bs, norms, mu

    _, norms, mu = gram_schmidt()
    k = 1
    while k < m:
        for j in range(k - 1, -1, -1):
            c = round(mu[k][j])
            if c:
                b[k] = [a - c * z for a, z in zip(b[k], b[j])]
                for l in range(j + 1):
                    mu[k][l] -= c * (mu[j][l] if l < j else 1)
        if norms[k] >= (delta - mu[k][k - 1] ** 2) * norms[k - 1]:
            k += 1
        else:
            # swap b[k-1] and b[k], updating the Gram-Schmidt data in place
            b[k], b[k - 1] = b[k - 1], b[k]
            m_ = mu[k][k - 1]
            big = norms[k] + m_ * m_ * norms[k - 1]
            mu[k][k - 1] = m_ * norms[k - 1] / big
            norms[k] = norms[k - 1] * norms[k] / big
            norms[k - 1] = big
            for j in range(k - 1):
                mu[k - 1][j], mu[k][j] = mu[k][j], mu[k - 1][j]
            for i in range(k + 1, m):
                t = mu[i][k]
                mu[i][k] = mu[i][k - 1] - m_ * t
                mu[i][k - 1] = t + mu[k][k - 1] * mu[i][k]
            k = max(k - 1, 1)
    return b


for vec in lll(rows):
    if abs(vec[-1]) == B * q:
        for cand in (vec[-2] // B, -vec[-2] // B):
            x = cand % q
            if pow(g, x, p) == y:
                Path("submission.txt").write_text(f"{x:x}\n")
                print("found the key")
                raise SystemExit(0)
raise SystemExit("no key found")
