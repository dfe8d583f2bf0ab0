"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes genomes.fasta and clades.txt (environment) and truth_tree.nwk, truth_recombinants.tsv,
truth_ancestors.fasta and calibration.json (scorer).

Evolution: a root genome of 10 kb evolves down a random tree of 34 ingroup taxa plus one distant
outgroup (OUT). Branch lengths come from a coalescent-like process (every internal branch at
least 0.0025 substitutions per site) times a per-branch rate factor, so the tree is not
ultrametric. Substitutions follow an HKY-like process (transitions 4x as likely as
transversions, AT-rich equilibrium) with gamma-distributed rates across sites (shape 0.5);
short insertions and deletions (geometric lengths, mean about 2.5 bp) happen along branches.
Every base carries a column id (a tuple: root columns (i,), inserted bases sorted right after
the column they follow), which gives the true alignment for free.

Recombinants: six more taxa are mosaics. Each takes the genome of one node of the tree (donor A)
and replaces one stretch of columns (or the tail from a point on) by the same columns of a
distant node (donor B), then evolves along a short tip branch of its own. Their breakpoints are
written as 1-based positions in the recombinant's own (unaligned) genome: the first base that
comes from the other donor.

Ancestors: the sequences of three internal nodes (the ingroup's root, i.e. the common ancestor of
every genome but OUT, and two clades, each named in clades.txt by two members whose most recent
common ancestor it is) are the truth for the ancestral part. calibration.json holds, for
each, the identity reached by Fitch parsimony on the true alignment and the true tree (the
target that earns full credit, less a margin) and the best identity of any single descendant
genome (earns nothing).
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 1_618_033
ROOT_LEN = 10_000
N_IN = 34
N_REC = 6
KAPPA = 4.0
FREQ = {"A": 0.3, "C": 0.2, "G": 0.2, "T": 0.3}
TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
INDEL_RATE = 0.03  # events per site per unit branch length (insertions and deletions together)


class Node:
    def __init__(self, name: str = "") -> None:
        self.name = name
        self.children: list["Node"] = []
        self.length = 0.0
        self.height = 0.0
        self.seq: list[tuple[tuple, str]] = []  # (column id, base)

    def leaves(self) -> list["Node"]:
        return [self] if not self.children else [x for c in self.children for x in c.leaves()]

    def nodes(self) -> list["Node"]:
        return [self] + [x for c in self.children for x in c.nodes()]


def newick(node: Node) -> str:
    if not node.children:
        return f"{node.name}:{node.length:.5f}"
    return "(" + ",".join(newick(c) for c in node.children) + f"):{node.length:.5f}"


