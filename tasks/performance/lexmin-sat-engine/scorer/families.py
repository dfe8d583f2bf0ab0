"""Seeded query scripts for lexmin-sat-engine, one generator per benchmark family.

Each returns the text of a script: a p line, the clauses, then q lines (solve under these
assumptions) and a lines (add this clause for good). Variables are numbered so that the
interesting choices come early in the order the answer is minimised over.
"""

import random


def _script(nvars, clauses, steps, title):
    lines = [f"c {title}", f"p cnf {nvars} {len(clauses)}"]
    lines += [" ".join(map(str, c)) + " 0" for c in clauses]
    for kind, lits in steps:
        lines.append(kind + " " + " ".join(map(str, lits)) + (" 0" if lits else "0"))
    return "\n".join(lines) + "\n"


def _queries(rng, nvars, count, width, adds=0, spread=None):
    steps = []
    for i in range(count):
        pool = range(1, (spread or nvars) + 1)
        steps.append(("q", [v if rng.random() < 0.5 else -v for v in rng.sample(pool, width)] if i else []))
        if adds and i % 2 == 1:
            for _ in range(adds):
                steps.append(("a", [v if rng.random() < 0.5 else -v for v in rng.sample(pool, 3)]))
    return steps


def random_3sat(seed, nvars=90, ratio=4.2, queries=6):
    """Random 3-SAT near the threshold: a mix of satisfiable and unsatisfiable queries."""
    rng = random.Random(seed)
    clauses = [[v if rng.random() < 0.5 else -v for v in rng.sample(range(1, nvars + 1), 3)] for _ in range(int(ratio * nvars))]
    return _script(nvars, clauses, _queries(rng, nvars, queries, 3, adds=2), f"random 3-SAT n={nvars} ratio={ratio}")


def sparse_3sat(seed, nvars=200, ratio=3.2, queries=6):
    """Under-constrained random 3-SAT: always satisfiable, but the smallest model needs search."""
    rng = random.Random(seed)
    clauses = [[v if rng.random() < 0.5 else -v for v in rng.sample(range(1, nvars + 1), 3)] for _ in range(int(ratio * nvars))]
    return _script(nvars, clauses, _queries(rng, nvars, queries, 4, adds=3), f"sparse 3-SAT n={nvars} ratio={ratio}")


def coloring(seed, vertices=120, colors=3, degree=4.6, queries=5):
    """Graph colouring of a graph with a planted colouring; variable (v, c) = v * colors + c + 1."""
    rng = random.Random(seed)
    planted = [rng.randrange(colors) for _ in range(vertices)]
    edges = set()
    while len(edges) < int(degree * vertices / 2):
        a, b = rng.sample(range(vertices), 2)
        if planted[a] != planted[b]:
            edges.add((min(a, b), max(a, b)))
    var = lambda v, c: v * colors + c + 1  # noqa: E731
    clauses = [[var(v, c) for c in range(colors)] for v in range(vertices)]
    for v in range(vertices):
        for c in range(colors):
            for d in range(c + 1, colors):
                clauses.append([-var(v, c), -var(v, d)])
    for a, b in sorted(edges):
        for c in range(colors):
            clauses.append([-var(a, c), -var(b, c)])
    steps = []
    for i in range(queries):
        picks = rng.sample(range(vertices), 2)
        steps.append(("q", [var(v, rng.randrange(colors)) for v in picks] if i else []))
    return _script(vertices * colors, clauses, steps, f"colouring V={vertices} k={colors}")


def pigeons(seed, holes=7, queries=3):
    """Pigeonhole-style: holes+1 pigeons do not fit, holes do; queries drop the extra pigeon."""
    rng = random.Random(seed)
    pigeons_n = holes + 1
    order = list(range(pigeons_n))
    rng.shuffle(order)
    var = lambda p, h: order[p] * holes + h + 1  # noqa: E731
    clauses = []
    selector = pigeons_n * holes + 1  # selector true: the last pigeon must be placed
    for p in range(pigeons_n):
        row = [var(p, h) for h in range(holes)]
        clauses.append(row + ([-selector] if p == pigeons_n - 1 else []))
    for h in range(holes):
        for p in range(pigeons_n):
            for q in range(p + 1, pigeons_n):
                clauses.append([-var(p, h), -var(q, h)])
    steps = [("q", [selector]), ("q", []), ("q", [-selector, var(0, holes - 1)])][:queries]
    return _script(selector, clauses, steps, f"pigeons holes={holes}")


