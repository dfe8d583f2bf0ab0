"""Regenerates this task's hidden cases: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes cases.json (scorer): hand-written documents, one or two features each, and seeded random
documents that mix every block and inline construct, each with the output of the reference
renderer (reference.py, also the solution).
"""

import json
import random
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import render  # noqa: E402

SEED = 50_113

HAND = [
    "plain text\n",
    "two\nlines\n\nand another paragraph\n",
    "   leading spaces are dropped\n  on every line   \n",
    "# H1\n## H2 ##\n### H3 #not closing\n#### \n###### six\n####### seven\n#nospace\n",
    "#\n\n# trailing ###   \n",
    "---\n***\n_ _ _\n- - -\n--\n* * *x\n",
    "para\n---\nafter\n",
    "```\ncode <&>\n  indented\n\n```\n",
    "```python extra words\nx = 1\n```\ntext\n",
    "```\nunclosed fence\nruns to the end\n",
    "``` \n```   \n",
    "> quoted\n> lines\n\n>no space\n>  two spaces\n",
    "> # head\n> > nested\n> > deeper\n>\n> back\n",
    "- a\n- b\n- c\n",
    "* a\n+ b\n- c\n",
    "- a\n\n- b\n",
    "- a\n  continued\n- b\n\n  second para\n",
    "- a\ncontinued at column zero\n",
    "1. one\n2. two\n3) other list\n",
    "7. seven\n8. eight\n",
    "0. zero\n",
    "1234567890. too long\n123456789. ok\n",
    "- outer\n  - inner\n    - innermost\n  - inner two\n- outer two\n",
    "1. item\n   ```\n   code in item\n   ```\n2. next\n",
    "- \n- x\n",
    "-\n-x\n",
    "para\n- list interrupts\n",
    "para\n# heading interrupts\n> quote too\n",
    "*em* **strong** ***three*** ****four****\n",
    "*a **b** c* and **a *b* c**\n",
    "*a **b* c**\n",
    "* not em* and *not em *\n",
    "a*b*c and a**b**c\n",
    "*unclosed and **also\n",
    "`code` ``with ` tick`` ` spaced ` `  ` ``unclosed\n",
    "`multi\nline`\n",
    "\\*not em\\* \\` \\\\ \\a \\[x\\](y)\n",
    "end with backslash\\\n",
    "hard  \nbreak\\\nhere   \nthere\n",
    "[link](http://example.com) [t](u \"title & more\") [bad] (x) [no close\n",
    "[a [b](c)](d)\n",
    "[*em* `co]de`](u)\n",
    "[x](has space)\n",
    "![alt *text*](img.png) ![x](y \"t\")\n",
    "<https://a.b/c?d=1&e=2> <ftp://no> <http://has space>\n",
    "5 < 6 & 7 > 3 \"quoted\" 'single'\n",
    "tab\there\n\tindented tab\n",
    "crlf\r\nline\r\n\r\n# head\r\n",
    "",
    "\n\n\n",
    "- a\n\n\n- b\n\npara\n",
    "> - a\n> - b\n>\n> text\n",
    "- > quote in list\n  > more\n- after\n",
    "1. a\n\n   b\n\n   - c\n2. d\n",
    "***\n- ***\n",
    "# *em* `code` [l](u)\n",
    "**bold\nacross** lines\n",
]

WORDS = ["alpha", "beta", "gamma", "delta", "x", "y&z", "<tag>", "\"q\"", "2*3", "a_b", "end."]


def words(rng: random.Random, lo: int, hi: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]


def inline_text(rng: random.Random) -> str:
    out = []
    for w in words(rng, 2, 9):
        r = rng.random()
        if r < 0.1:
            w = f"*{w}*"
        elif r < 0.18:
            w = f"**{w}**"
        elif r < 0.24:
            w = f"`{w}`"
        elif r < 0.3:
            w = f"[{w}](http://h/{rng.randint(1, 9)})"
        elif r < 0.33:
            w = f"[{w} *{rng.choice(WORDS)}*](p \"t{rng.randint(1, 9)}\")"
        elif r < 0.36:
            w = f"![{w}](i.png)"
        elif r < 0.39:
            w = "\\" + rng.choice("*`[]\\#q")
        elif r < 0.42:
            w = rng.choice(["*", "**", "`", "[", "](", "***"]) + w
        elif r < 0.44:
            w = "<https://e.x/" + w.replace(" ", "") + ">"
        out.append(w)
    text = " ".join(out)
    if rng.random() < 0.3:
        cut = rng.randint(0, len(text))
        text = text[:cut] + rng.choice(["\n", "  \n", "\\\n", " \n"]) + text[cut:].lstrip(" ")
    return text


def block(rng: random.Random, depth: int) -> list[str]:
    r = rng.random()
    if r < 0.3 or depth > 1:
        return inline_text(rng).split("\n")
    if r < 0.4:
        return ["#" * rng.randint(1, 7) + " " + inline_text(rng).split("\n")[0]]
    if r < 0.45:
        return [rng.choice(["---", "***", "* * *", "___"])]
    if r < 0.55:
        body = [" ".join(words(rng, 0, 4)) for _ in range(rng.randint(0, 3))]
        return ["```" + rng.choice(["", "js", "py x"])] + body + ["```"]
    if r < 0.68:
        inner = doc_lines(rng, depth + 1, 1, 3)
        return [">" + (" " if rng.random() < 0.8 else "") + line if line else ">" for line in inner]
    kind = rng.choice(["-", "*", "1.", "3)"])
    lines = []
    loose = rng.random() < 0.35
    for k in range(rng.randint(1, 4)):
        marker = kind if not kind[0].isdigit() else f"{int(kind[:-1]) + k}{kind[-1]}"
        inner = doc_lines(rng, depth + 1, 1, 2)
        pad = " " * (len(marker) + 1)
        lines.append(marker + " " + inner[0])
        lines.extend(pad + line if line else "" for line in inner[1:])
        if loose:
            lines.append("")
    return lines


def doc_lines(rng: random.Random, depth: int, lo: int, hi: int) -> list[str]:
    lines: list[str] = []
    for k in range(rng.randint(lo, hi)):
        if k:
            lines.append("")
        lines.extend(block(rng, depth))
    return lines


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for i, doc in enumerate(HAND):
        cases.append({"name": f"hand_{i:02d}", "args": [], "stdin": doc, "expect": render(doc)})
    for i in range(140):
        doc = "\n".join(doc_lines(rng, 0, 2, 5)) + "\n"
        cases.append({"name": f"random_{i:03d}", "args": [], "stdin": doc, "expect": render(doc)})
    (Path(sys.argv[1]) / "cases.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")


main()
