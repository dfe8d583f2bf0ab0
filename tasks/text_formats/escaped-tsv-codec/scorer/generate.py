"""Regenerates this task's hidden cases: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes cases.json (scorer): hand-written parse and dump cases plus seeded random ones, each with
the result of the reference codec in reference.py (a value, a RowTextError position, or a
ValueError).
"""

import json
import random
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import RowTextError, dump, parse  # noqa: E402

SEED = 77_031

PARSE = [
    "", "\n", "a", "a\n", "a\tb\tc\n", "a\r\nb\r\n", "a\r\n\r\n", "\t\n", "\t\t", "\\N\n",
    "\\N\t\\N\n", "x\\N\n", "\\\\N\n", "a\\tb\n", "a\\nb\\rc\\0d\n", "\\x41\\x7e\\x7E\n",
    "\\x4\n", "\\x4g\n", "\\xg4\n", "\\u{41}\n", "\\u{1f600}\n", "\\u{0}\n", "\\u{10FFFF}\n",
    "\\u{110000}\n", "\\u{D800}\n", "\\u{dfff}\n", "\\u{}\n", "\\u{1234567}\n", "\\u{12\n",
    "\\u41\n", "\\q\n", "abc\\\n", "\\\n", "a\tb\\\tc\n", "#comment\nx\n", "#\n", "\\x23a\n",
    " #not\n", "a\t#b\n", "#bad\\q\nx\n", "ok\n\x01\n", "ok\x7f\n", "a\rb\n", "a\r", "a\r\r\n",
    "a\x0bb\\q\n", "a\\qb\x0b\n", "x\ny\tz\\\n", "\u00e9\t\u65e5\u672c\t\U0001f600\n",
    "\u65e5\\q\n", "a\n\nb\n", "a\n\n", "\\u{85}\\u{2028}\n", "\\x0a\\x09\n", "\\\\\\\\\n",
    "\\\\\\q\n", "a\tb\n\\N\n#x\tq\n\n", "\\n\n", "\\U{41}\n", "\\X41\n", "\\u{+1}\n",
    "\\u{ 41}\n", "tab\there\\u{000041}\n", "\\u{0000041}\n",
]

DUMP = [
    [], [[""]], [["a", "b"]], [[None]], [[None, ""]], [["\\N"]], [["a\tb"]], [["a\nb", "c\rd"]],
    [["\0"]], [["\x01\x1f\x7f"]], [["#x", "#y"]], [["#"]], [["a#"]], [[" #"]], [["\x85\x9f\xa0"]],
    [["\u2028\u2029"]], [["\u00e9\U0001f600"]], [["\\"]], [["\\t"]], [["x"], ["y", None]],
    [[]], [["a"], []], ["ab"], [["a", 3]], [[None, None, None]], [["\r\n"]], [["\x80"]],
]

ALPHABET = (
    ["a", "b", "z", " ", "#", "\\", "N", "x", "u", "{", "}", "\t", "\n", "\r", "\0", "\x01",
     "\x1b", "\x7f", "\x85", "\u2028", "\u00e9", "\U0001f600", "7", "F"]
)


def outcome(fn, arg) -> dict:
    try:
        return {"value": fn(arg)}
    except RowTextError as exc:
        return {"raised": "RowTextError", "line": exc.line, "column": exc.column}
    except ValueError:
        return {"raised": "ValueError"}


def random_rows(rng: random.Random) -> list:
    rows = []
    for _ in range(rng.randint(1, 6)):
        row = []
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.12:
                row.append(None)
            else:
                row.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8))))
        rows.append(row)
    return rows


def random_text(rng: random.Random) -> str:
    pieces = ["a", "bc", "\t", "\n", "\r\n", "\\\\", "\\t", "\\n", "\\N", "\\x4", "\\x41", "1",
              "\\u{", "e9}", "}", "\\u{1F600}", "#", "\\q", "\x02", "\\0", "\u00e9", "\\", "D800"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for i, text in enumerate(PARSE):
        cases.append({"name": f"parse_hand_{i:02d}", "call": "parse", "arg": text,
                      "expect": outcome(parse, text)})
    for i, rows in enumerate(DUMP):
        cases.append({"name": f"dump_hand_{i:02d}", "call": "dump", "arg": rows,
                      "expect": outcome(dump, rows)})
    for i in range(60):
        text = random_text(rng)
        cases.append({"name": f"parse_random_{i:02d}", "call": "parse", "arg": text,
                      "expect": outcome(parse, text)})
    for i in range(40):
        rows = random_rows(rng)
        encoded = dump(rows)
        assert parse(encoded) == rows
        cases.append({"name": f"dump_random_{i:02d}", "call": "dump", "arg": rows,
                      "expect": {"value": encoded}})
        cases.append({"name": f"roundtrip_random_{i:02d}", "call": "parse", "arg": encoded,
                      "expect": {"value": rows}})
    out = Path(sys.argv[1]) / "cases.json"
    out.write_text(json.dumps(cases, indent=1, ensure_ascii=True) + "\n")


main()
