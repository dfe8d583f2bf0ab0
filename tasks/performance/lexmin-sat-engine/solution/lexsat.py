"""Answers a script of satisfiability queries over one growing CNF formula: for each query the
lexicographically smallest model (x1 x2 ... xn as a bit string, false before true) among those
that satisfy its assumptions, or UNSAT. Same output as the original depth-first search.

A conflict-driven clause-learning solver whose decisions keep the original's order: the
query's assumptions first, then always the smallest unassigned variable, set to false. Every
other assignment on the trail is implied by the clauses (learned clauses are consequences of
the formula alone) and the decisions before it, all on smaller variables, so the model it ends
with is the smallest one: if a smaller model M differed first at x_i, x_i would have been
forced true by assignments M shares. Learned clauses stay valid across queries and after
clauses are added, so they are kept; restarts follow the Luby sequence and the learned-clause
database is halved by LBD at restarts.

Literals are encoded 2*v (x_v) and 2*v+1 (not x_v); val[lit] is 1, -1 or 0.

    python3 lexsat.py script.cnf > answers.txt
"""

import heapq
import sys


def parse(text):
    nvars = 0
    clauses = []
    steps = []
    header = False
    for raw in text.splitlines():
        fields = raw.split()
        if not fields or fields[0] == "c":
            continue
        if fields[0] == "p":
            nvars = int(fields[2])
            header = True
            continue
        if not header:
            raise ValueError("clause before the p line")
        kind = fields[0] if fields[0] in ("q", "a") else None
        lits = [int(f) for f in (fields[1:] if kind else fields)]
        if lits[-1] != 0:
            raise ValueError(f"line does not end with 0: {raw!r}")
        if kind is None:
            if steps:
                raise ValueError("plain clause after the first query; use an a line")
            clauses.append(lits[:-1])
        else:
            steps.append((kind, lits[:-1]))
    return nvars, clauses, steps


def encode(lit):
    return 2 * lit if lit > 0 else -2 * lit + 1


def luby(i):
    size, seq = 1, 0
    while size < i + 1:
        seq += 1
        size = 2 * size + 1
    while size - 1 != i:
        size = (size - 1) >> 1
        seq -= 1
        i = i % size
    return 1 << seq


