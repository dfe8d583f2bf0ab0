"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes, for the environment, three example documents (example1.gal ...) with the pages the
reference typesetter makes of them (example1.txt ...), and, for the scorer, cases.json: hand-
written documents aimed at single rules plus seeded random documents in a made-up language
(random hyphenation patterns and exceptions, widths, heights, tolerances, both alignments,
headings, footnotes, tables), each with the reference output (reference.py, also the solution).
"""

import json
import random
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import typeset  # noqa: E402

SEED = 31_337
CONS = "bcdfghklmnprstvz"
VOWELS = "aeiou"

HAND = [
    "",
    "\n\n\n",
    "@width 30\n@height 12\nOne word.\n",
    "@width 30\n@height 12\nTwo short paragraphs.\n\nThe second one.\n",
    "@width 20\n@height 12\n" + "A line of words that must be justified across several lines here.\n",
    "@width 20\n@height 12\n@align ragged\nA line of words that must be set ragged across several lines here.\n",
    "@width 10\n@height 12\nSupercalifragilistic is long.\n",
    "@width 12\n@height 12\n@patterns 1ca 1li 1gi 1fra\nSupercalifragilistic is long.\n",
    "@width 12\n@height 12\n@patterns 1ca 1li 1gi 1fra\n@hyphenmin 6 6\nSupercalifragilistic is long.\n",
    "@width 16\n@height 12\n@exception su-per-cal-i-frag-il-is-tic\n(Supercalifragilistic!) ok\n",
    "@width 16\n@height 12\nWell-known state-of-the-art x--y -lead trail- words.\n",
    "@width 30\n@height 12\n@indent 4\nFirst paragraph is not indented.\n\nSecond one is indented by four.\n\nThird as well, and it is long enough to wrap.\n",
    "@width 30\n@height 12\n@indent 4\n# Head\nNot indented after a heading.\n\nIndented.\n",
    "# One\n## One one\n## One two\n# Two\n## Two one\n### not a heading\n#nospace\n",
    "## Before any first level\n",
    "@width 20\n# A heading long enough to wrap over lines\nText.\n",
    "@width 30\n@height 14\nText with a note.[^The note text.] More text[^Second note.] here.\n",
    "@width 30\n@height 14\nEmpty note[^] and spaced [^  lots   of   space  ] note.\n",
    "@width 30\n@height 14\n| a | b |\n| 1 | 22 |\n",
    "@width 30\n@height 14\n| h1 | h2 |\n|----|----|\n| x | 1.5 |\n| yy | -3 |\n|--|--|\n| z | 4 |\n",
    "@width 30\n@height 14\n| a | b | c\n| only one\n|||\n",
    "@width 24\n@height 20\n| name | description |\n|-|-|\n| w | a very long description that wraps |\n| v | averyveryverylongunbreakableword |\n",
    "@width 40\n@height 12\n@tolerance 10\nTolerance so low that hyphenation or the last pass must be used here for sure.\n",
    "@width 40\n@height 12\n@tolerance 10\n@patterns 1su 1re 1ha 1na 1pa 1ti\nTolerance so low that hyphenation or the last pass must be used here for sure.\n",
    "@width 30\n@height 12\n@height 13\n@width 25\nLater settings win for the whole document, even after text.\n@width 28\n",
    "@width 30\n@height 12\n@bogus 1\n@width x\n@align center\nUnknown or bad directives are ignored.\n",
    "  indented source line\n\tand a tab\n\n   # spaced heading\n   | spaced | table |\n",
    "para line\n| table right after |\nand para again\n",
]


def word(rng: random.Random) -> str:
    w = "".join(rng.choice(CONS) + rng.choice(VOWELS) + (rng.choice(CONS) if rng.random() < 0.3 else "")
                for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])))
    r = rng.random()
    if r < 0.05:
        w = w.capitalize()
    elif r < 0.08:
        w = w + "-" + word(rng)
    elif r < 0.1:
        w = str(rng.randint(1, 999))
    elif r < 0.13:
        w = "(" + w + ")"
    return w


def sentence(rng: random.Random, n: int, notes: bool) -> str:
    words = [word(rng) for _ in range(n)]
    words[0] = words[0].capitalize()
    for k in range(len(words)):
        if rng.random() < 0.08:
            words[k] += rng.choice([",", ";", ":"])
    words[-1] += rng.choice([".", ".", "!", "?"])
    if notes and rng.random() < 0.25:
        k = rng.randrange(len(words))
        words[k] += "[^" + " ".join(word(rng) for _ in range(rng.randint(1, 14))) + "]"
    return " ".join(words)


def patterns(rng: random.Random) -> list[str]:
    out = set()
    for _ in range(rng.randint(10, 40)):
        letters = "".join(rng.choice(CONS + VOWELS) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.2:
            letters = "." + letters if rng.random() < 0.5 else letters + "."
        inner = [k for k in range(len(letters) + 1)
                 if not (k == 0 and letters.startswith(".")) and not (k == len(letters) and letters.endswith("."))]
        k = rng.choice(inner)
        digit = str(rng.randint(1, 5))
        out.add(letters[:k] + digit + letters[k:])
    return sorted(out)


def random_doc(rng: random.Random) -> str:
    lines = []
    width = rng.randint(22, 72)
    lines.append(f"@width {width}")
    lines.append(f"@height {rng.randint(12, 36)}")
    if rng.random() < 0.5:
        lines.append(f"@indent {rng.randint(0, 4)}")
    if rng.random() < 0.3:
        lines.append("@align ragged")
    if rng.random() < 0.7:
        lines.append(f"@tolerance {rng.choice([20, 50, 100, 200, 400, 1000])}")
    if rng.random() < 0.3:
        lines.append(f"@hyphenmin {rng.randint(1, 3)} {rng.randint(1, 4)}")
    pats = patterns(rng)
    half = len(pats) // 2
    lines.append("@patterns " + " ".join(pats[:half]))
    lines.append("@patterns " + " ".join(pats[half:]))
    if rng.random() < 0.5:
        w = word(rng).strip("()")
        if "-" not in w and len(w) > 3:
            cut = rng.randint(1, len(w) - 1)
            lines.append(f"@exception {w[:cut]}-{w[cut:]}")
    lines.append("")
    for _ in range(rng.randint(2, 9)):
        r = rng.random()
        if r < 0.15:
            lines.append("#" * rng.randint(1, 2) + " " + " ".join(word(rng) for _ in range(rng.randint(1, 6))))
        elif r < 0.27:
            ncols = rng.randint(1, 4)
            rows = []
            for k in range(rng.randint(1, 6)):
                cells = []
                for _ in range(ncols):
                    cr = rng.random()
                    if cr < 0.3:
                        cells.append(str(rng.randint(-50, 5000)) if rng.random() < 0.7 else f"{rng.random() * 100:.2f}")
                    else:
                        cells.append(" ".join(word(rng) for _ in range(rng.randint(0, 5))))
                rows.append("| " + " | ".join(cells) + " |")
                if k == 0 and rng.random() < 0.6:
                    rows.append("|" + "|".join("---" for _ in range(ncols)) + "|")
            lines.extend(rows)
        else:
            text = " ".join(sentence(rng, rng.randint(4, 16), True) for _ in range(rng.randint(1, 6)))
            out = []
            cur = ""
            for w in text.split(" "):
                if len(cur) > rng.randint(30, 70):
                    out.append(cur)
                    cur = w
                else:
                    cur = (cur + " " + w).strip()
            out.append(cur)
            lines.extend(out)
        lines.append("" if rng.random() < 0.85 else "\n")
    return "\n".join(lines) + "\n"


def fits(doc: str) -> bool:
    """Whether every page of the output has the declared height (no oversized unit)."""
    out = typeset(doc).split("\n")[:-1]
    height = int(next(x for x in doc.split("\n") if x.startswith("@height")).split()[1])
    return len(out) % (height + 2) == 0


def main() -> None:
    rng = random.Random(SEED)
    out = Path(sys.argv[1])
    cases = []
    for i, doc in enumerate(HAND):
        cases.append({"name": f"hand_{i:02d}", "args": [], "stdin": doc, "expect": typeset(doc)})
    examples = []
    count = 0
    while count < 220:
        doc = random_doc(rng)
        if not fits(doc):
            continue
        if len(examples) < 3:
            examples.append(doc)
            continue
        cases.append({"name": f"random_{count:03d}", "args": [], "stdin": doc, "expect": typeset(doc)})
        count += 1
    for k, doc in enumerate(examples, 1):
        (out / f"example{k}.gal").write_text(doc, encoding="utf-8")
        (out / f"example{k}.txt").write_text(typeset(doc), encoding="utf-8")
    (out / "cases.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")


main()
