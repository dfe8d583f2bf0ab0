"""Answers a script of satisfiability queries over one growing CNF formula.

run(text) takes a script (see the instructions) and returns one output line per query:
"UNSAT", or "SAT" followed by the variables that are true in the lexicographically smallest
model, where a model is read as the bit string x1 x2 ... xn (false before true), among the
models that satisfy the query's assumptions.

    python3 lexsat.py script.cnf > answers.txt

The search below (a depth-first search over x1, x2, ... trying false before true, with unit
propagation by rescanning the formula) returns exactly that model.
"""

import sys


def parse(text):
    """(number of variables, clauses, steps): steps are ("q", assumptions) and ("a", clause)."""
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
        if fields[0] in ("q", "a"):
            lits = [int(f) for f in fields[1:]]
            if lits[-1] != 0:
                raise ValueError(f"line does not end with 0: {raw!r}")
            if fields[0] == "q":
                steps.append(("q", lits[:-1]))
            else:
                steps.append(("a", lits[:-1]))
            continue
        lits = [int(f) for f in fields]
        if lits[-1] != 0:
            raise ValueError(f"line does not end with 0: {raw!r}")
        if steps:
            raise ValueError("plain clause after the first query; use an a line")
        clauses.append(lits[:-1])
    return nvars, clauses, steps


def value_of(assignment, lit):
    value = assignment[abs(lit)]
    if value is None:
        return None
    return value if lit > 0 else not value


def propagate(clauses, assignment, trail):
    """Assign every literal forced by a clause with one unassigned literal and no true one,
    until nothing changes; False on a clause whose literals are all false."""
    changed = True
    while changed:
        changed = False
        for clause in clauses:
            unassigned = []
            satisfied = False
            for lit in clause:
                value = value_of(assignment, lit)
                if value is True:
                    satisfied = True
                    break
                if value is None:
                    unassigned.append(lit)
            if satisfied:
                continue
            if not unassigned:
                return False
            if len(unassigned) == 1:
                lit = unassigned[0]
                assignment[abs(lit)] = lit > 0
                trail.append((abs(lit), False))
                changed = True
    return True


def solve(nvars, clauses, assumptions):
    """The smallest model (as a list of values, index 0 unused) that satisfies the
    assumptions, or None."""
    assignment = [None] * (nvars + 1)
    for lit in assumptions:
        if value_of(assignment, lit) is False:
            return None
        assignment[abs(lit)] = lit > 0
    trail = []  # (variable, decided here with value False and not yet flipped)
    while True:
        if propagate(clauses, assignment, trail):
            var = 1
            while var <= nvars and assignment[var] is not None:
                var += 1
            if var > nvars:
                return assignment
            assignment[var] = False
            trail.append((var, True))
            continue
        # a conflict: undo to the last decision still at False and try True
        while trail:
            var, open_decision = trail.pop()
            assignment[var] = None
            if open_decision:
                assignment[var] = True
                trail.append((var, False))
                break
        else:
            return None


def run(text):
    nvars, clauses, steps = parse(text)
    clauses = [list(c) for c in clauses]
    out = []
    for kind, lits in steps:
        if kind == "a":
            clauses.append(list(lits))
            continue
        model = solve(nvars, clauses, lits)
        if model is None:
            out.append("UNSAT")
        else:
            out.append(" ".join(["SAT"] + [str(v) for v in range(1, nvars + 1) if model[v]]))
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print("\n".join(run(handle.read())))
