#!/bin/bash
# Reference solution: the unsafe function runs execute() without bound parameters on SQL text
# that uses its request argument other than through int().
set -euo pipefail
python3 - <<'PY'
import ast

tree = ast.parse(open("accounts.py").read())
found = []
for fn in tree.body:
    if not isinstance(fn, ast.FunctionDef):
        continue
    arg = fn.args.args[-1].arg
    parents = {child: node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
    unbound = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "execute"
        and len(n.args) == 1
        for n in ast.walk(fn)
    )
    raw_use = any(
        isinstance(n, ast.Name) and n.id == arg
        and not (isinstance(parents[n], ast.Call) and getattr(parents[n].func, "id", "") == "int")
        for n in ast.walk(fn)
    )
    if unbound and raw_use:
        found.append(fn.name)
assert len(found) == 1, found
open("submission.txt", "w").write(found[0] + "\n")
PY
