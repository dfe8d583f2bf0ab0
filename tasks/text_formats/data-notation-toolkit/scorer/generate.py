"""Regenerates this task's hidden cases: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes cases.json (scorer): hand-written documents aimed at single rules, seeded random valid
documents written in a deliberately untidy style (odd separators, comments everywhere, block
comments, anchors, aliases and merges), the canonical form of some of them, and seeded random
corruptions of them for the error report. Each document is run through the modes it is meant
for with the reference tool (reference.py, also the solution) to get the expected output.
"""

import io
import json
import random
import sys
from contextlib import redirect_stdout
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference  # noqa: E402

SEED = 90_211

HAND = [
    "",
    "\n\n",
    "# only a comment\n",
    "a: 1\n",
    "a: 1, b: 2\nc: 3,\n",
    "n: null\nt: true\nf: false\n",
    "i: [0, -0, +7, 1_000, 0x1F, -0xff, 0b1010, +0b1_1, 12345678901234567890123]\n",
    "f: [1.5, -0.0, 1e3, 2E-2, +1.25e+2, 0.1, 123456789.125, 1e22, 1e16]\n",
    "bad: [007, 1_, 1__0, 0x, 0xg, 1., .5, a.b, -, 1e, 1e999, 0b2, 1_0.5]\n",
    's: ["a\\"b\\\\c\\/d\\n\\t\\r\\b\\f", "\\u{41}\\u{1F600}\\u{0}\\u{7f}", \'it\'\'s\', \'\']\n',
    's: ["\\q", "\\u{D800}", "\\u{110000}", "\\u{}", "\\u41", "\\x41"]\n',
    's: "unterminated\nnext: 1\n',
    "s: 'open\n",
    "s: \"ends with backslash\\\n",
    "\"quoted key\": 1\n'single key': 2\n\"a\": 3\nnull: 4\ntrue: 5\n\"1x\": 6\n",
    "dup: 1\n\"dup\": 2\n'dup': 3\n",
    "a: /* inline */ 1\n/* multi\nline */ b: 2\nc: /* nested /* deeper */ still */ 3\n",
    "a: 1 /* never closed\nb: 2\n",
    "a: 1 @ 2\nb: ; 3\nc: < 4\nd: / 5\n",
    "a: [1 2 3]\nb: {x: 1 y: 2}\n",
    "a: [, 1]\nb: [1,, 2]\nc: [1,\n,2]\nd: [1,]\ne: [,]\n",
    ", a: 1\n",
    "a: [1, 2\n",
    "a: {x: [1, 2}\n",
    "a: [1, {x: 1]]\n",
    "a: 1]\nb: 2}\n",
    "a: [1}]\n",
    "a 1\nb: 2\n",
    "a: \nb: 2\n",
    "a:\n  1\nb:\n\n  [2]\n",
    ": 1\n[1]: 2\n3: 4\n\"ok\": 5\n",
    "a: word\nb: [x, y]\n",
    "base: &b {x: 1, y: 2}\nuse: *b\nlist: [*b, *b]\n",
    "a: &x 1\nb: &x 2\nc: *x\n",
    "a: *later\nb: &later 1\n",
    "a: &self [1, *self]\n",
    "a: & 1\nb: *\nc: &1x 2\n",
    "a: &x\nb: 2\n",
    "a: &x &y 1\n",
    "base: &b {x: 1, y: 2}\nm: {<<: *b, y: 3, z: 4}\n",
    "b1: &b1 {x: 1}\nb2: &b2 {x: 2, y: 2}\nm: {<<: *b1, <<: *b2}\n",
    "b: &b {x: 1}\nm: {z: 0, <<: *b, x: 9}\n",
    "s: &s 1\nm: {<<: *s}\nl: &l [1]\nn: {<<: *l}\nq: {<<: [1]}\nr: {<<: *missing}\n",
    "b: &b {x: 1}\nc: &c *b\nm: {<<: *c}\n",
    "inner: &i {a: 1}\nouter: &o {<<: *i, b: 2}\nm: {<<: *o, c: 3}\n",
    "<<: 1\n<<\n",
    "a: 1 # trailing\n# own line\nb: 2\n",
    "# leading 1\n#leading 2   \n\n# leading 3\na: 1\n\n\nb: 2\n# dangling\n",
    "a: [ # after bracket\n  1, # after one\n  2 # after two\n  # dangling\n] # after close\n",
    "a: {\n  # lead x\n  x: 1\n\n  y: 2 # trail y\n}\n",
    "a: [1, 2, 3]\nb: [[1], [2]]\nc: {x: {}}\nd: [[], {}]\n",
    "long: [" + ", ".join(str(10000 + k) for k in range(13)) + "]\n",
    "long: [" + ", ".join(str(10000 + k) for k in range(12)) + "]\n",
    "k: &anchor_name {" + ", ".join(f"key{k}: {k}" for k in range(8)) + "}\n",
    "s: \"tab\\there, nl\\n, cr\\r, bell\\u{7}, del\\u{7F}, e\\u{e9}\"\n",
    "x: # comment on key line\n  [1, 2]\n",
    "x: /* c */ # real\n  3\n",
    "a: 1\r\nb: 2\r\n",
    "a:\t1\nb:\t[1,\t2]\n",
    "deep: {a: {b: {c: [1, {d: [2, [3]]}]}}}\n",
    "a: [\n\n  1\n\n\n  2\n\n]\n",
    "empty: [\n  # only comment\n]\nm: {\n}\n",
    "\u00e9t\u00e9: 1\n\"\u00e9t\u00e9\": 2\n",
    "a: 1\n\n# trailing doc comment\n\n\n# another\n",
]

