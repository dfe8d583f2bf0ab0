"""Reference renderer for the Marklet subset (instructions.md): python3 reference.py < in > out."""

from __future__ import annotations

import re
import sys

PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
HR = re.compile(r"^([-*_])( *\1){2,} *$")
HEADING = re.compile(r"^(#{1,6})(?: (.*))?$")
BULLET = re.compile(r"^([-*+]) ")
ORDERED = re.compile(r"^([0-9]{1,9})([.)]) ")


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---------------------------------------------------------------- inline

def find_code_end(s: str, i: int, n: int) -> int:
    """Index of the closing run of exactly n backticks after i, or -1."""
    j = i
    while j < len(s):
        if s[j] == "`":
            k = j
            while k < len(s) and s[k] == "`":
                k += 1
            if k - j == n:
                return j
            j = k
        else:
            j += 1
    return -1


def match_bracket(s: str, i: int) -> int:
    """s[i] == '['; index of the matching ']' (escapes and code spans skipped), or -1."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c == "\\" and j + 1 < len(s) and s[j + 1] in PUNCT:
            j += 2
            continue
        if c == "`":
            k = j
            while k < len(s) and s[k] == "`":
                k += 1
            end = find_code_end(s, k, k - j)
            j = end + (k - j) if end != -1 else k
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


LINK_TAIL = re.compile(r'\(([^\s()]*)(?: +"([^"]*)")?\)')


def inline(s: str) -> str:
    """Render inline text (lines joined with \\n) to HTML."""
    # pieces: ("text", str) literal text, ("html", str), ("run", n) a run of * to resolve
    pieces: list[list] = []

    def text(t: str) -> None:
        pieces.append(["text", t])

    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            if i + 1 < n and s[i + 1] == "\n":
                if pieces and pieces[-1][0] == "text":
                    pieces[-1][1] = pieces[-1][1].rstrip(" ")
                pieces.append(["html", "<br />\n"])
                i += 2
                continue
            if i + 1 < n and s[i + 1] in PUNCT:
                text(s[i + 1])
                i += 2
                continue
            text("\\")
            i += 1
            continue
        if c == "`":
            k = i
            while k < n and s[k] == "`":
                k += 1
            end = find_code_end(s, k, k - i)
            if end == -1:
                text(s[i:k])
                i = k
                continue
            body = s[k:end].replace("\n", " ")
            if len(body) >= 2 and body[0] == " " and body[-1] == " " and body.strip(" "):
                body = body[1:-1]
            pieces.append(["html", "<code>" + esc(body) + "</code>"])
            i = end + (k - i)
            continue
        if c == "!" and i + 1 < n and s[i + 1] == "[":
            close = match_bracket(s, i + 1)
            m = LINK_TAIL.match(s, close + 1) if close != -1 else None
            if m and not contains_link(s[i + 2 : close]):
                alt = re.sub(r"<[^>]*>", "", inline(s[i + 2 : close]))
                title = f' title="{esc(m.group(2))}"' if m.group(2) is not None else ""
                pieces.append(["html", f'<img src="{esc(m.group(1))}" alt="{alt}"{title} />'])
                i = m.end()
                continue
            text("!")
            i += 1
            continue
        if c == "[":
            close = match_bracket(s, i)
            m = LINK_TAIL.match(s, close + 1) if close != -1 else None
            if m and not contains_link(s[i + 1 : close]):
                title = f' title="{esc(m.group(2))}"' if m.group(2) is not None else ""
                body = inline(s[i + 1 : close])
                pieces.append(["html", f'<a href="{esc(m.group(1))}"{title}>{body}</a>'])
                i = m.end()
                continue
            text("[")
            i += 1
            continue
        if c == "<":
            m = re.compile(r"<(https?://[^\s<>]+)>").match(s, i)
            if m:
                u = esc(m.group(1))
                pieces.append(["html", f'<a href="{u}">{u}</a>'])
                i = m.end()
                continue
            text("<")
            i += 1
            continue
        if c == "*":
            k = i
            while k < n and s[k] == "*":
                k += 1
            before = s[i - 1] if i > 0 else " "
            after = s[k] if k < n else " "
            if k - i <= 2:
                pieces.append(["run", k - i, not after.isspace(), not before.isspace()])
            else:
                text(s[i:k])
            i = k
            continue
        if c == "\n":
            last = pieces[-1] if pieces else None
            hard = last is not None and last[0] == "text" and last[1].endswith("  ")
            if last is not None and last[0] == "text":
                last[1] = last[1].rstrip(" ")
            pieces.append(["html", "<br />\n" if hard else "\n"])
            i += 1
            continue
        j = i
        while j < n and s[j] not in "\\`![<*\n":
            j += 1
        text(s[i:j] if j > i else c)
        i = max(j, i + 1)
    return resolve(pieces)


def contains_link(inner: str) -> bool:
    """Whether the bracketed text holds a complete link itself (links do not nest)."""
    j = 0
    while j < len(inner):
        c = inner[j]
        if c == "\\" and j + 1 < len(inner) and inner[j + 1] in PUNCT:
            j += 2
            continue
        if c == "`":
            k = j
            while k < len(inner) and inner[k] == "`":
                k += 1
            end = find_code_end(inner, k, k - j)
            j = end + (k - j) if end != -1 else k
            continue
        if c == "[":
            close = match_bracket(inner, j)
            if close != -1 and LINK_TAIL.match(inner, close + 1):
                return True
        j += 1
    return False


def resolve(pieces: list[list]) -> str:
    """Match * runs with the stack rule and produce HTML."""
    stack: list[int] = []  # indexes of opener runs
    pairs: dict[int, int] = {}
    for idx, p in enumerate(pieces):
        if p[0] != "run":
            continue
        length, can_open, can_close = p[1], p[2], p[3]
        if can_close:
            found = next((k for k in range(len(stack) - 1, -1, -1) if pieces[stack[k]][1] == length), None)
            if found is not None:
                pairs[stack[found]] = idx
                del stack[found:]
                continue
        if can_open:
            stack.append(idx)
    closers = {v: k for k, v in pairs.items()}
    out = []
    for idx, p in enumerate(pieces):
        if p[0] == "text":
            out.append(esc(p[1]))
        elif p[0] == "html":
            out.append(p[1])
        elif idx in pairs:
            out.append("<em>" if p[1] == 1 else "<strong>")
        elif idx in closers:
            out.append("</em>" if p[1] == 1 else "</strong>")
        else:
            out.append("*" * p[1])
    return "".join(out)


# ---------------------------------------------------------------- blocks

def blank(line: str) -> bool:
    return line.strip(" ") == ""


def list_marker(line: str) -> tuple[str, int, int] | None:
    """(kind, width, start) for a list item line: kind is the bullet or the delimiter."""
    m = BULLET.match(line)
    if m:
        return ("b" + m.group(1), 2, 0)
    m = ORDERED.match(line)
    if m:
        return ("o" + m.group(2), len(m.group(0)), int(m.group(1)))
    return None


def starts_block(line: str) -> bool:
    return bool(
        HEADING.match(line) or HR.match(line) or line.startswith("```") or line.startswith(">")
        or list_marker(line)
    )


def render_blocks(lines: list[str]) -> list[tuple[str, str]]:
    """The blocks of a document as (kind, html) pairs; kind 'p' keeps the inline html alone."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if blank(line):
            i += 1
            continue
        if HR.match(line):
            out.append(("hr", "<hr />\n"))
            i += 1
            continue
        m = HEADING.match(line)
        if m:
            body = (m.group(2) or "").strip(" ")
            body = re.sub(r"(^| +)#+$", "", body).strip(" ")
            level = len(m.group(1))
            out.append(("h", f"<h{level}>{inline(body)}</h{level}>\n"))
            i += 1
            continue
        if line.startswith("```"):
            info = line[3:].strip(" ").split(" ")[0]
            i += 1
            body = []
            while i < len(lines) and lines[i].rstrip(" ") != "```":
                body.append(lines[i])
                i += 1
            i += 1
            cls = f' class="language-{esc(info)}"' if info else ""
            code = "".join(esc(b) + "\n" for b in body)
            out.append(("pre", f"<pre><code{cls}>{code}</code></pre>\n"))
            continue
        if line.startswith(">"):
            inner = []
            while i < len(lines) and lines[i].startswith(">"):
                rest = lines[i][1:]
                inner.append(rest[1:] if rest.startswith(" ") else rest)
                i += 1
            body = "".join(block_html(b) for b in render_blocks(inner))
            out.append(("bq", "<blockquote>\n" + body + "</blockquote>\n"))
            continue
        marker = list_marker(line)
        if marker:
            i, html = render_list(lines, i, marker)
            out.append(("list", html))
            continue
        para = []
        while i < len(lines) and not blank(lines[i]) and (not para or not starts_block(lines[i])):
            para.append(lines[i])
            i += 1
        text = "\n".join(p.lstrip(" ") for p in para).rstrip(" ")
        out.append(("p", inline(text)))
    return out


