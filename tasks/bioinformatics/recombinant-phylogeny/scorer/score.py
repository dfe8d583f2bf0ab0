#!/usr/bin/env python3
"""Scorer for recombinant-phylogeny. Three parts, read from the work directory:

- tree.nwk (weight 0.3): the unrooted topology of the non-recombinant genomes and OUT. Leaves
  not in the truth (e.g. recombinants) are pruned; score: the share of the true tree's n - 3
  splits that the submitted tree contains (so a star tree earns 0; a missing genome makes the
  part 0).
- recombinants.tsv (weight 0.3): `NAME<TAB>BP1[,BP2]` lines. Half: F1 of the set of names.
  Half: breakpoints; for each true recombinant that was named, the true breakpoints matched
  one-to-one by submitted ones within 200 bp, divided by the larger of the two counts; averaged
  over the true recombinants.
- ancestors.fasta (weight 0.4): records anc_ingroup, anc_clade1, anc_clade2. Each is compared
  with the true ancestral genome by banded edit distance: identity = 1 - distance / true length.
  Credit is linear from the best identity of any single descendant genome (0) to the identity of
  Fitch parsimony on the true alignment and tree less 0.004 (1), clipped to [0, 1].

A missing file gives 0 for its part. The last line is the weighted sum."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
WEIGHTS = {"tree": 0.3, "recombinants": 0.3, "ancestors": 0.4}
TOLERANCE = 200
MARGIN = 0.004
BAND = 150


def read(name: str) -> str | None:
    path = Path(name)
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8", errors="replace")[:5_000_000]


def fasta(text: str) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    name = None
    for line in text.splitlines():
        if line.startswith(">"):
            name = line[1:].strip().split()[0] if line[1:].strip() else ""
            out[name] = []
        elif name is not None:
            out[name].append(line.strip().upper())
    return {k: "".join(v) for k, v in out.items()}


def parse_newick(text: str) -> list[frozenset[str]]:
    """Leaf sets below every internal node of a Newick tree (lengths, labels, comments ignored)."""
    text = text.strip()
    pos = 0
    clusters: list[frozenset[str]] = []

    def skip_comment() -> None:
        nonlocal pos
        while pos < len(text) and text[pos] == "[":
            end = text.find("]", pos)
            pos = len(text) if end < 0 else end + 1

    def label() -> str:
        nonlocal pos
        skip_comment()
        if pos < len(text) and text[pos] in "'\"":
            q = text[pos]
            end = text.find(q, pos + 1)
            if end < 0:
                raise ValueError("unterminated quote")
            name = text[pos + 1 : end]
            pos = end + 1
        else:
            start = pos
            while pos < len(text) and text[pos] not in "(),:;[":
                pos += 1
            name = text[start:pos].strip()
        skip_comment()
        if pos < len(text) and text[pos] == ":":
            pos += 1
            while pos < len(text) and text[pos] not in "(),;[":
                pos += 1
        skip_comment()
        return name

    def subtree(depth: int) -> frozenset[str]:
        nonlocal pos
        if depth > 500:
            raise ValueError("too deep")
        skip_comment()
        if pos < len(text) and text[pos] == "(":
            pos += 1
            leaves: set[str] = set()
            while True:
                leaves |= subtree(depth + 1)
                skip_comment()
                if pos < len(text) and text[pos] == ",":
                    pos += 1
                    continue
                if pos < len(text) and text[pos] == ")":
                    pos += 1
                    break
                raise ValueError(f"unexpected text at {pos}")
            label()
            cluster = frozenset(leaves)
            clusters.append(cluster)
            return cluster
        name = label()
        if not name:
            raise ValueError(f"empty leaf name at {pos}")
        return frozenset([name])

    subtree(0)
    return clusters


def splits(clusters: list[frozenset[str]], keep: frozenset[str]) -> set[frozenset[str]]:
    anchor = min(keep)
    out = set()
    for c in clusters:
        side = c & keep
        if anchor in side:
            side = keep - side
        if 2 <= len(side) <= len(keep) - 2:
            out.add(side)
    return out


def tree_part(truth_text: str) -> float:
    text = read("tree.nwk")
    if text is None:
        print("tree: tree.nwk is missing")
        return 0.0
    true_clusters = parse_newick(truth_text)
    keep = max(true_clusters, key=len)
    try:
        clusters = parse_newick(text)
    except (ValueError, RecursionError) as exc:
        print(f"tree: cannot parse tree.nwk ({exc})")
        return 0.0
    leaves = max(clusters, key=len) if clusters else frozenset()
    missing = keep - leaves
    if missing:
        print(f"tree: {len(missing)} genomes missing from tree.nwk")
        return 0.0
    true_splits, got_splits = splits(true_clusters, keep), splits(clusters, keep)
    shared = len(true_splits & got_splits)
    score = shared / len(true_splits)
    rf = len(true_splits ^ got_splits)
    print(f"tree: {shared} of {len(true_splits)} true splits found, RF distance {rf} -> {score:.4f}")
    return score


def parse_recombinants(text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if not parts or parts[0].startswith("#"):
            continue
        bps = []
        for tok in (parts[1] if len(parts) > 1 else "").replace(",", " ").split():
            try:
                bps.append(int(float(tok)))
            except ValueError:
                pass
        out[parts[0]] = bps
    return out


def recombinant_part() -> float:
    truth = parse_recombinants((HERE / "truth_recombinants.tsv").read_text())
    text = read("recombinants.tsv")
    if text is None:
        print("recombinants: recombinants.tsv is missing")
        return 0.0
    got = parse_recombinants(text)
    hit = set(truth) & set(got)
    f1 = 0.0 if not hit else 2 * len(hit) / (len(truth) + len(got))
    bp_total = 0.0
    for name in hit:
        want, have = list(truth[name]), list(got[name])
        matched = 0
        for w in want:
            near = [h for h in have if abs(h - w) <= TOLERANCE]
            if near:
                have.remove(min(near, key=lambda h: abs(h - w)))
                matched += 1
        bp_total += matched / max(len(truth[name]), len(got[name]))
    bp = bp_total / len(truth)
    print(f"recombinants: {len(hit)} of {len(truth)} named, {len(got)} submitted, names F1 {f1:.3f}, breakpoints {bp:.3f}")
    return 0.5 * f1 + 0.5 * bp


def banded_distance(a: str, b: str) -> int | None:
    """Edit distance of a and b, within a band of BAND around the scaled diagonal; None if the
    lengths differ too much for the band."""
    n, m = len(a), len(b)
    if abs(n - m) > BAND // 2 or n == 0:
        return None
    big = n + m
    prev_lo = 0
    prev = list(range(0, min(m, BAND) + 1))  # row 0, columns 0..hi
    for i in range(1, n + 1):
        centre = i * m // n
        lo, hi = max(0, centre - BAND), min(m, centre + BAND)
        cur = [big] * (hi - lo + 1)
        ai = a[i - 1]
        for j in range(lo, hi + 1):
            best = big
            pj = j - prev_lo
            if 0 <= pj < len(prev):
                best = prev[pj] + 1
            if j > lo:
                v = cur[j - lo - 1] + 1
                if v < best:
                    best = v
            elif j == 0:
                best = min(best, i)
            if j > 0 and 0 <= pj - 1 < len(prev):
                v = prev[pj - 1] + (ai != b[j - 1])
                if v < best:
                    best = v
            cur[j - lo] = best
        prev, prev_lo = cur, lo
    return prev[m - prev_lo] if 0 <= m - prev_lo < len(prev) else None


def ancestor_part() -> float:
    truth = fasta((HERE / "truth_ancestors.fasta").read_text())
    calib = json.loads((HERE / "calibration.json").read_text())
    text = read("ancestors.fasta")
    if text is None:
        print("ancestors: ancestors.fasta is missing")
        return 0.0
    got = fasta(text)
    total = 0.0
    for name, seq in truth.items():
        mine = "".join(ch for ch in got.get(name, "") if ch in "ACGTN")
        dist = banded_distance(mine, seq) if mine else None
        if dist is None:
            print(f"ancestors: {name} missing or of a very different length")
            continue
        ident = 1 - dist / len(seq)
        low, high = calib[name]["best_leaf"], calib[name]["fitch"] - MARGIN
        credit = min(1.0, max(0.0, (ident - low) / (high - low)))
        print(f"ancestors: {name} identity {ident:.5f} (0 at {low:.5f}, 1 at {high:.5f}) -> {credit:.3f}")
        total += credit
    return total / len(truth)


def main() -> None:
    parts = {
        "tree": tree_part((HERE / "truth_tree.nwk").read_text()),
        "recombinants": recombinant_part(),
        "ancestors": ancestor_part(),
    }
    score = sum(WEIGHTS[k] * v for k, v in parts.items())
    print(round(min(1.0, max(0.0, score)), 4))


main()