def base(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for b, f in FREQ.items():
        acc += f
        if x < acc:
            return b
    return "T"


def substitute(rng: random.Random, b: str) -> str:
    # transitions KAPPA times as likely as either transversion, weighted by the target's frequency
    options = [(c, FREQ[c] * (KAPPA if TRANSITION[b] == c else 1.0)) for c in "ACGT" if c != b]
    x = rng.random() * sum(w for _, w in options)
    for c, w in options:
        x -= w
        if x <= 0:
            return c
    return options[-1][0]


def evolve(rng, parent, length, rates, counter):
    seq = list(parent)
    for i, (col, b) in enumerate(seq):
        rt = rates[col] * length
        if rng.random() < 1 - math.exp(-rt):
            b = substitute(rng, b)
            for _ in range(4):  # a few more hits on fast sites and long branches
                if rng.random() >= min(0.6, rt / 3):
                    break
                b = substitute(rng, b)
            seq[i] = (col, b)
    events = 0
    expected = INDEL_RATE * length * len(seq)
    while True:  # Poisson number of indel events
        expected -= rng.expovariate(1.0)
        if expected < 0:
            break
        events += 1
    for _ in range(events):
        size = 1
        while rng.random() < 0.6 and size < 12:
            size += 1
        at = rng.randrange(1, len(seq) - size - 1)
        if rng.random() < 0.5:
            del seq[at : at + size]
        else:
            counter[0] += 1
            prev = seq[at - 1][0]
            new = [(prev + (counter[0], k), base(rng)) for k in range(size)]
            for col, _ in new:
                rates[col] = rng.gammavariate(0.5, 2.0)
            seq[at:at] = new
    return seq


def make_tree(rng: random.Random, names: list[str]) -> Node:
    pool = [Node(n) for n in names]
    height = 0.0
    while len(pool) > 1:
        k = len(pool)
        height += 0.0025 + rng.expovariate(k * (k - 1) / 2 / 0.03)
        a, b = rng.sample(pool, 2)
        parent = Node()
        parent.height = height
        for child in (a, b):
            child.length = (height - child.height) * math.exp(rng.gauss(0, 0.3))
            parent.children.append(child)
        pool = [p for p in pool if p is not a and p is not b] + [parent]
    return pool[0]


def splits_of(node: Node, keep: set[str]) -> list[frozenset]:
    out = []
    for n in node.nodes():
        if n.children:
            out.append(frozenset(x.name for x in n.leaves()) & keep)
    return out


def fitch(root: Node, columns: list[tuple], leaf_seq: dict[str, dict]) -> dict[int, list[str]]:
    """Fitch parsimony per column (gap as a fifth state); returns id(node) -> reconstructed states."""
    sets: dict[int, list[set]] = {}

    def up(n: Node) -> list[set]:
        if not n.children:
            s = [{leaf_seq[n.name].get(c, "-")} for c in columns]
        else:
            kids = [up(c) for c in n.children]
            s = []
            for i in range(len(columns)):
                inter = set.intersection(*(k[i] for k in kids))
                s.append(inter if inter else set.union(*(k[i] for k in kids)))
        sets[id(n)] = s
        return s

    up(root)
    states: dict[int, list[str]] = {}

    def down(n: Node, parent: list[str] | None) -> None:
        s = sets[id(n)]
        if parent is None:
            st = [min(x) for x in s]
        else:
            st = [p if p in x else min(x) for p, x in zip(parent, s)]
        states[id(n)] = st
        for c in n.children:
            down(c, st)

    down(root, None)
    return states


def identity(a: dict, b: dict, columns: list[tuple], true_len: int) -> float:
    diff = sum(1 for c in columns if a.get(c, "-") != b.get(c, "-"))
    return 1 - diff / true_len


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    labels = rng.sample(range(100, 1000), N_IN + N_REC)
    names = [f"iso{x}" for x in labels[:N_IN]]
    rec_names = [f"iso{x}" for x in labels[N_IN:]]
    ingroup = make_tree(rng, names)
    ingroup.length = 0.02
    out_leaf = Node("OUT")
    out_leaf.length = 0.22
    root = Node()
    root.children = [ingroup, out_leaf]
    rates: dict[tuple, float] = {}
    root.seq = []
    for i in range(ROOT_LEN):
        rates[(i,)] = rng.gammavariate(0.5, 2.0)
        root.seq.append(((i,), base(rng)))
    counter = [0]

    def grow(n: Node) -> None:
        for c in n.children:
            c.seq = evolve(rng, n.seq, c.length, rates, counter)
            grow(c)

    grow(root)
    # path lengths between nodes, for choosing distant donors
    parent_of: dict[int, Node] = {}
    for n in root.nodes():
        for c in n.children:
            parent_of[id(c)] = n

    def depth(n: Node) -> float:
        d = 0.0
        while id(n) in parent_of:
            d += n.length
            n = parent_of[id(n)]
        return d

    def ancestors(n: Node) -> list[int]:
        out = [id(n)]
        while id(n) in parent_of:
            n = parent_of[id(n)]
            out.append(id(n))
        return out

    by_id = {id(n): n for n in root.nodes()}

    def distance(a: Node, b: Node) -> float:
        aa = ancestors(a)
        common = next(x for x in ancestors(b) if x in aa)
        return depth(a) + depth(b) - 2 * depth(by_id[common])

    donors = [n for n in ingroup.nodes() if n is not ingroup]
    recombinants = []
    all_cols = sorted(rates)
    for k, rname in enumerate(rec_names):
        while True:
            a, b = rng.sample(donors, 2)
            if distance(a, b) >= 0.08 and len(a.leaves()) <= 12 and len(b.leaves()) <= 12:
                break
        i = rng.randrange(len(all_cols) // 8, len(all_cols) * 5 // 8)
        if k % 2 == 0:  # an inserted stretch: two breakpoints
            j = min(len(all_cols) - len(all_cols) // 10, i + rng.randrange(len(all_cols) // 8, len(all_cols) // 3))
        else:  # a tail swap: one breakpoint
            j = None
        lo = all_cols[i]
        hi = all_cols[j] if j is not None else None

        def from_b(col: tuple) -> bool:
            return col >= lo and (hi is None or col < hi)

        mosaic = sorted([t for t in a.seq if not from_b(t[0])] + [t for t in b.seq if from_b(t[0])])
        leaf = Node(rname)
        leaf.length = 0.004
        leaf.seq = evolve(rng, mosaic, leaf.length, rates, counter)
        flags = [from_b(col) for col, _ in leaf.seq]
        bps = [p + 1 for p in range(1, len(flags)) if flags[p] != flags[p - 1]]
        recombinants.append((leaf, bps))
    all_leaves = root.leaves() + [r for r, _ in recombinants]
    order = sorted(all_leaves, key=lambda n: n.name)
    rng.shuffle(order)
    lines = []
    for n in order:
        s = "".join(b for _, b in n.seq)
        lines.append(f">{n.name}")
        lines += [s[i : i + 80] for i in range(0, len(s), 80)]
    out = Path(outdir)
    (out / "genomes.fasta").write_text("\n".join(lines) + "\n")
    # ancestral targets: the ingroup root and two clades of 5-12 taxa at different depths
    clades = sorted(
        (n for n in ingroup.nodes() if n.children and 5 <= len(n.leaves()) <= 12),
        key=lambda n: -len(n.leaves()),
    )
    first = clades[0]
    second = next(n for n in clades if not (set(map(id, n.leaves())) & set(map(id, first.leaves()))))
    targets = [("anc_ingroup", ingroup), ("anc_clade1", first), ("anc_clade2", second)]
    clade_lines = ["anc_ingroup\tALL_BUT_OUT"]
    for name, node in targets[1:]:  # one member from each side of the clade's first split
        pair = sorted(min(x.name for x in c.leaves()) for c in node.children)
        clade_lines.append(f"{name}\t" + ",".join(pair))
    (out / "clades.txt").write_text("\n".join(clade_lines) + "\n")
    (out / "truth_tree.nwk").write_text(newick(root) + ";\n")
    (out / "truth_recombinants.tsv").write_text(
        "".join(f"{r.name}\t{','.join(map(str, bps))}\n" for r, bps in sorted(recombinants, key=lambda x: x[0].name))
    )
    anc_lines = []
    for name, node in targets:
        s = "".join(b for _, b in node.seq)
        anc_lines.append(f">{name}")
        anc_lines += [s[i : i + 80] for i in range(0, len(s), 80)]
    (out / "truth_ancestors.fasta").write_text("\n".join(anc_lines) + "\n")
    # calibration: Fitch on the true alignment and tree, and the best single descendant
    leaf_seq = {n.name: dict(n.seq) for n in root.leaves()}
    states = fitch(root, all_cols, leaf_seq)
    calib = {}
    for name, node in targets:
        truth = dict(node.seq)
        recon = {c: s for c, s in zip(all_cols, states[id(node)]) if s != "-"}
        fit = identity(recon, truth, all_cols, len(node.seq))
        best_leaf = max(identity(leaf_seq[x.name], truth, all_cols, len(node.seq)) for x in node.leaves())
        calib[name] = {"fitch": round(fit, 5), "best_leaf": round(best_leaf, 5)}
    (out / "calibration.json").write_text(json.dumps(calib, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