class Solver:
    def __init__(self, nvars):
        self.n = nvars
        self.val = [0] * (2 * nvars + 2)
        self.level = [0] * (nvars + 1)
        self.reason = [None] * (nvars + 1)
        self.seen = [False] * (nvars + 1)
        self.watches = [[] for _ in range(2 * nvars + 2)]
        self.trail = []
        self.trail_lim = []
        self.qhead = 0
        self.clauses = []
        self.learnts = []
        self.lbd = {}
        self.heap = list(range(1, nvars + 1))
        self.broken = False  # the formula itself is unsatisfiable
        self.max_learnts = 4000
        self.restarts = 0

    # -- the clause database ---------------------------------------------------------------

    def add_clause(self, lits):
        """Adds a clause at decision level 0."""
        if self.broken:
            return
        val = self.val
        clause = []
        for lit in {encode(x) for x in lits}:
            if lit ^ 1 in clause or val[lit] == 1:
                return  # a tautology, or already satisfied for good
            if val[lit] == 0 and lit not in clause:
                clause.append(lit)
        if any((lit ^ 1) in clause for lit in clause):
            return
        if not clause:
            self.broken = True
        elif len(clause) == 1:
            self.assign(clause[0], None)
            if self.propagate() is not None:
                self.broken = True
        else:
            clause.sort()
            self.watches[clause[0] ^ 1].append(clause)
            self.watches[clause[1] ^ 1].append(clause)
            self.clauses.append(clause)

    def reduce(self):
        """Drops the worse half of the learned clauses (highest LBD), keeping those that are
        reasons on the trail, and rebuilds the watch lists."""
        locked = {id(self.reason[lit >> 1]) for lit in self.trail if self.reason[lit >> 1] is not None}
        self.learnts.sort(key=lambda c: self.lbd[id(c)])
        keep = len(self.learnts) // 2
        kept = []
        for i, clause in enumerate(self.learnts):
            if i < keep or id(clause) in locked or self.lbd[id(clause)] <= 2:
                kept.append(clause)
            else:
                del self.lbd[id(clause)]
        self.learnts = kept
        watches = self.watches = [[] for _ in range(2 * self.n + 2)]
        for group in (self.clauses, self.learnts):
            for clause in group:
                watches[clause[0] ^ 1].append(clause)
                watches[clause[1] ^ 1].append(clause)

    # -- the trail -------------------------------------------------------------------------

    def assign(self, lit, reason):
        self.val[lit] = 1
        self.val[lit ^ 1] = -1
        var = lit >> 1
        self.level[var] = len(self.trail_lim)
        self.reason[var] = reason
        self.trail.append(lit)

    def backtrack(self, level):
        if len(self.trail_lim) <= level:
            return
        val, reason, heap, trail = self.val, self.reason, self.heap, self.trail
        start = self.trail_lim[level]
        for i in range(len(trail) - 1, start - 1, -1):
            lit = trail[i]
            val[lit] = 0
            val[lit ^ 1] = 0
            reason[lit >> 1] = None
            heapq.heappush(heap, lit >> 1)
        del trail[start:]
        del self.trail_lim[level:]
        self.qhead = start

    def propagate(self):
        """Unit propagation with two watched literals; the conflicting clause or None."""
        val, watches, trail, level, reason = self.val, self.watches, self.trail, self.level, self.reason
        depth = len(self.trail_lim)
        qhead = self.qhead
        while qhead < len(trail):
            p = trail[qhead]
            qhead += 1
            false_lit = p ^ 1
            ws = watches[p]
            i = j = 0
            end = len(ws)
            while i < end:
                clause = ws[i]
                i += 1
                first = clause[0]
                if first == false_lit:
                    first = clause[0] = clause[1]
                    clause[1] = false_lit
                if val[first] == 1:
                    ws[j] = clause
                    j += 1
                    continue
                for k in range(2, len(clause)):
                    lit = clause[k]
                    if val[lit] != -1:
                        clause[1] = lit
                        clause[k] = false_lit
                        watches[lit ^ 1].append(clause)
                        break
                else:
                    ws[j] = clause
                    j += 1
                    if val[first] == -1:
                        ws[j:] = ws[i:end]
                        self.qhead = len(trail)
                        return clause
                    val[first] = 1
                    val[first ^ 1] = -1
                    var = first >> 1
                    level[var] = depth
                    reason[var] = clause
                    trail.append(first)
            del ws[j:]
        self.qhead = qhead
        return None

    def analyze(self, conflict):
        """First-UIP learning: (learned clause with the asserting literal first and the
        literal of the backjump level second, backjump level)."""
        seen, level, reason, trail = self.seen, self.level, self.reason, self.trail
        depth = len(self.trail_lim)
        learnt = [0]
        pending = 0
        index = len(trail) - 1
        clause = conflict
        start = 0
        while True:
            for k in range(start, len(clause)):
                lit = clause[k]
                var = lit >> 1
                if not seen[var] and level[var] > 0:
                    seen[var] = True
                    if level[var] >= depth:
                        pending += 1
                    else:
                        learnt.append(lit)
            while not seen[trail[index] >> 1]:
                index -= 1
            p = trail[index]
            index -= 1
            var = p >> 1
            clause = reason[var]
            seen[var] = False
            pending -= 1
            if pending == 0:
                break
            start = 1
        learnt[0] = p ^ 1
        for lit in learnt:
            seen[lit >> 1] = False
        if len(learnt) == 1:
            return learnt, 0
        best = 1
        for k in range(2, len(learnt)):
            if level[learnt[k] >> 1] > level[learnt[best] >> 1]:
                best = k
        learnt[1], learnt[best] = learnt[best], learnt[1]
        return learnt, level[learnt[1] >> 1]

    # -- a query ---------------------------------------------------------------------------

    def solve(self, assumptions):
        if self.broken:
            return None
        self.backtrack(0)
        if self.propagate() is not None:
            self.broken = True
            return None
        assumed = [encode(x) for x in assumptions]
        val, heap = self.val, self.heap
        conflicts = 0
        budget = 256 * luby(self.restarts)
        while True:
            conflict = self.propagate()
            if conflict is not None:
                if not self.trail_lim:
                    self.broken = True
                    return None
                conflicts += 1
                learnt, back = self.analyze(conflict)
                self.backtrack(back)
                if len(learnt) == 1:
                    self.assign(learnt[0], None)
                else:
                    levels = {self.level[lit >> 1] for lit in learnt}
                    self.lbd[id(learnt)] = len(levels)
                    self.watches[learnt[0] ^ 1].append(learnt)
                    self.watches[learnt[1] ^ 1].append(learnt)
                    self.learnts.append(learnt)
                    self.assign(learnt[0], learnt)
                continue
            if conflicts >= budget:
                conflicts = 0
                self.restarts += 1
                budget = 256 * luby(self.restarts)
                self.backtrack(0)
                if len(self.learnts) > self.max_learnts:
                    self.reduce()
                    self.max_learnts += self.max_learnts // 10
                continue
            depth = len(self.trail_lim)
            if depth < len(assumed):
                p = assumed[depth]
                self.trail_lim.append(len(self.trail))
                if val[p] == 1:
                    continue
                if val[p] == -1:
                    self.backtrack(0)
                    return None
                self.assign(p, None)
                continue
            while heap and val[2 * heap[0]] != 0:
                heapq.heappop(heap)
            if not heap:
                model = [v for v in range(1, self.n + 1) if val[2 * v] == 1]
                self.backtrack(0)
                return model
            var = heapq.heappop(heap)
            self.trail_lim.append(len(self.trail))
            self.assign(2 * var + 1, None)


def run(text):
    nvars, clauses, steps = parse(text)
    solver = Solver(nvars)
    for clause in clauses:
        solver.add_clause(clause)
    out = []
    for kind, lits in steps:
        if kind == "a":
            solver.backtrack(0)
            solver.add_clause(lits)
            continue
        model = solver.solve(lits)
        out.append("UNSAT" if model is None else " ".join(["SAT"] + [str(v) for v in model]))
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print("\n".join(run(handle.read())))
