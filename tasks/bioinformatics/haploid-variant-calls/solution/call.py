"""Reference pipeline: k-mer seeding, ungapped or banded gapped alignment, pileup, majority calls,
left-alignment of indels. Reads reference.fasta and reads.fasta, writes variants.vcf."""

from collections import Counter, defaultdict
from pathlib import Path

K = 20
COMP = str.maketrans("ACGT", "TGCA")


def fasta(path: str) -> list[tuple[str, str]]:
    records: list[tuple[str, list[str]]] = []
    for line in Path(path).read_text().splitlines():
        if line.startswith(">"):
            records.append((line[1:].split()[0], []))
        elif line.strip():
            records[-1][1].append(line.strip().upper())
    return [(n, "".join(p)) for n, p in records]


def align(read: str, ref: str, lo: int) -> list[tuple[str, int, str]] | None:
    """Affine-gap alignment (Gotoh), global in the read, free ends in ref[lo:lo+window];
    returns events (kind, refpos, text)."""
    window = ref[lo : lo + len(read) + 24]
    m, n = len(read), len(window)
    mis, gopen, gext = 3, 5, 1
    inf = 10**9
    # M: ends in a match/mismatch, X: gap in the reference (insertion), Y: gap in the read
    M = [[inf] * (n + 1) for _ in range(m + 1)]
    X = [[inf] * (n + 1) for _ in range(m + 1)]
    Y = [[inf] * (n + 1) for _ in range(m + 1)]
    for j in range(n + 1):
        M[0][j] = 0
    for i in range(1, m + 1):
        X[i][0] = gopen + gext * i
        Mi, Xi, Yi, Mp, Xp, Yp = M[i], X[i], Y[i], M[i - 1], X[i - 1], Y[i - 1]
        ri = read[i - 1]
        for j in range(1, n + 1):
            d = min(Mp[j - 1], Xp[j - 1], Yp[j - 1])
            Mi[j] = d + (0 if ri == window[j - 1] else mis)
            Xi[j] = min(Mp[j] + gopen + gext, Xp[j] + gext, Yp[j] + gopen + gext)
            Yi[j] = min(Mi[j - 1] + gopen + gext, Yi[j - 1] + gext, Xi[j - 1] + gopen + gext)
    j = min(range(n + 1), key=lambda x: min(M[m][x], X[m][x]))
    state = 0 if M[m][j] <= X[m][j] else 1
    if min(M[m][j], X[m][j]) > 40:
        return None
    i, events = m, []
    mats = (M, X, Y)
    while i > 0:
        if state == 0:
            events.append(("base", lo + j - 1, read[i - 1]))
            prev_cost = M[i][j] - (0 if read[i - 1] == window[j - 1] else mis)
            i, j = i - 1, j - 1
            state = next(s for s in (0, 1, 2) if mats[s][i][j] == prev_cost) if i > 0 else 0
        elif state == 1:
            events.append(("ins", lo + j, read[i - 1]))
            cost = X[i][j]
            i -= 1
            state = 1 if X[i][j] + gext == cost else (0 if M[i][j] + gopen + gext == cost else 2)
        else:
            events.append(("del", lo + j - 1, window[j - 1]))
            cost = Y[i][j]
            j -= 1
            state = 2 if Y[i][j] + gext == cost else (0 if M[i][j] + gopen + gext == cost else 1)
    events.reverse()
    return events


def main() -> None:
    name, ref = fasta("reference.fasta")[0]
    index: dict[str, list[int]] = defaultdict(list)
    for p in range(len(ref) - K + 1):
        index[ref[p : p + K]].append(p)
    depth = [0] * len(ref)
    bases: list[Counter[str]] = [Counter() for _ in ref]
    indels: Counter[tuple[str, int, str]] = Counter()
    for _, read in fasta("reads.fasta"):
        best = None
        for seq in (read, read.translate(COMP)[::-1]):
            votes: Counter[int] = Counter()
            for off in range(0, len(seq) - K + 1, 10):
                hits = index.get(seq[off : off + K], [])
                if len(hits) == 1:
                    votes[hits[0] - off] += 1
            if votes:
                diag, count = votes.most_common(1)[0]
                if best is None or count > best[0]:
                    best = (count, diag, seq)
        if best is None:
            continue
        _, diag, seq = best
        if 0 <= diag <= len(ref) - len(seq):
            mism = sum(1 for a, b in zip(seq, ref[diag:]) if a != b)
            if mism <= 4:
                for k, b in enumerate(seq):
                    depth[diag + k] += 1
                    bases[diag + k][b] += 1
                continue
        events = align(seq, ref, max(0, diag - 12))
        if events is None:
            continue
        pending: tuple[str, int, str] | None = None
        for kind, pos, b in events + [("end", -1, "")]:
            if pending and (kind != pending[0] or (kind == "del" and pos != pending[1] + len(pending[2]))):
                indels[pending] += 1
                pending = None
            if kind == "base":
                depth[pos] += 1
                bases[pos][b] += 1
            elif kind == "ins":
                pending = ("ins", pos, pending[2] + b) if pending else ("ins", pos, b)
            elif kind == "del":
                depth[pos] += 1
                pending = ("del", pending[1], pending[2] + b) if pending else ("del", pos, b)
    out = []
    for p, counter in enumerate(bases):
        if depth[p] >= 5 and counter:
            b, c = counter.most_common(1)[0]
            if b != ref[p] and c > 0.5 * depth[p]:
                out.append((p + 1, ref[p], b))
    for (kind, p, text), c in indels.items():
        if c < 4 or c < 0.4 * max(1, depth[max(0, p - 1)]):
            continue
        if kind == "del":
            while p > 1 and ref[p - 1] == ref[p + len(text) - 1]:
                p -= 1
            length = len(text)
            out.append((p, ref[p - 1 : p + length], ref[p - 1]))
        else:
            ins = text
            while p > 1 and ref[p - 1] == ins[-1]:
                ins = ins[-1] + ins[:-1]
                p -= 1
            out.append((p, ref[p - 1], ref[p - 1] + ins))
    out = sorted(set(out))
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"{name}\t{p}\t.\t{r}\t{a}\t.\tPASS\t." for p, r, a in out]
    Path("variants.vcf").write_text("\n".join(lines) + "\n")


main()
