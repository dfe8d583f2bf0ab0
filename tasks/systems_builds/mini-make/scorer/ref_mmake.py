#!/usr/bin/env python3
"""mmake: a small make-like build tool (reference solution of the mini-make task)."""

import os
import re
import subprocess
import sys

VAR_RE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


class BuildError(Exception):
    """A Buildfile or graph error: exit status 2."""


class Rule:
    def __init__(self) -> None:
        self.prereqs: list[str] = []
        self.order_only: list[str] = []
        self.recipes: list[list[str]] = []
        self.recipe: list[str] | None = None


class Buildfile:
    def __init__(self, text: str, overrides: dict[str, str]) -> None:
        self.vars: dict[str, str] = dict(overrides)
        self.rules: dict[str, Rule] = {}
        self.patterns: list[tuple[str, list[str], list[str], list[str]]] = []
        self.phony: set[str] = set()
        self.default: str | None = None
        self.overrides = overrides
        self._parse(text)

    def expand(self, text: str) -> str:
        return VAR_RE.sub(lambda m: self.vars.get(m.group(1), ""), text)

    def _parse(self, text: str) -> None:
        current: list[str] | None = None
        for number, raw in enumerate(text.split("\n"), 1):
            if raw.startswith("\t"):
                if current is None:
                    raise BuildError(f"line {number}: recipe line outside a rule")
                current.append(raw[1:])
                continue
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            current = None
            assign = ASSIGN_RE.match(line)
            if assign:
                name = assign.group(1)
                self.vars[name] = self.overrides.get(name, self.expand(assign.group(2).strip()))
                continue
            if ":" not in line:
                raise BuildError(f"line {number}: not a rule or an assignment")
            left, right = line.split(":", 1)
            targets = self.expand(left).split()
            if not targets:
                raise BuildError(f"line {number}: rule without a target")
            right = self.expand(right)
            normal_text, _, order_text = right.partition("|")
            normal, order = normal_text.split(), order_text.split()
            recipe: list[str] = []
            current = recipe
            if targets == [".PHONY"]:
                self.phony.update(normal)
                current = None
                continue
            if any("%" in t for t in targets):
                for target in targets:
                    self.patterns.append((target, normal, order, recipe))
                continue
            for target in targets:
                self._add_rule(target, normal, order, recipe, number)

    def _add_rule(self, target: str, normal: list[str], order: list[str], recipe: list[str], number: int) -> None:
        rule = self.rules.setdefault(target, Rule())
        rule.prereqs += normal
        rule.order_only += order
        rule.recipes.append(recipe)  # filled in as the following recipe lines are read
        if self.default is None:
            self.default = target

    def finish(self) -> None:
        """Settle each explicit rule's recipe once every line has been read."""
        for target, rule in self.rules.items():
            recipes = [r for r in rule.recipes if r]
            if len(recipes) > 1:
                raise BuildError(f"two recipes for '{target}'")
            rule.recipe = recipes[0] if recipes else None


def dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


class Node:
    def __init__(self, name: str, prereqs: list[str], order: list[str], recipe: list[str] | None, stem: str) -> None:
        self.name, self.prereqs, self.order, self.recipe, self.stem = name, prereqs, order, recipe, stem


