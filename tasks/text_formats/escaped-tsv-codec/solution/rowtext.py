"""Reference codec for the escaped tab-separated row format (the hidden cases are made from it)."""

from __future__ import annotations

HEX = "0123456789abcdefABCDEF"
SIMPLE = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "0": "\0"}
SHORT = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}


class RowTextError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.line = line
        self.column = column


def _field(raw: str, line: int, col0: int) -> str | None:
    if raw == "\\N":
        return None
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if nxt in SIMPLE and nxt:
            out.append(SIMPLE[nxt])
            i += 2
        elif nxt == "x" and len(raw) >= i + 4 and all(h in HEX for h in raw[i + 2 : i + 4]):
            out.append(chr(int(raw[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u" and raw[i + 2 : i + 3] == "{":
            end = raw.find("}", i + 3)
            digits = raw[i + 3 : end] if end != -1 else ""
            if end == -1 or not 1 <= len(digits) <= 6 or any(h not in HEX for h in digits):
                raise RowTextError("bad escape", line, col0 + i)
            value = int(digits, 16)
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise RowTextError("bad escape", line, col0 + i)
            out.append(chr(value))
            i = end + 1
        else:
            raise RowTextError("bad escape", line, col0 + i)
    return "".join(out)


def parse(text: str) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if line.endswith("\r"):
            line = line[:-1]
        bad = [col for col, c in enumerate(line, 1) if (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F]
        row: list[str | None] = []
        try:
            if not line.startswith("#"):
                col0 = 1
                for raw in line.split("\t"):
                    row.append(_field(raw, number, col0))
                    col0 += len(raw) + 1
        except RowTextError as exc:
            if not bad or exc.column < bad[0]:
                raise
        if bad:
            raise RowTextError("control character", number, bad[0])
        if not line.startswith("#"):
            rows.append(row)
    return rows


def _escape(value: str, first: bool) -> str:
    out = []
    for i, c in enumerate(value):
        o = ord(c)
        if c in SHORT:
            out.append(SHORT[c])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif 0x80 <= o <= 0x9F or o in (0x2028, 0x2029):
            out.append(f"\\u{{{o:x}}}")
        elif c == "#" and first and i == 0:
            out.append("\\x23")
        else:
            out.append(c)
    return "".join(out)


def dump(rows: list[list[str | None]]) -> str:
    lines = []
    for row in rows:
        if not isinstance(row, list) or not row:
            raise ValueError("every row must be a non-empty list")
        fields = []
        for i, value in enumerate(row):
            if value is None:
                fields.append("\\N")
            elif isinstance(value, str):
                fields.append(_escape(value, i == 0))
            else:
                raise ValueError("fields must be str or None")
        lines.append("\t".join(fields) + "\n")
    return "".join(lines)
