#!/usr/bin/env python3
"""Compiler from Tern to R9 assembly (reference solution of the tern-compiler task).

Usage: python3 ternc.py PROGRAM.tern > PROGRAM.s. A recursive-descent parser builds a small tree,
a checker resolves every name, and a one-pass code generator evaluates expressions into r0 using
the stack for temporaries. Frames: r7 is the frame pointer; parameters live above it (the caller
pushes them left to right), locals below it.
"""

import re
import sys

KEYWORDS = {"var", "fn", "if", "else", "while", "for", "break", "continue", "return", "print", "putc",
            "prints", "input"}
TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+|//[^\n]*) | (?P<nl>\n) | (?P<num>0[xX][0-9a-fA-F]+|\d+) |
    (?P<char>'(?:\\.|[^'\\\n])') | (?P<str>"(?:\\.|[^"\\\n])*") | (?P<name>[A-Za-z_][A-Za-z0-9_]*) |
    (?P<op><<=|>>=|<<|>>|==|!=|<=|>=|&&|\|\||[-+*/%&|^]=|[-+*/%<>=!~&|^(){}\[\],;])
""", re.X)
ESCAPES = {"n": 10, "t": 9, "\\": 92, "'": 39, '"': 34, "0": 0}


class CompileError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"error: {message} at line {line}")


def unescape(body: str, line: int) -> list[int]:
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            if i + 1 >= len(body) or body[i + 1] not in ESCAPES:
                raise CompileError(line, "bad escape")
            out.append(ESCAPES[body[i + 1]])
            i += 2
        else:
            if not 32 <= ord(body[i]) <= 126:
                raise CompileError(line, "bad character")
            out.append(ord(body[i]))
            i += 1
    return out


def tokenize(source: str) -> list[tuple[str, object, int]]:
    tokens, pos, line = [], 0, 1
    while pos < len(source):
        m = TOKEN.match(source, pos)
        if not m:
            raise CompileError(line, f"unexpected character {source[pos]!r}")
        pos = m.end()
        kind = m.lastgroup
        text = m.group()
        if kind == "nl":
            line += 1
        elif kind == "ws":
            continue
        elif kind == "num":
            value = int(text[2:], 16) if text[:2].lower() == "0x" else int(text)
            if value >= 1 << 32:
                raise CompileError(line, "number too large")
            tokens.append(("num", value, line))
        elif kind == "char":
            chars = unescape(text[1:-1], line)
            tokens.append(("num", chars[0], line))
        elif kind == "str":
            chars = unescape(text[1:-1], line)
            if 0 in chars:
                raise CompileError(line, "\\0 in a string")
            tokens.append(("str", chars, line))
        elif kind == "name":
            tokens.append(("kw" if text in KEYWORDS else "name", text, line))
        else:
            tokens.append(("op", text, line))
    tokens.append(("eof", None, line))
    return tokens


BINARY = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="], ["<<", ">>"], ["+", "-"],
          ["*", "/", "%"]]
COMPOUND = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&", "|=": "|", "^=": "^",
            "<<=": "<<", ">>=": ">>"}
SIMPLE = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem", "&": "and", "|": "or", "^": "xor",
          "<<": "shl", ">>": "sar"}


class Parser:
    def __init__(self, tokens: list) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self, value: object = None, kind: str | None = None) -> bool:
        k, v, _ = self.tokens[self.pos]
        return (value is None or v == value) and (kind is None or k == kind) and k != "eof" or (kind == "eof" and k == "eof")

    def take(self, value: object = None, kind: str | None = None) -> tuple:
        tok = self.tokens[self.pos]
        if (value is not None and (tok[1] != value or tok[0] not in ("op", "kw"))) or (kind is not None and tok[0] != kind):
            want = value if value is not None else kind
            raise CompileError(tok[2], f"expected {want}, found {tok[1] if tok[0] != 'eof' else 'end of file'}")
        self.pos += 1
        return tok

    def accept(self, value: str) -> bool:
        tok = self.tokens[self.pos]
        if tok[0] in ("op", "kw") and tok[1] == value:
            self.pos += 1
            return True
        return False

    def program(self) -> list:
        items = []
        while self.tokens[self.pos][0] != "eof":
            line = self.tokens[self.pos][2]
            if self.accept("var"):
                items.append(self.var_decl(line))
            elif self.accept("fn"):
                name = self.take(kind="name")[1]
                self.take("(")
                params = []
                if not self.accept(")"):
                    while True:
                        params.append((self.take(kind="name")[1], self.tokens[self.pos - 1][2]))
                        if self.accept(")"):
                            break
                        self.take(",")
                items.append(("fn", line, name, params, self.block()))
            else:
                self.take("fn")
        return items

    def var_decl(self, line: int) -> tuple:
        name = self.take(kind="name")[1]
        if self.accept("["):
            size = self.take(kind="num")[1]
            if not 1 <= size <= 4096:
                raise CompileError(line, "bad array size")
            self.take("]")
            self.take(";")
            return ("array", line, name, size)
        init = self.expr() if self.accept("=") else None
        self.take(";")
        return ("var", line, name, init)

    def block(self) -> tuple:
        line = self.take("{")[2]
        stmts = []
        while not self.accept("}"):
            if self.tokens[self.pos][0] == "eof":
                raise CompileError(self.tokens[self.pos][2], "missing }")
            stmts.append(self.stmt())
        return ("block", line, stmts)

    def simple(self) -> tuple:
        """An assignment or an expression statement, without the semicolon."""
        line = self.tokens[self.pos][2]
        target = self.expr()
        tok = self.tokens[self.pos]
        if tok[0] == "op" and (tok[1] == "=" or tok[1] in COMPOUND):
            self.pos += 1
            if target[0] not in ("name", "index"):
                raise CompileError(line, "cannot assign to this")
            return ("assign", line, target, self.expr(), COMPOUND.get(tok[1]))
        return ("expr", line, target)

    def stmt(self) -> tuple:
        tok = self.tokens[self.pos]
        line = tok[2]
        if tok[0] == "op" and tok[1] == "{":
            return self.block()
        if tok[0] == "kw":
            word = tok[1]
            if word == "var":
                self.pos += 1
                return self.var_decl(line)
            if word == "if":
                self.pos += 1
                self.take("(")
                cond = self.expr()
                self.take(")")
                then = self.block()
                other = None
                if self.accept("else"):
                    other = self.stmt() if self.peek("if") else self.block()
                return ("if", line, cond, then, other)
            if word == "while":
                self.pos += 1
                self.take("(")
                cond = self.expr()
                self.take(")")
                return ("while", line, cond, self.block())
            if word == "for":
                self.pos += 1
                self.take("(")
                if self.accept("var"):
                    init = self.var_decl(line)  # takes the semicolon
                    if init[0] != "var":
                        raise CompileError(line, "an array in a for header")
                else:
                    init = None if self.peek(";") else self.simple()
                    self.take(";")
                cond = None if self.peek(";") else self.expr()
                self.take(";")
                step = None if self.peek(")") else self.simple()
                self.take(")")
                return ("for", line, init, cond, step, self.block())
            if word in ("break", "continue"):
                self.pos += 1
                self.take(";")
                return (word, line)
            if word == "return":
                self.pos += 1
                value = None if self.peek(";") else self.expr()
                self.take(";")
                return ("return", line, value)
            if word in ("print", "putc"):
                self.pos += 1
                value = self.expr()
                self.take(";")
                return (word, line, value)
            if word == "prints":
                self.pos += 1
                text = self.take(kind="str")[1]
                self.take(";")
                return ("prints", line, text)
        node = self.simple()
        self.take(";")
        return node

    def expr(self, level: int = 0) -> tuple:
        if level == len(BINARY):
            return self.unary()
        left = self.expr(level + 1)
        while True:
            tok = self.tokens[self.pos]
            if tok[0] == "op" and tok[1] in BINARY[level]:
                self.pos += 1
                left = ("bin", tok[2], tok[1], left, self.expr(level + 1))
            else:
                return left

    def unary(self) -> tuple:
        tok = self.tokens[self.pos]
        if tok[0] == "op" and tok[1] in ("-", "!", "~"):
            self.pos += 1
            return ("un", tok[2], tok[1], self.unary())
        return self.postfix()

    def postfix(self) -> tuple:
        tok = self.tokens[self.pos]
        line = tok[2]
        if tok[0] == "num":
            self.pos += 1
            node = ("num", line, tok[1])
        elif tok[0] == "kw" and tok[1] == "input":
            self.pos += 1
            self.take("(")
            self.take(")")
            node = ("input", line)
        elif tok[0] == "name":
            self.pos += 1
            if self.accept("("):
                args = []
                if not self.accept(")"):
                    while True:
                        args.append(self.expr())
                        if self.accept(")"):
                            break
                        self.take(",")
                node = ("call", line, tok[1], args)
            else:
                node = ("name", line, tok[1])
        elif self.accept("("):
            node = self.expr()
            self.take(")")
        else:
            raise CompileError(line, f"unexpected {tok[1] if tok[0] != 'eof' else 'end of file'}")
        while self.tokens[self.pos][0] == "op" and self.tokens[self.pos][1] == "[":
            line = self.tokens[self.pos][2]
            self.pos += 1
            index = self.expr()
            self.take("]")
            node = ("index", line, node, index)
        return node


class Generator:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.data: list[str] = []
        self.globals: dict[str, tuple] = {}
        self.labels = 0

    def label(self) -> str:
        self.labels += 1
        return f"L{self.labels}"

    def emit(self, line: str) -> None:
        self.text.append("    " + line)

    def program(self, items: list) -> str:
        for item in items:
            name, line = item[2], item[1]
            if name in self.globals:
                raise CompileError(line, f"{name} defined twice")
            if item[0] == "fn":
                self.globals[name] = ("fn", len(item[3]))
            elif item[0] == "array":
                self.globals[name] = ("garray", item[3])
                self.data += ["    .align 4", f"G_{name}: .space {4 * item[3]}"]
            else:
                if item[3] is not None:
                    raise CompileError(line, "a global cannot have an initial value")
                self.globals[name] = ("gvar",)
                self.data += ["    .align 4", f"G_{name}: .word 0"]
        if self.globals.get("main") != ("fn", 0):
            raise CompileError(1, "no main() without parameters")
        self.text += ["    call F_main", "    halt"]
        for item in items:
            if item[0] == "fn":
                self.function(item)
        return "\n".join([".data"] + self.data + [".text"] + self.text) + "\n"

    def function(self, item: tuple) -> None:
        _, line, name, params, body = item
        count = len(params)
        scope: dict[str, tuple] = {}
        for i, (param, pline) in enumerate(params):
            if param in scope:
                raise CompileError(pline, f"parameter {param} repeated")
            scope[param] = ("local", 8 + 4 * (count - 1 - i))
        self.scopes = [scope]
        self.frame = 0
        self.max_frame = 0
        self.loops: list[tuple[str, str]] = []
        self.exit = self.label()
        saved, self.text = self.text, []
        self.stmt(body, new_scope=False)
        body_code, self.text = self.text, saved
        self.text.append(f"F_{name}:")
        self.emit("push r7")
        self.emit("mov r7, sp")
        if self.max_frame:
            self.emit(f"sub sp, sp, {self.max_frame}")
        self.text += body_code
        self.emit("li r0, 0")
        self.text.append(f"{self.exit}:")
        self.emit("mov sp, r7")
        self.emit("pop r7")
        self.emit("ret")

    def lookup(self, name: str, line: int) -> tuple:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.globals:
            return self.globals[name]
        raise CompileError(line, f"undefined name {name}")

    def declare(self, name: str, line: int, words: int, kind: str) -> int:
        if name in self.scopes[-1]:
            raise CompileError(line, f"{name} declared twice in one block")
        self.frame += 4 * words
        self.max_frame = max(self.max_frame, self.frame)
        self.scopes[-1][name] = (kind, -self.frame)
        return -self.frame

    def stmt(self, node: tuple, new_scope: bool = True) -> None:
        kind, line = node[0], node[1]
        if kind == "block":
            saved = self.frame
            if new_scope:
                self.scopes.append({})
            for child in node[2]:
                self.stmt(child)
            if new_scope:
                self.scopes.pop()
                self.frame = saved
        elif kind == "var":
            if node[3] is not None:
                self.expr(node[3])
            else:
                self.emit("li r0, 0")
            offset = self.declare(node[2], line, 1, "local")
            self.emit(f"sw r0, {offset}(r7)")
        elif kind == "array":
            offset = self.declare(node[2], line, node[3], "larray")
            loop = self.label()  # zero the array each time the declaration runs
            self.emit(f"add r1, r7, {offset}")
            self.emit(f"li r2, {node[3]}")
            self.emit("li r0, 0")
            self.text.append(f"{loop}:")
            self.emit("sw r0, (r1)")
            self.emit("add r1, r1, 4")
            self.emit("sub r2, r2, 1")
            self.emit(f"bne r2, r0, {loop}")
        elif kind == "assign":
            target = node[2]
            if target[0] == "name":
                info = self.lookup(target[2], target[1])
                if info[0] not in ("local", "gvar"):
                    raise CompileError(target[1], f"cannot assign to {target[2]}")
                if node[4] is None:
                    self.expr(node[3])
                else:
                    self.binary(node[4], target, node[3])
                if info[0] == "local":
                    self.emit(f"sw r0, {info[1]}(r7)")
                else:
                    self.emit(f"la r1, G_{target[2]}")
                    self.emit("sw r0, (r1)")
            else:
                self.address(target)  # the target's address first, then the right-hand side
                self.emit("push r0")
                if node[4] is None:
                    self.expr(node[3])
                else:
                    self.emit("lw r0, (r0)")
                    self.emit("push r0")
                    self.expr(node[3])
                    self.emit("mov r1, r0")
                    self.emit("pop r0")
                    self.operate(node[4])
                self.emit("pop r1")
                self.emit("sw r0, (r1)")
        elif kind == "expr":
            self.expr(node[2])
        elif kind == "if":
            other, end = self.label(), self.label()
            self.expr(node[2])
            self.emit("li r1, 0")
            self.emit(f"beq r0, r1, {other}")
            self.stmt(node[3])
            self.emit(f"jmp {end}")
            self.text.append(f"{other}:")
            if node[4] is not None:
                self.stmt(node[4])
            self.text.append(f"{end}:")
        elif kind in ("while", "for"):
            self.scopes.append({})
            saved = self.frame
            if kind == "for" and node[2] is not None:
                self.stmt(node[2])
            top, step, end = self.label(), self.label(), self.label()
            self.text.append(f"{top}:")
            cond = node[2] if kind == "while" else node[3]
            if cond is not None:
                self.expr(cond)
                self.emit("li r1, 0")
                self.emit(f"beq r0, r1, {end}")
            self.loops.append((step, end))
            self.stmt(node[3] if kind == "while" else node[5])
            self.loops.pop()
            self.text.append(f"{step}:")
            if kind == "for" and node[4] is not None:
                self.stmt(node[4])
            self.emit(f"jmp {top}")
            self.text.append(f"{end}:")
            self.scopes.pop()
            self.frame = saved
        elif kind in ("break", "continue"):
            if not self.loops:
                raise CompileError(line, f"{kind} outside a loop")
            self.emit(f"jmp {self.loops[-1][1 if kind == 'break' else 0]}")
        elif kind == "return":
            if node[2] is not None:
                self.expr(node[2])
            else:
                self.emit("li r0, 0")
            self.emit(f"jmp {self.exit}")
        elif kind in ("print", "putc"):
            self.expr(node[2])
            self.emit("out r0" if kind == "print" else "outc r0")
        elif kind == "prints":
            name = f"S{len(self.data)}"
            self.data.append(f"{name}: .byte {', '.join(map(str, node[2] + [0]))}")
            self.emit(f"la r0, {name}")
            self.emit("outs r0")

    def address(self, node: tuple) -> None:
        """r0 = the address of an indexed element."""
        self.expr(node[2])
        self.emit("push r0")
        self.expr(node[3])
        self.emit("shl r0, r0, 2")
        self.emit("pop r1")
        self.emit("add r0, r1, r0")

    def expr(self, node: tuple) -> None:
        kind, line = node[0], node[1]
        if kind == "num":
            self.emit(f"li r0, {node[2]}")
        elif kind == "input":
            self.emit("in r0")
        elif kind == "name":
            info = self.lookup(node[2], line)
            if info[0] == "local":
                self.emit(f"lw r0, {info[1]}(r7)")
            elif info[0] == "larray":
                self.emit(f"add r0, r7, {info[1]}")
            elif info[0] == "gvar":
                self.emit(f"la r1, G_{node[2]}")
                self.emit("lw r0, (r1)")
            elif info[0] == "garray":
                self.emit(f"la r0, G_{node[2]}")
            else:
                raise CompileError(line, f"function {node[2]} used as a value")
        elif kind == "index":
            self.address(node)
            self.emit("lw r0, (r0)")
        elif kind == "call":
            info = self.lookup(node[2], line)
            if info[0] != "fn":
                raise CompileError(line, f"{node[2]} is not a function")
            if info[1] != len(node[3]):
                raise CompileError(line, f"{node[2]} takes {info[1]} arguments")
            for arg in node[3]:
                self.expr(arg)
                self.emit("push r0")
            self.emit(f"call F_{node[2]}")
            if node[3]:
                self.emit(f"add sp, sp, {4 * len(node[3])}")
        elif kind == "un":
            self.expr(node[3])
            if node[2] == "-":
                self.emit("neg r0, r0")
            elif node[2] == "~":
                self.emit("not r0, r0")
            else:
                self.emit("sltu r0, r0, 1")
        elif node[2] in ("&&", "||"):
            end = self.label()
            self.expr(node[3])
            self.emit("sltu r0, r0, 1")
            self.emit("xor r0, r0, 1")  # r0 = left != 0
            self.emit(f"li r1, {0 if node[2] == '&&' else 1}")
            self.emit(f"beq r0, r1, {end}")
            self.expr(node[4])
            self.emit("sltu r0, r0, 1")
            self.emit("xor r0, r0, 1")
            self.text.append(f"{end}:")
        else:
            self.binary(node[2], node[3], node[4])

    def binary(self, op: str, left: tuple, right: tuple) -> None:
        self.expr(left)
        self.emit("push r0")
        self.expr(right)
        self.emit("mov r1, r0")
        self.emit("pop r0")
        self.operate(op)

    def operate(self, op: str) -> None:
        """r0 = r0 op r1."""
        if op in SIMPLE:
            self.emit(f"{SIMPLE[op]} r0, r0, r1")
        elif op == "<":
            self.emit("slt r0, r0, r1")
        elif op == ">":
            self.emit("slt r0, r1, r0")
        elif op == "<=":
            self.emit("slt r0, r1, r0")
            self.emit("xor r0, r0, 1")
        elif op == ">=":
            self.emit("slt r0, r0, r1")
            self.emit("xor r0, r0, 1")
        elif op == "==":
            self.emit("xor r0, r0, r1")
            self.emit("sltu r0, r0, 1")
        else:
            self.emit("xor r0, r0, r1")
            self.emit("li r1, 0")
            self.emit("sltu r0, r1, r0")


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: ternc.py PROGRAM.tern", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as handle:
            source = handle.read()
        items = Parser(tokenize(source)).program()
        sys.stdout.write(Generator().program(items))
    except CompileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc} at line 0", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
