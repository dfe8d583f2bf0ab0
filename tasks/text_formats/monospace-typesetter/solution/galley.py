"""Reference implementation of the Galley monospace typesetter (instructions.md).

python3 reference.py < document.gal > pages.txt
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

LETTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
RULE_CELL = re.compile(r"-+\Z")
INF = float("inf")


@dataclass
class Settings:
    width: int = 60
    height: int = 40
    indent: int = 0
    align: str = "justify"
    tolerance: int = 200
    leftmin: int = 2
    rightmin: int = 3
    patterns: dict[str, list[int]] = field(default_factory=dict)
    exceptions: dict[str, list[int]] = field(default_factory=dict)


# ---------------------------------------------------------------- input

def read(text: str) -> tuple[Settings, list[tuple[str, object]]]:
    st = Settings()
    blocks: list[tuple[str, object]] = []
    para: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("para", " ".join(para)))
            para.clear()
        if table:
            blocks.append(("table", list(table)))
            table.clear()

    for raw in text.split("\n"):
        line = raw.rstrip("\r").replace("\t", " ")
        stripped = line.strip(" ")
        if stripped.startswith("@"):
            directive(st, stripped[1:].split())
            continue
        if not stripped:
            flush()
            continue
        m = re.match(r"(#{1,2}) +(.*)\Z", stripped)
        if m and m.group(2).strip(" "):
            flush()
            blocks.append(("h" + str(len(m.group(1))), m.group(2).strip(" ")))
            continue
        if stripped.startswith("|"):
            if para:
                flush()
            table.append(stripped)
            continue
        if table:
            flush()
        para.append(stripped)
    flush()
    return st, blocks


def directive(st: Settings, words: list[str]) -> None:
    if not words:
        return
    name, args = words[0], words[1:]
    try:
        if name in ("width", "height", "indent", "tolerance") and len(args) == 1:
            setattr(st, name, int(args[0]))
        elif name == "align" and args and args[0] in ("justify", "ragged"):
            st.align = args[0]
        elif name == "hyphenmin" and len(args) == 2:
            st.leftmin, st.rightmin = int(args[0]), int(args[1])
        elif name == "patterns":
            for p in args:
                letters = re.sub(r"[0-9]", "", p)
                values = [0] * (len(letters) + 1)
                k = 0
                for ch in p:
                    if ch.isdigit():
                        values[k] = int(ch)
                    else:
                        k += 1
                st.patterns[letters.lower()] = values
        elif name == "exception":
            for w in args:
                points = []
                count = 0
                for ch in w:
                    if ch == "-":
                        points.append(count)
                    else:
                        count += 1
                st.exceptions[w.replace("-", "").lower()] = points
    except ValueError:
        pass


# ---------------------------------------------------------------- hyphenation

def hyphen_points(core: str, st: Settings) -> list[int]:
    """Numbers of letters after which the core may be broken."""
    low = core.lower()
    if low in st.exceptions:
        return [p for p in st.exceptions[low] if 0 < p < len(core)]
    if len(core) < st.leftmin + st.rightmin:
        return []
    word = "." + low + "."
    values = [0] * (len(word) + 1)
    for i in range(len(word)):
        for j in range(i + 1, len(word) + 1):
            pv = st.patterns.get(word[i:j])
            if pv:
                for k, v in enumerate(pv):
                    if v > values[i + k]:
                        values[i + k] = v
    return [p for p in range(st.leftmin, len(core) - st.rightmin + 1) if values[p + 1] % 2 == 1]


def split_word(word: str, st: Settings) -> list[tuple[str, str]]:
    """Fragments of a word: (text, join) where join says how it meets the next fragment."""
    if "-" in word:
        frags = []
        start = 0
        for i, ch in enumerate(word):
            if ch == "-" and 0 < i < len(word) - 1 and word[i - 1] != "-" and word[i + 1] != "-":
                frags.append((word[start : i + 1], "explicit"))
                start = i + 1
        frags.append((word[start:], "space"))
        return frags
    i = 0
    while i < len(word) and word[i] not in LETTERS:
        i += 1
    j = i
    while j < len(word) and word[j] in LETTERS:
        j += 1
    if j == i or any(ch in LETTERS for ch in word[j:]):
        return [(word, "space")]
    core = word[i:j]
    points = hyphen_points(core, st)
    if not points:
        return [(word, "space")]
    cuts = [i + p for p in points]
    frags = []
    prev = 0
    for c in cuts:
        frags.append((word[prev:c], "hyph"))
        prev = c
    frags.append((word[prev:], "space"))
    return frags


# ---------------------------------------------------------------- line breaking

def fitness(b: float) -> int:
    return 0 if b < 13 else (1 if b < 100 else 2)


def break_paragraph(
    words: list[str], st: Settings, first_width: int, width: int, align: str,
    marks: list[list[tuple[int, int]]] | None = None,
) -> tuple[list[str], list[list[int]]]:
    """Lines of a paragraph and, per line, the footnote numbers whose markers it holds.

    marks[i] lists (offset in word i, footnote number) for the markers in word i."""
    frags: list[tuple[str, str]] = []
    frag_notes: list[list[int]] = []
    for i, w in enumerate(words):
        start = 0
        for text, join in split_word(w, st):
            frags.append((text, join))
            end = start + len(text)
            frag_notes.append([num for off, num in (marks[i] if marks else []) if start <= off < end])
            start = end
    for hyphenate, tolerance in ((False, True), (True, True), (True, False)):
        result = solve(frags, first_width, width, align, st.tolerance, hyphenate, tolerance)
        if result is not None:
            lines, ranges = result
            return lines, [[x for k in range(a, b) for x in frag_notes[k]] for a, b in ranges]
    raise AssertionError("the last pass always succeeds")


def solve(frags, first_width, width, align, tol, hyphenate, use_tol):
    n = len(frags)
    memo: dict[tuple[int, int, bool], tuple[float, int]] = {}

    def line_info(a: int, b: int) -> tuple[int, int]:
        length = 0
        gaps = 0
        for k in range(a, b):
            length += len(frags[k][0])
            if k < b - 1 and frags[k][1] == "space":
                length += 1
                gaps += 1
        if b < n and frags[b - 1][1] == "hyph":
            length += 1
        return length, gaps

    def breakable(k: int) -> bool:
        """May a line end after fragment k-1 (k < n)?"""
        kind = frags[k - 1][1]
        return kind in ("space", "explicit") or (kind == "hyph" and hyphenate)

    def f(a: int, prev_class: int, prev_hyph: bool) -> tuple[float, int]:
        key = (a, prev_class, prev_hyph)
        if key in memo:
            return memo[key]
        lw = first_width if a == 0 else width
        best: tuple[float, int] = (INF, -1)
        for b in range(a + 1, n + 1):
            if b < n and not breakable(b):
                continue
            length, gaps = line_info(a, b)
            last = b == n
            if length > lw:
                if b == a + 1 and not use_tol:
                    bad = 10000
                else:
                    if b > a + 1:
                        break
                    continue
            else:
                s = lw - length
                if last:
                    bad = 0
                elif align == "ragged":
                    bad = s * s
                elif gaps == 0:
                    bad = 0 if s == 0 else 10000
                else:
                    bad = min(10000, 100 * s**3 // gaps**3)
                if use_tol and align == "justify" and bad > tol:
                    continue
            hyph = not last and frags[b - 1][1] in ("hyph", "explicit")
            d = (10 + bad) ** 2
            if hyph:
                d += 2500
                if prev_hyph:
                    d += 3000
            cls = fitness(bad)
            if abs(cls - prev_class) > 1:
                d += 10000
            if last:
                total = d
            else:
                rest = f(b, cls, hyph)[0]
                total = d + rest
            if total < best[0] or (total == best[0] and total < INF):
                best = (total, b)
        memo[key] = best
        return best

    if f(0, 0, False)[0] == INF:
        return None
    lines = []
    ranges = []
    a, cls, hyph = 0, 0, False
    number = 0
    while a < n:
        total, b = f(a, cls, hyph)
        number += 1
        lw = first_width if a == 0 else width
        length, gaps = line_info(a, b)
        last = b == n
        s = lw - length
        if length > lw:
            bad = 10000
        elif last:
            bad = 0
        elif align == "ragged":
            bad = s * s
        elif gaps == 0:
            bad = 0 if s == 0 else 10000
        else:
            bad = min(10000, 100 * s**3 // gaps**3)
        extra = [0] * gaps
        if align == "justify" and not last and gaps and s > 0:
            q, r = divmod(s, gaps)
            extra = [q] * gaps
            idx = range(r) if number % 2 == 1 else range(gaps - r, gaps)
            for k in idx:
                extra[k] += 1
        out = []
        g = 0
        for k in range(a, b):
            out.append(frags[k][0])
            if k < b - 1 and frags[k][1] == "space":
                out.append(" " * (1 + extra[g]))
                g += 1
        if not last and frags[b - 1][1] == "hyph":
            out.append("-")
        lines.append("".join(out))
        ranges.append((a, b))
        hyph = not last and frags[b - 1][1] in ("hyph", "explicit")
        cls = fitness(bad)
        a = b
    return lines, ranges


# ---------------------------------------------------------------- tables

def wrap_cell(text: str, w: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for word in text.split():
        while len(word) > w:
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:w])
            word = word[w:]
        if not word:
            continue
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= w:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    if cur or not lines:
        lines.append(cur)
    return lines


def set_table(rows_src: list[str], width: int) -> tuple[list[str], list[list[str]], list[str]]:
    """(top part lines, body rows' lines, bottom border line)."""
    rows: list[list[str]] = []
    header_count = 0
    for src in rows_src:
        body = src[1:]
        if body.endswith("|"):
            body = body[:-1]
        cells = [c.strip(" ") for c in body.split("|")]
        if all(RULE_CELL.match(c) for c in cells):
            if header_count == 0 and rows:
                header_count = len(rows)
            continue
        rows.append(cells)
    ncols = max(len(r) for r in rows) if rows else 1
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    widths = [max([1] + [len(r[c]) for r in rows]) for c in range(ncols)]
    while sum(widths) + 3 * ncols + 1 > width and max(widths) > 1:
        k = widths.index(max(widths))
        widths[k] -= 1

    def border(ch: str) -> str:
        return "+" + "+".join(ch * (w + 2) for w in widths) + "+"

    def row_lines(cells: list[str]) -> list[str]:
        wrapped = [wrap_cell(cells[c], widths[c]) for c in range(ncols)]
        height = max(len(x) for x in wrapped)
        out = []
        for i in range(height):
            parts = []
            for c in range(ncols):
                t = wrapped[c][i] if i < len(wrapped[c]) else ""
                parts.append(t.rjust(widths[c]) if NUMBER.match(cells[c]) else t.ljust(widths[c]))
            out.append("| " + " | ".join(parts) + " |")
        return out

    top = [border("-")]
    for r in rows[:header_count]:
        top.extend(row_lines(r))
    if header_count:
        top.append(border("="))
    body = [row_lines(r) for r in rows[header_count:]]
    return top, body, [border("-")]


# ---------------------------------------------------------------- pages

@dataclass
class Item:
    kind: str  # line gap head tabletop row tablebottom
    lines: list[str]
    notes: list[int] = field(default_factory=list)
    can_break: bool = True  # may the page end after this item (for a gap: at it)
    table: int = -1  # index of the table this item belongs to


def typeset(text: str) -> str:
    st, blocks = read(text)
    W = st.width
    notes: list[list[str]] = []  # footnote lines, by number - 1
    items: list[Item] = []
    tops: dict[int, list[str]] = {}
    sec = [0, 0]
    prev_kind = None
    for bi, (kind, content) in enumerate(blocks):
        if items:
            items.append(Item("gap", [""], can_break=prev_kind not in ("h1", "h2")))
        if kind in ("h1", "h2"):
            if kind == "h1":
                sec[0] += 1
                sec[1] = 0
                label = f"{sec[0]} {content}"
            else:
                sec[1] += 1
                label = f"{sec[0]}.{sec[1]} {content}"
            lines = greedy(label.split(), W)
            lines.append(("=" if kind == "h1" else "-") * max(len(x) for x in lines))
            items.append(Item("head", lines, can_break=False))
        elif kind == "para":
            assert isinstance(content, str)
            words, marks, bodies = footnote_words(content, len(notes))
            indented = prev_kind == "para" and st.indent > 0
            first = W - st.indent if indented else W
            lines, line_notes = break_paragraph(words, st, first, W, st.align, marks)
            if indented:
                lines[0] = " " * st.indent + lines[0]
            for number, body in bodies:
                notes.append(break_paragraph(f"[{number}] {body}".split(), st, W, W, st.align)[0])
            k = len(lines)
            for i, line in enumerate(lines):
                ok = 2 <= i + 1 <= k - 2
                items.append(Item("line", [line], notes=line_notes[i], can_break=ok))
        else:
            assert isinstance(content, list)
            top, body, bottom = set_table(content, W)
            tops[bi] = top
            items.append(Item("tabletop", top, can_break=False, table=bi))
            for r, lines in enumerate(body):
                items.append(Item("row", lines, can_break=r < len(body) - 1, table=bi))
            items.append(Item("tablebottom", bottom, can_break=True, table=bi))
        prev_kind = kind
    return paginate(items, notes, tops, st)


def footnote_words(
    content: str, before: int
) -> tuple[list[str], list[list[tuple[int, int]]], list[tuple[int, str]]]:
    """Words of a paragraph with footnotes replaced by markers, the markers' places, and the
    footnotes (number, text). `before` footnotes came earlier in the document."""
    out = []
    places = []  # (character offset in the new text, number)
    bodies = []
    last = 0
    length = 0
    for m in re.finditer(r"\[\^([^\]]*)\]", content):
        piece = content[last : m.start()]
        out.append(piece)
        length += len(piece)
        number = before + len(bodies) + 1
        bodies.append((number, " ".join(m.group(1).split())))
        marker = f"[{number}]"
        places.append((length, number))
        out.append(marker)
        length += len(marker)
        last = m.end()
    out.append(content[last:])
    text = "".join(out)
    words: list[str] = []
    marks: list[list[tuple[int, int]]] = []
    for m in re.finditer(r"[^ ]+", text):
        words.append(m.group(0))
        marks.append([(off - m.start(), num) for off, num in places if m.start() <= off < m.end()])
    return words, marks, bodies


def greedy(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for w in words:
        if not cur:
            cur = w
        elif len(cur) + 1 + len(w) <= width:
            cur += " " + w
        else:
            lines.append(cur)
            cur = w
    lines.append(cur)
    return lines


def paginate(items: list[Item], notes: list[list[str]], tops: dict[int, list[str]], st: Settings) -> str:
    H, W = st.height, st.width
    pages: list[tuple[list[str], list[int]]] = []
    pos = 0
    cont_table = -1  # the table continued at the top of this page, if any
    while True:
        while pos < len(items) and items[pos].kind == "gap":
            pos += 1
        if pos >= len(items):
            break
        head = list(tops[cont_table]) if cont_table >= 0 else []

        def measure(end: int) -> tuple[int, list[str], list[int], int]:
            """Page content for items[pos:end] (end exclusive) and its total height."""
            content = list(head)
            refs: list[int] = []
            for it in items[pos:end]:
                content.extend(it.lines)
                refs.extend(it.notes)
            last = items[end - 1]
            tail_table = -1
            if last.kind == "row" and end < len(items) and items[end].kind == "row":
                content.append(bottom_border(items, last.table))
                tail_table = last.table
            note_h = (1 + sum(len(notes[r - 1]) for r in refs)) if refs else 0
            return len(content) + note_h, content, refs, tail_table

        best = None
        emergency = None
        for end in range(pos + 1, len(items) + 1):
            it = items[end - 1]
            if it.kind == "gap":
                continue
            height, _, _, _ = measure(end)
            if height > H:
                break
            if end == len(items):
                allowed = True
            elif items[end].kind == "gap":
                allowed = items[end].can_break
            else:
                allowed = it.can_break
            if allowed:
                best = end
            emergency = end
        end = best or emergency or pos + 1
        height, content, refs, tail_table = measure(end)
        pages.append((content, refs))
        pos = end
        cont_table = tail_table
    out = []
    for number, (content, refs) in enumerate(pages, 1):
        note_lines = []
        if refs:
            note_lines.append("-" * (W // 3))
            for r in refs:
                note_lines.extend(notes[r - 1])
        body = content + [""] * max(0, H - len(content) - len(note_lines)) + note_lines
        footer = f"- {number} -"
        body.append("")
        body.append(" " * ((W - len(footer)) // 2) + footer)
        out.extend(line.rstrip(" ") for line in body)
    return "".join(line + "\n" for line in out)


def bottom_border(items: list[Item], table: int) -> str:
    return next(it.lines[0] for it in items if it.kind == "tablebottom" and it.table == table)


if __name__ == "__main__":
    sys.stdout.write(typeset(sys.stdin.read()))