WORDS = ["name", "port", "host", "tags", "x", "y", "limit", "mode", "db", "cache"]
STR = ["a", "hello world", "tab\there", "quote\"in", "back\\slash", "\u00e9", "#not", "", "new\nline",
       "bell\u0007", "emoji \U0001f600"]


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.anchors: list[tuple[str, bool]] = []  # name, is_map
        self.counter = 0

    def comment(self) -> str:
        return "#" + self.rng.choice([" note", "", " x  ", "#", " a: [1]", "\tt"])

    def space(self) -> str:
        r = self.rng.random()
        if r < 0.6:
            return " "
        if r < 0.75:
            return ""
        if r < 0.85:
            return "  "
        if r < 0.92:
            return " /* b */ "
        return "\t"

    def scalar(self) -> str:
        r = self.rng.random()
        if r < 0.15:
            return self.rng.choice(["null", "true", "false"])
        if r < 0.4:
            v = self.rng.randint(-5000, 5000)
            form = self.rng.random()
            if form < 0.2 and v >= 0:
                return hex(v)
            if form < 0.3 and v >= 0:
                return bin(v)
            if form < 0.4 and v >= 1000:
                s = str(v)
                return s[:-3] + "_" + s[-3:]
            if form < 0.5 and v > 0:
                return "+" + str(v)
            return str(v)
        if r < 0.55:
            return self.rng.choice(["1.5", "-0.25", "1e3", "2.5E-3", "0.1", "-0.0", "6.02e23", "1.0"])
        s = self.rng.choice(STR)
        if self.rng.random() < 0.3 and "'" not in s and "\n" not in s:
            return "'" + s + "'"
        out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        out = out.replace("\u0007", "\\u{7}")
        if self.rng.random() < 0.2:
            out = out.replace("a", "\\u{61}")
        return '"' + out + '"'

    def key(self) -> str:
        self.counter += 1
        base = self.rng.choice(WORDS) + str(self.counter)
        r = self.rng.random()
        if r < 0.1:
            return '"' + base + ' k"'
        if r < 0.2:
            return "'" + base + "'"
        return base

    def value(self, depth: int, indent: str) -> tuple[str, bool]:
        """Text of a value and whether it is a map."""
        r = self.rng.random()
        anchor = ""
        if r < 0.12 and self.anchors:
            name, is_map = self.rng.choice(self.anchors)
            return "*" + name, is_map
        if self.rng.random() < 0.15:
            anchor = f"&a{len(self.anchors)}_{self.counter} "
        if depth >= 3 or r < 0.45:
            text, is_map = self.scalar(), False
        elif r < 0.72:
            text, is_map = self.container(depth, indent, "["), False
        else:
            text, is_map = self.container(depth, indent, "{"), True
        if anchor:
            self.anchors.append((anchor[1:-1], is_map))
        return anchor + text, is_map

    def container(self, depth: int, indent: str, kind: str) -> str:
        rng = self.rng
        n = rng.randint(0, 5)
        multiline = rng.random() < 0.5
        inner = indent + "  "
        parts = [kind]
        if multiline and rng.random() < 0.3:
            parts.append(" " + self.comment())
        for k in range(n):
            if multiline:
                parts.append("\n")
                if rng.random() < 0.2:
                    parts.append("\n")
                if rng.random() < 0.25:
                    parts.append(inner + self.comment() + "\n")
                parts.append(inner)
            elif k:
                parts.append(self.space())
            parts.append(self.item(depth + 1, inner, kind == "{"))
            last = k == n - 1
            if not multiline:
                if not last:
                    parts.append(",")
            else:
                if not last or rng.random() < 0.3:
                    parts.append(rng.choice([",", "", ""]))
                if rng.random() < 0.2:
                    parts.append("  " + self.comment())
        if multiline:
            if rng.random() < 0.2:
                parts.append("\n" + inner + self.comment())
            parts.append("\n" + indent)
        closer = "]" if kind == "[" else "}"
        return "".join(parts) + closer

    def item(self, depth: int, indent: str, is_map: bool) -> str:
        if not is_map:
            return self.value(depth, indent)[0]
        maps = [a for a, m in self.anchors if m]
        if maps and self.rng.random() < 0.15:
            return "<<:" + self.space() + "*" + self.rng.choice(maps)
        text, _ = self.value(depth, indent)
        sep = ":" + self.space()
        if self.rng.random() < 0.05:
            sep = ":\n" + indent + "  "
        return self.key() + sep + text

    def document(self) -> str:
        rng = self.rng
        lines = []
        if rng.random() < 0.4:
            lines.append(self.comment())
        for _ in range(rng.randint(1, 7)):
            if rng.random() < 0.25:
                lines.append("")
            if rng.random() < 0.2:
                lines.append(self.comment())
            entry = self.item(0, "", True)
            if rng.random() < 0.25:
                entry += "  " + self.comment()
            if rng.random() < 0.15:
                entry += ", " + self.item(0, "", True)
            lines.append(entry)
        if rng.random() < 0.3:
            lines.append(self.comment())
        return "\n".join(lines) + "\n"