def chains(seed, nvars=12000, queries=4):
    """A long, mostly binary formula: implication chains with a few ternary joins; easy for
    propagation, a trap for anything that rescans the formula."""
    rng = random.Random(seed)
    clauses = []
    for v in range(1, nvars):
        if rng.random() < 0.85:
            clauses.append([-v, v + 1] if rng.random() < 0.5 else [v, -(v + 1)])
    for _ in range(nvars // 6):
        a, b, c = sorted(rng.sample(range(1, nvars + 1), 3))
        clauses.append([a, b if rng.random() < 0.5 else -b, c])
    for _ in range(nvars // 40):
        a = rng.randrange(1, nvars + 1)
        clauses.append([a])
    return _script(nvars, clauses, _queries(rng, nvars, queries, 2, spread=nvars // 10), f"chains n={nvars}")


def latin(seed, order=9, given=22, queries=4):
    """Latin square completion: variable (r, c, s) = (r * order + c) * order + s + 1."""
    rng = random.Random(seed)
    base = [[(r + c) % order for c in range(order)] for r in range(order)]
    rows, cols, syms = list(range(order)), list(range(order)), list(range(order))
    rng.shuffle(rows)
    rng.shuffle(cols)
    rng.shuffle(syms)
    square = [[syms[base[rows[r]][cols[c]]] for c in range(order)] for r in range(order)]
    var = lambda r, c, s: (r * order + c) * order + s + 1  # noqa: E731
    clauses = []
    for r in range(order):
        for c in range(order):
            clauses.append([var(r, c, s) for s in range(order)])
            for s in range(order):
                for t in range(s + 1, order):
                    clauses.append([-var(r, c, s), -var(r, c, t)])
    for s in range(order):
        for r in range(order):
            clauses.append([var(r, c, s) for c in range(order)])
            for c in range(order):
                for d in range(c + 1, order):
                    clauses.append([-var(r, c, s), -var(r, d, s)])
        for c in range(order):
            clauses.append([var(r, c, s) for r in range(order)])
            for r in range(order):
                for q in range(r + 1, order):
                    clauses.append([-var(r, c, s), -var(q, c, s)])
    cells = rng.sample([(r, c) for r in range(order) for c in range(order)], given)
    for r, c in cells:
        clauses.append([var(r, c, square[r][c])])
    steps = []
    for i in range(queries):
        r, c = rng.randrange(order), rng.randrange(order)
        steps.append(("q", [var(r, c, rng.randrange(order))] if i else []))
    return _script(order ** 3, clauses, steps, f"latin order={order} given={given}")


def cardinality(seed, items=60, pick=14, conflicts=150, queries=5):
    """Choose exactly `pick` of `items` with no two in conflict; "at most" and "at least" by
    sequential counters whose auxiliary variables come after the items."""
    rng = random.Random(seed)
    clauses = []
    pairs = set()
    while len(pairs) < conflicts:
        a, b = sorted(rng.sample(range(1, items + 1), 2))
        pairs.add((a, b))
    clauses += [[-a, -b] for a, b in sorted(pairs)]
    nvars = items

    def counter(lits, k):
        """Sequential counter: at most k of lits are true."""
        nonlocal nvars
        s = [[0] * (k + 1) for _ in lits]
        for i in range(len(lits)):
            for j in range(1, k + 1):
                nvars += 1
                s[i][j] = nvars
        for i, x in enumerate(lits):
            clauses.append([-x, s[i][1]])
            if i > 0:
                for j in range(1, k + 1):
                    clauses.append([-s[i - 1][j], s[i][j]])
                for j in range(2, k + 1):
                    clauses.append([-x, -s[i - 1][j - 1], s[i][j]])
                clauses.append([-x, -s[i - 1][k]])

    items_lits = list(range(1, items + 1))
    counter(items_lits, pick)
    counter([-x for x in items_lits], items - pick)
    steps = []
    for i in range(queries):
        steps.append(("q", [rng.choice([1, -1]) * rng.randrange(1, items + 1) for _ in range(2)] if i else []))
    return _script(nvars, clauses, steps, f"exactly {pick} of {items} with {conflicts} conflicts")


def incremental(seed, nvars=100, ratio=3.6, rounds=14):
    """One random formula, then many rounds of new clauses and queries: learned clauses pay."""
    rng = random.Random(seed)
    clauses = [[v if rng.random() < 0.5 else -v for v in rng.sample(range(1, nvars + 1), 3)] for _ in range(int(ratio * nvars))]
    steps = []
    for _ in range(rounds):
        for _ in range(3):
            steps.append(("a", [v if rng.random() < 0.5 else -v for v in rng.sample(range(1, nvars + 1), 3)]))
        steps.append(("q", [v if rng.random() < 0.5 else -v for v in rng.sample(range(1, nvars + 1), 2)]))
    return _script(nvars, clauses, steps, f"incremental n={nvars} rounds={rounds}")


FAMILIES = {
    "random": random_3sat,
    "sparse": sparse_3sat,
    "coloring": coloring,
    "pigeons": pigeons,
    "chains": chains,
    "latin": latin,
    "cardinality": cardinality,
    "incremental": incremental,
}
