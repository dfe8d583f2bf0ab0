"""Reference implementation of the Quill data notation tool (instructions.md).

python3 reference.py check|json|fmt < document
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
INT_DEC = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)\Z")
INT_HEX = re.compile(r"[+-]?0x[0-9a-fA-F](_?[0-9a-fA-F])*\Z")
INT_BIN = re.compile(r"[+-]?0b[01](_?[01])*\Z")
FLOAT = re.compile(r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+([eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)\Z")
WORD_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-")
NAME_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
NAME_CHARS = NAME_START | set("0123456789-")
HEX = set("0123456789abcdefABCDEF")
ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
KEYWORDS = {"null": None, "true": True, "false": False}
CLOSER = {"[": "]", "{": "}"}


@dataclass
class Tok:
    kind: str  # nl , : [ ] { } str word anchor alias merge eof
    line: int
    col: int
    value: object = None
    sub: str = ""  # for words: null true false int float ident bad


@dataclass
class Comment:
    line: int
    text: str
    own_line: bool
    prev: int  # index of the last token before it (-1 if none)
    next: int  # index of the first token after it


class Errors:
    def __init__(self) -> None:
        self.items: set[tuple[int, int, str]] = set()

    def add(self, line: int, col: int, code: str) -> None:
        self.items.add((line, col, code))

    def lines(self) -> list[str]:
        return [f"{line}:{col}: {code}" for line, col, code in sorted(self.items)]


# ---------------------------------------------------------------- lexer

def lex(src: str, errors: Errors) -> tuple[list[Tok], list[Comment]]:
    toks: list[Tok] = []
    comments: list[Comment] = []
    i, line, col = 0, 1, 1
    n = len(src)
    last_tok_line = 0

    def adv(k: int = 1) -> None:
        nonlocal i, line, col
        for _ in range(k):
            if src[i] == "\n":
                line += 1
                col = 1
            else:
                col += 1
            i += 1

    while i < n:
        c = src[i]
        if c in " \t\r":
            adv()
            continue
        if c == "\n":
            toks.append(Tok("nl", line, col))
            adv()
            continue
        if c == "#":
            j = src.find("\n", i)
            j = n if j == -1 else j
            text = src[i:j].rstrip(" \t\r")
            comments.append(Comment(line, text, last_tok_line != line, len(toks) - 1, len(toks)))
            adv(j - i)
            continue
        if c == "/" and src.startswith("/*", i):
            sl, sc = line, col
            depth = 0
            while i < n:
                if src.startswith("/*", i):
                    depth += 1
                    adv(2)
                elif src.startswith("*/", i):
                    depth -= 1
                    adv(2)
                    if depth == 0:
                        break
                else:
                    adv()
            else:
                if depth > 0:
                    errors.add(sl, sc, "unterminated-comment")
            continue
        sl, sc = line, col
        if c in ",:[]{}":
            toks.append(Tok(c, sl, sc))
            adv()
        elif c == '"':
            adv()
            out = []
            closed = False
            while i < n and src[i] != "\n":
                ch = src[i]
                if ch == '"':
                    adv()
                    closed = True
                    break
                if ch == "\\":
                    bl, bc = line, col
                    nxt = src[i + 1] if i + 1 < n else ""
                    if nxt in ESCAPES and nxt:
                        out.append(ESCAPES[nxt])
                        adv(2)
                        continue
                    if nxt == "u" and src.startswith("{", i + 2):
                        m = re.compile(r"\{([0-9a-fA-F]{1,6})\}").match(src, i + 2)
                        if m:
                            v = int(m.group(1), 16)
                            if v <= 0x10FFFF and not 0xD800 <= v <= 0xDFFF:
                                out.append(chr(v))
                                adv(2 + len(m.group(0)))
                                continue
                    errors.add(bl, bc, "bad-escape")
                    adv(1 if nxt in ("", "\n") else 2)
                    continue
                out.append(ch)
                adv()
            if not closed:
                errors.add(sl, sc, "unterminated-string")
            toks.append(Tok("str", sl, sc, "".join(out)))
        elif c == "'":
            adv()
            out = []
            closed = False
            while i < n and src[i] != "\n":
                if src[i] == "'":
                    if src.startswith("''", i):
                        out.append("'")
                        adv(2)
                        continue
                    adv()
                    closed = True
                    break
                out.append(src[i])
                adv()
            if not closed:
                errors.add(sl, sc, "unterminated-string")
            toks.append(Tok("str", sl, sc, "".join(out)))
        elif c in "&*":
            if i + 1 < n and src[i + 1] in NAME_START:
                j = i + 1
                while j < n and src[j] in NAME_CHARS:
                    j += 1
                toks.append(Tok("anchor" if c == "&" else "alias", sl, sc, src[i + 1 : j]))
                adv(j - i)
            else:
                errors.add(sl, sc, "bad-anchor")
                adv()
        elif c == "<" and src.startswith("<<", i):
            toks.append(Tok("merge", sl, sc))
            adv(2)
        elif c in WORD_CHARS:
            j = i
            while j < n and src[j] in WORD_CHARS:
                j += 1
            word = src[i:j]
            toks.append(classify(word, sl, sc, errors))
            adv(j - i)
        else:
            errors.add(sl, sc, "bad-character")
            adv()
            continue
        last_tok_line = sl
    toks.append(Tok("eof", line, col))
    return toks, comments


def classify(word: str, line: int, col: int, errors: Errors) -> Tok:
    if word in KEYWORDS:
        return Tok("word", line, col, KEYWORDS[word], word)
    if IDENT.match(word):
        return Tok("word", line, col, word, "ident")
    for pattern, base, skip in ((INT_DEC, 10, 0), (INT_HEX, 16, 2), (INT_BIN, 2, 2)):
        if pattern.match(word):
            sign = -1 if word[0] == "-" else 1
            digits = word.lstrip("+-")[skip:].replace("_", "")
            return Tok("word", line, col, sign * int(digits, base), "int")
    if FLOAT.match(word):
        value = float(word)
        if value not in (float("inf"), float("-inf")):
            return Tok("word", line, col, value, "float")
    errors.add(line, col, "bad-literal")
    return Tok("word", line, col, None, "bad")


# ---------------------------------------------------------------- parser

@dataclass
class Node:
    kind: str  # scalar alias list map
    value: object = None  # scalar value or alias name
    anchor: str | None = None
    children: list[Child] = field(default_factory=list)
    open_i: int = -1
    close_i: int = -1
    dangling: list[Comment] = field(default_factory=list)


@dataclass
class Child:
    key: str | None  # None for list items; "<<" marks a merge entry (value is the alias node)
    merge: bool
    value: Node
    start: int
    end: int
    leading: list[Comment] = field(default_factory=list)
    trailing: list[Comment] = field(default_factory=list)


VALUE_START = {"str", "word", "[", "{", "alias", "anchor"}


class Parser:
    def __init__(self, toks: list[Tok], errors: Errors) -> None:
        self.toks = toks
        self.i = 0
        self.errors = errors
        self.anchors: dict[str, Node] = {}
        self.open: list[str] = []  # closers of the containers being parsed, outermost first

    def peek(self) -> Tok:
        return self.toks[self.i]

    def err(self, tok: Tok, code: str) -> None:
        self.errors.add(tok.line, tok.col, code)

    def skip_nl(self) -> None:
        while self.peek().kind == "nl":
            self.i += 1

    def sync(self) -> None:
        depth = 0
        while True:
            t = self.peek()
            if t.kind == "eof":
                return
            if depth == 0 and t.kind in ("nl", ",", "]", "}"):
                return
            if t.kind in ("[", "{"):
                depth += 1
            elif t.kind in ("]", "}"):
                depth -= 1
            self.i += 1

    def document(self) -> Node:
        node = Node("map", open_i=-1)
        self.container(node, "eof", None)
        node.close_i = self.i
        return node

    def container(self, node: Node, closer: str, opener: Tok | None) -> None:
        last = "open"
        separated = False
        keys: set[str] = set()
        while True:
            t = self.peek()
            if t.kind == "nl":
                separated = True
                self.i += 1
                continue
            if t.kind == ",":
                if last != "item":
                    self.err(t, "empty-item")
                last = "comma"
                separated = True
                self.i += 1
                continue
            if t.kind == closer:
                if closer != "eof":
                    self.i += 1
                return
            if t.kind == "eof":
                assert opener is not None
                self.err(opener, "unclosed-bracket")
                return
            if t.kind in ("]", "}"):
                if t.kind in self.open[:-1]:
                    assert opener is not None
                    self.err(opener, "unclosed-bracket")
                    return
                self.err(t, "unexpected-closer")
                self.i += 1
                continue
            if last == "item" and not separated:
                self.err(t, "expected-separator")
            start = self.i
            child = self.entry(keys) if node.kind == "map" else self.item()
            if child is not None:
                child.start = start
                child.end = self.i - 1
                node.children.append(child)
            last = "item"
            separated = False

    def entry(self, keys: set[str]) -> Child | None:
        t = self.peek()
        if t.kind == "merge":
            self.i += 1
            if self.peek().kind != ":":
                self.err(self.peek(), "expected-colon")
                self.sync()
                return None
            self.i += 1
            self.skip_nl()
            v = self.peek()
            if v.kind == "alias":
                node = self.value()
                target = self.anchors.get(v.value)  # type: ignore[arg-type]
                if target is not None and not self.is_map_alias(target):
                    self.err(v, "bad-merge")
                return Child("<<", True, node, 0, 0)
            if v.kind in VALUE_START:
                self.err(v, "bad-merge")
                self.value()
                return None
            self.err(v, "expected-value")
            if v.kind not in ("nl", ",", "]", "}", "eof"):
                self.sync()
            return None
        if t.kind == "str" or (t.kind == "word" and t.sub in ("ident", "null", "true", "false")):
            key = t.value if t.kind == "str" else (t.value if t.sub == "ident" else t.sub)
            self.i += 1
            if self.peek().kind != ":":
                self.err(self.peek(), "expected-colon")
                self.sync()
                return None
            self.i += 1
            self.skip_nl()
            if self.peek().kind not in VALUE_START:
                v = self.peek()
                self.err(v, "expected-value")
                if v.kind not in ("nl", ",", "]", "}", "eof"):
                    self.sync()
                return None
            node = self.value()
            assert isinstance(key, str)
            if key in keys:
                self.err(t, "duplicate-key")
                return None
            keys.add(key)
            return Child(key, False, node, 0, 0)
        self.err(t, "expected-key")
        self.sync()
        return None

    def is_map_alias(self, node: Node) -> bool:
        while node.kind == "alias" and node.value in self.anchors:
            node = self.anchors[str(node.value)]
        return node.kind == "map"

    def item(self) -> Child | None:
        t = self.peek()
        if t.kind not in VALUE_START:
            self.err(t, "expected-value")
            self.sync()
            return None
        return Child(None, False, self.value(), 0, 0)

    def value(self) -> Node:
        t = self.peek()
        anchor = None
        if t.kind == "anchor":
            anchor = t
            self.i += 1
            self.skip_nl()
            t = self.peek()
            if t.kind not in VALUE_START or t.kind == "anchor":
                self.err(t, "expected-value")
                if t.kind not in ("nl", ",", "]", "}", "eof"):
                    self.sync()
                return Node("scalar", None)
        if t.kind in ("[", "{"):
            node = Node("list" if t.kind == "[" else "map", open_i=self.i)
            self.i += 1
            self.open.append(CLOSER[t.kind])
            self.container(node, CLOSER[t.kind], t)
            self.open.pop()
            node.close_i = self.i - 1
        elif t.kind == "alias":
            node = Node("alias", t.value)
            if t.value not in self.anchors:
                self.err(t, "unknown-anchor")
            self.i += 1
        elif t.kind == "str":
            node = Node("scalar", t.value)
            self.i += 1
        else:  # word
            if t.sub == "ident":
                self.err(t, "bare-word")
                node = Node("scalar", None)
            else:
                node = Node("scalar", t.value)
            self.i += 1
        if anchor is not None:
            node.anchor = str(anchor.value)
            if node.anchor in self.anchors:
                self.err(anchor, "duplicate-anchor")
            else:
                self.anchors[node.anchor] = node
        return node


# ---------------------------------------------------------------- json

def resolve(node: Node, anchors: dict[str, Node]) -> object:
    if node.kind == "alias":
        return resolve(anchors[str(node.value)], anchors)
    if node.kind == "scalar":
        return node.value
    if node.kind == "list":
        return [resolve(c.value, anchors) for c in node.children]
    explicit = {c.key for c in node.children if not c.merge}
    out: dict[str, object] = {}
    for c in node.children:
        if not c.merge:
            out[str(c.key)] = resolve(c.value, anchors)
            continue
        merged = resolve(c.value, anchors)
        assert isinstance(merged, dict)
        for k, v in merged.items():
            if k not in explicit and k not in out:
                out[k] = v
    return out


# ---------------------------------------------------------------- fmt

def quote(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{{{o:x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def scalar_text(v: object) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    assert isinstance(v, str)
    return quote(v)


def key_text(k: str) -> str:
    return k if IDENT.match(k) else quote(k)


def all_children(node: Node) -> list[tuple[Node, Child]]:
    out = []
    for c in node.children:
        out.append((node, c))
        out.extend(all_children(c.value))
    return out


def containers(node: Node) -> list[Node]:
    out = [node] if node.kind in ("list", "map") else []
    for c in node.children:
        out.extend(containers(c.value))
    return out


def attach(doc: Node, comments: list[Comment], toks: list[Tok]) -> None:
    conts = containers(doc)
    pairs = all_children(doc)
    for cm in comments:
        if not cm.own_line:
            p = cm.prev
            while p >= 0 and toks[p].kind == ",":
                p -= 1
                while p >= 0 and toks[p].kind == "nl":
                    p -= 1
            best = None
            for _, c in pairs:
                if c.start <= p <= c.end and (best is None or c.end - c.start < best.end - best.start):
                    best = c
            if best is not None:
                best.trailing.append(cm)
                continue
        n = cm.next
        inner = max((c for c in conts if c.open_i < n <= c.close_i), key=lambda c: c.open_i)
        target = next((c for c in inner.children if c.start >= n), None)
        if target is not None:
            target.leading.append(cm)
        else:
            inner.dangling.append(cm)


def has_comments(node: Node) -> bool:
    if node.dangling:
        return True
    return any(c.leading or c.trailing or has_comments(c.value) for c in node.children)


def flat(node: Node) -> str | None:
    """The one-line form of a value, or None if it must be written as a block."""
    prefix = f"&{node.anchor} " if node.anchor else ""
    if node.kind == "alias":
        return prefix + f"*{node.value}"
    if node.kind == "scalar":
        return prefix + scalar_text(node.value)
    if has_comments(node):
        return None
    parts = []
    for c in node.children:
        if c.value.kind in ("list", "map") and c.value.children:
            return None
        inner = flat(c.value)
        assert inner is not None
        if node.kind == "list":
            parts.append(inner)
        else:
            parts.append(("<<" if c.merge else key_text(str(c.key))) + ": " + inner)
    o, cl = ("[", "]") if node.kind == "list" else ("{", "}")
    return prefix + o + ", ".join(parts) + cl


def emit_children(node: Node, indent: int, toks: list[Tok], out: list[str]) -> None:
    pad = " " * indent
    prev_end: int | None = None
    for c in node.children:
        first_line = c.leading[0].line if c.leading else toks[c.start].line
        if prev_end is not None and first_line - prev_end > 1:
            out.append("")
        for cm in c.leading:
            out.append(pad + cm.text)
        head = "" if node.kind == "list" else ("<<" if c.merge else key_text(str(c.key))) + ": "
        emit_value(c.value, indent, pad + head, toks, out)
        if c.trailing:
            out[-1] += "  " + " ".join(cm.text for cm in c.trailing)
        prev_end = max([toks[c.end].line] + [cm.line for cm in c.trailing])
    for k, cm in enumerate(node.dangling):
        if k == 0 and prev_end is not None and cm.line - prev_end > 1:
            out.append("")
        out.append(pad + cm.text)


def emit_value(node: Node, indent: int, head: str, toks: list[Tok], out: list[str]) -> None:
    text = flat(node)
    if text is not None and (node.kind in ("scalar", "alias") or len(head) + len(text) <= 80):
        out.append(head + text)
        return
    prefix = f"&{node.anchor} " if node.anchor else ""
    o, cl = ("[", "]") if node.kind == "list" else ("{", "}")
    out.append(head + prefix + o)
    emit_children(node, indent + 2, toks, out)
    out.append(" " * indent + cl)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    src = sys.stdin.buffer.read().decode("utf-8")
    errors = Errors()
    toks, comments = lex(src, errors)
    parser = Parser(toks, errors)
    doc = parser.document()
    if errors.items:
        sys.stdout.write("\n".join(errors.lines()) + "\n")
        return
    if mode == "check":
        sys.stdout.write("ok\n")
    elif mode == "json":
        sys.stdout.write(json.dumps(resolve(doc, parser.anchors), indent=2, ensure_ascii=False) + "\n")
    elif mode == "fmt":
        attach(doc, comments, toks)
        out: list[str] = []
        emit_children(doc, 0, toks, out)
        sys.stdout.write("".join(line + "\n" for line in out))
    else:
        sys.stdout.write("usage: check|json|fmt\n")


if __name__ == "__main__":
    main()