def run(mode: str, doc: str) -> str:
    """The reference tool's output for one mode and document, in this process."""
    saved_argv, saved_stdin = sys.argv, sys.stdin
    sys.argv = ["quill.py", mode]
    sys.stdin = io.TextIOWrapper(io.BytesIO(doc.encode("utf-8")), encoding="utf-8")
    buf = io.StringIO()
    try:
        with redirect_stdout(buf):
            reference.main()
    finally:
        sys.argv, sys.stdin = saved_argv, saved_stdin
    return buf.getvalue()


def corrupt(rng: random.Random, doc: str) -> str:
    for _ in range(rng.randint(1, 3)):
        if not doc:
            break
        pos = rng.randrange(len(doc))
        r = rng.random()
        if r < 0.35:
            doc = doc[:pos] + doc[pos + 1 :]
        elif r < 0.75:
            doc = doc[:pos] + rng.choice(list(",:[]{}\"'&*@x1 \n#<")) + doc[pos:]
        else:
            doc = doc[:pos] + rng.choice(["foo", "0x", ",,", "&a1_1 ", "*zz", "\\q", "/*"]) + doc[pos:]
    return doc


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for i, doc in enumerate(HAND):
        for mode in ("check", "json", "fmt"):
            cases.append({"name": f"hand_{i:02d}_{mode}", "args": [mode], "stdin": doc,
                          "expect": run(mode, doc)})
    valid = []
    while len(valid) < 90:
        doc = Gen(rng).document()
        if run("check", doc) == "ok\n":
            valid.append(doc)
    for i, doc in enumerate(valid):
        for mode in ("json", "fmt"):
            cases.append({"name": f"random_{i:02d}_{mode}", "args": [mode], "stdin": doc,
                          "expect": run(mode, doc)})
        if i % 3 == 0:
            canon = run("fmt", doc)
            cases.append({"name": f"random_{i:02d}_refmt", "args": ["fmt"], "stdin": canon,
                          "expect": run("fmt", canon)})
    broken = 0
    while broken < 90:
        doc = corrupt(rng, rng.choice(valid))
        report = run("check", doc)
        if report == "ok\n":
            continue
        cases.append({"name": f"broken_{broken:02d}_check", "args": ["check"], "stdin": doc,
                      "expect": report})
        broken += 1
    (Path(sys.argv[1]) / "cases.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")


main()