class Builder:
    def __init__(self, bf: Buildfile, keep_going: bool, dry_run: bool) -> None:
        self.bf, self.keep_going, self.dry_run = bf, keep_going, dry_run
        self.nodes: dict[str, Node | None] = {}
        self.state: dict[str, str] = {}  # "remade", "fresh" or "failed"
        self.failed = False

    def node(self, name: str) -> Node | None:
        """The rule that makes `name` (explicit, or from a pattern), or None for a plain file."""
        if name in self.nodes:
            return self.nodes[name]
        rule = self.bf.rules.get(name)
        result: Node | None = None
        if rule is not None and rule.recipe:
            result = Node(name, dedupe(rule.prereqs), dedupe(rule.order_only), rule.recipe, "")
        else:
            for pattern, normal, order, recipe in self.bf.patterns:
                stem = match(pattern, name)
                if stem is None:
                    continue
                p_normal = [p.replace("%", stem) for p in normal]
                p_order = [p.replace("%", stem) for p in order]
                if all(os.path.exists(p) or p in self.bf.rules for p in p_normal + p_order):
                    extra = rule.prereqs if rule else []
                    extra_order = rule.order_only if rule else []
                    result = Node(name, dedupe(p_normal + extra), dedupe(p_order + extra_order), recipe or None, stem)
                    break
            if result is None and rule is not None:
                result = Node(name, dedupe(rule.prereqs), dedupe(rule.order_only), None, "")
        if result is None and name in self.bf.phony:
            result = Node(name, [], [], None, "")
        self.nodes[name] = result
        return result

    def resolve(self, name: str, stack: list[str], done: set[str], parent: str | None) -> None:
        if name in stack:
            cycle = stack[stack.index(name):] + [name]
            raise BuildError("cycle: " + " -> ".join(cycle))
        if name in done:
            return
        node = self.node(name)
        if node is None:
            if not os.path.exists(name):
                if parent is None:
                    raise BuildError(f"no rule to make '{name}'")
                raise BuildError(f"no rule to make '{name}' needed by '{parent}'")
            done.add(name)
            return
        stack.append(name)
        for dep in node.prereqs + [d for d in node.order if d not in node.prereqs]:
            self.resolve(dep, stack, done, name)
        stack.pop()
        done.add(name)

    def mtime(self, name: str) -> float | None:
        try:
            return os.stat(name).st_mtime_ns
        except OSError:
            return None

    def build(self, name: str) -> str:
        if name in self.state:
            return self.state[name]
        node = self.node(name)
        if node is None:
            self.state[name] = "fresh"
            return "fresh"
        result = "fresh"
        prereq_states = []
        blocked = False
        for dep in node.prereqs + [d for d in node.order if d not in node.prereqs]:
            st = self.build(dep)  # raises Stop on a failure without -k
            blocked = blocked or st == "failed"
            if dep in node.prereqs:
                prereq_states.append((dep, st))
        if blocked:
            self.state[name] = "failed"
            return "failed"
        phony = name in self.bf.phony
        mine = self.mtime(name)
        stale = phony or mine is None
        for dep, st in prereq_states:
            if st == "remade":
                stale = True
            else:
                other = self.mtime(dep)
                if other is not None and mine is not None and other > mine:
                    stale = True
        if stale:
            result = "remade"
            if not self.run_recipe(node, phony):
                result = "failed"
        self.state[name] = result
        if result == "failed" and not self.keep_going:
            raise Stop()
        return result

    def run_recipe(self, node: Node, phony: bool) -> bool:
        for line in node.recipe or []:
            command = self.expand_recipe(line, node)
            silent = False
            stripped = command.lstrip()
            while stripped.startswith("@"):
                silent = True
                stripped = stripped[1:].lstrip()
            if not stripped:
                continue
            if self.dry_run or not silent:
                print(stripped, flush=True)
            if self.dry_run:
                continue
            status = subprocess.run(["/bin/sh", "-c", stripped]).returncode
            if status != 0:
                print(f"mmake: *** [{node.name}] Error {status}", file=sys.stderr, flush=True)
                if not phony and os.path.lexists(node.name) and not os.path.isdir(node.name):
                    os.remove(node.name)
                self.failed = True
                return False
        return True

    def expand_recipe(self, line: str, node: Node) -> str:
        line = self.bf.expand(line)
        auto = {
            "@": node.name,
            "<": node.prereqs[0] if node.prereqs else "",
            "^": " ".join(node.prereqs),
            "*": node.stem,
            "$": "$",
        }
        return re.sub(r"\$([@<^*$])", lambda m: auto[m.group(1)], line)


class Stop(Exception):
    pass


def match(pattern: str, name: str) -> str | None:
    prefix, _, suffix = pattern.partition("%")
    if len(name) > len(prefix) + len(suffix) - 1 and name.startswith(prefix) and name.endswith(suffix):
        stem = name[len(prefix):len(name) - len(suffix)]
        return stem if stem else None
    return None


def main(argv: list[str]) -> int:
    path, keep_going, dry_run = "Buildfile", False, False
    targets: list[str] = []
    overrides: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        if arg == "-f":
            path = next(args, "")
        elif arg == "-k":
            keep_going = True
        elif arg == "-n":
            dry_run = True
        elif ASSIGN_RE.match(arg):
            name, value = arg.split("=", 1)
            overrides[name.strip()] = value
        else:
            targets.append(arg)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        bf = Buildfile(text, overrides)
        bf.finish()
        goals = targets or ([bf.default] if bf.default else [])
        if not goals:
            raise BuildError("no targets")
        builder = Builder(bf, keep_going, dry_run)
        done: set[str] = set()
        for goal in goals:
            builder.resolve(goal, [], done, None)
    except (OSError, BuildError) as exc:
        print(f"mmake: {exc}", file=sys.stderr)
        return 2
    try:
        for goal in goals:
            state = builder.build(goal)
            if state == "fresh":
                print(f"mmake: '{goal}' is up to date.", flush=True)
    except Stop:
        return 1
    return 1 if builder.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