def render_list(lines: list[str], i: int, marker: tuple[str, int, int]) -> tuple[int, str]:
    kind, _, start = marker
    items: list[list[str]] = []
    loose = False
    while i < len(lines):
        m = list_marker(lines[i])
        if not m or m[0] != kind:
            break
        width = m[1]
        body = [lines[i][width:]]
        i += 1
        while i < len(lines):
            if blank(lines[i]):
                j = i
                while j < len(lines) and blank(lines[j]):
                    j += 1
                if j < len(lines) and lines[j].startswith(" " * width):
                    body.extend("" for _ in range(i, j))
                    i = j
                    continue
                break
            if lines[i].startswith(" " * width):
                body.append(lines[i][width:])
                i += 1
                continue
            break
        if any(blank(b) for b in body[1:]):
            loose = True
        items.append(body)
        if i < len(lines) and blank(lines[i]):
            j = i
            while j < len(lines) and blank(lines[j]):
                j += 1
            nxt = list_marker(lines[j]) if j < len(lines) else None
            if nxt and nxt[0] == kind:
                loose = True
                i = j
            else:
                break
    tag = "ul" if kind[0] == "b" else "ol"
    open_tag = f'<ol start="{start}">' if tag == "ol" and start != 1 else f"<{tag}>"
    html = [open_tag + "\n"]
    for body in items:
        blocks = render_blocks(body)
        if not blocks:
            html.append("<li></li>\n")
        elif loose:
            html.append("<li>\n" + "".join(block_html(b) for b in blocks) + "</li>\n")
        else:
            parts = []
            for k, (kd, h) in enumerate(blocks):
                if kd == "p":
                    parts.append(h + ("\n" if k < len(blocks) - 1 else ""))
                else:
                    parts.append(("\n" if k == 0 else "") + h)
            html.append("<li>" + "".join(parts) + "</li>\n")
    html.append(f"</{tag}>\n")
    return i, "".join(html)


def block_html(block: tuple[str, str]) -> str:
    kind, html = block
    return f"<p>{html}</p>\n" if kind == "p" else html


def render(text: str) -> str:
    lines = text.replace("\t", "    ").split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return "".join(block_html(b) for b in render_blocks(lines))


if __name__ == "__main__":
    sys.stdout.write(render(sys.stdin.read()))
