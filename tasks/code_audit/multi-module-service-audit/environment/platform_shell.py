"""Runs the document tools through a POSIX-like shell (sh -c semantics: quoting, $VAR, $(...),
backticks, ;, &&, ||, |). The tool box is small: convert-doc, checksum, echo, cat, ls, printenv,
true and false. Returns everything the command line wrote to standard output."""

import platform_fs as fs

ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/srv/app"}


class ShellError(Exception):
    pass


def _find_close(text, i, opener, closer):
    depth = 0
    quote = None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                i += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            i += 1
        elif ch == opener:
            depth += 1
        elif ch == closer:
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise ShellError("unterminated substitution")


def _expand_var(text, i):
    """($value, next index) for a $ at text[i]."""
    if text.startswith("$(", i):
        end = _find_close(text, i + 2, "(", ")")
        return run(text[i + 2:end]).rstrip("\n"), end + 1
    if text.startswith("${", i):
        end = text.index("}", i)
        return ENV.get(text[i + 2:end], ""), end + 1
    j = i + 1
    while j < len(text) and (text[j].isalnum() or text[j] == "_"):
        j += 1
    if j == i + 1:
        return "$", j
    return ENV.get(text[i + 1:j], ""), j


def _tokens(text):
    """Words (each a list of (text, quoted) pieces) and operator strings."""
    out, word, i = [], [], 0
    have_word = False

    def flush():
        nonlocal word, have_word
        if have_word:
            out.append(word)
        word, have_word = [], False

    while i < len(text):
        ch = text[i]
        if ch in " \t":
            flush()
            i += 1
        elif ch in ";\n":
            flush()
            out.append(";")
            i += 1
        elif text.startswith("&&", i) or text.startswith("||", i):
            flush()
            out.append(text[i:i + 2])
            i += 2
        elif ch == "|":
            flush()
            out.append("|")
            i += 1
        elif ch == "&":
            flush()
            out.append(";")
            i += 1
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ShellError("unterminated quote")
            word.append((text[i + 1:end], True))
            have_word = True
            i = end + 1
        elif ch == '"':
            i += 1
            piece = []
            while True:
                if i >= len(text):
                    raise ShellError("unterminated quote")
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < len(text) and text[i + 1] in '"\\$`':
                    piece.append(text[i + 1])
                    i += 2
                elif c == "$":
                    value, i = _expand_var(text, i)
                    piece.append(value)
                elif c == "`":
                    end = text.find("`", i + 1)
                    if end < 0:
                        raise ShellError("unterminated backtick")
                    piece.append(run(text[i + 1:end]).rstrip("\n"))
                    i = end + 1
                else:
                    piece.append(c)
                    i += 1
            word.append(("".join(piece), True))
            have_word = True
        elif ch == "\\" and i + 1 < len(text):
            word.append((text[i + 1], True))
            have_word = True
            i += 2
        elif ch == "$":
            value, i = _expand_var(text, i)
            word.append((value, False))
            have_word = True
        elif ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ShellError("unterminated backtick")
            word.append((run(text[i + 1:end]).rstrip("\n"), False))
            have_word = True
            i = end + 1
        else:
            word.append((ch, True))
            have_word = True
            i += 1
    flush()
    return out


def _fields(word):
    """Field splitting: unquoted expansion results split on whitespace."""
    fields, current, started = [], "", False
    for text, quoted in word:
        if quoted:
            current += text
            started = True
            continue
        parts = text.split()
        if not parts:
            continue
        if text[:1].isspace() and started:
            fields.append(current)
            current, started = "", False
        for k, part in enumerate(parts):
            if k > 0:
                fields.append(current)
                current = ""
            current += part
            started = True
        if text[-1:].isspace():
            fields.append(current)
            current, started = "", False
    if started:
        fields.append(current)
    return fields


def _tool(argv, stdin):
    """(status, stdout) of one command."""
    name, args = argv[0], argv[1:]
    if name == "echo":
        return 0, " ".join(args) + "\n"
    if name == "true":
        return 0, ""
    if name == "false":
        return 1, ""
    if name == "printenv":
        if args:
            return (0, ENV[args[0]] + "\n") if args[0] in ENV else (1, "")
        return 0, "".join(f"{k}={v}\n" for k, v in sorted(ENV.items()))
    if name == "cat":
        if not args:
            return 0, stdin
        found = [fs.read(a) for a in args if fs.exists(a)]
        return (0 if len(found) == len(args) else 1), "".join(found)
    if name == "ls":
        return 0, "".join(n + "\n" for a in (args or ["/"]) for n in fs.listdir(a))
    if name == "checksum":
        data = "".join(fs.read(a) for a in args if fs.exists(a)) or stdin
        return 0, f"{sum(data.encode()) % 65521:05d}\n"
    if name == "convert-doc":
        paths = [a for a in args if a.startswith("/")]
        size = sum(len(fs.read(p)) for p in paths if fs.exists(p))
        title = args[args.index("--title") + 1] if "--title" in args[:-1] else "untitled"
        return 0, f"converted {len(paths)} file(s), {size} bytes, title {title!r}\n"
    return 127, ""


def run(command):
    items = _tokens(command)
    output, status, argv, pipe_in, skip = [], 0, [], "", False
    for item in items + [";"]:
        if isinstance(item, list):
            argv.extend(_fields(item))
            continue
        if argv and not skip:
            status, out = _tool(argv, pipe_in)
            if item == "|":
                pipe_in = out
            else:
                output.append(out)
                pipe_in = ""
        elif item != "|":
            pipe_in = ""
        argv = []
        if item == "&&":
            skip = status != 0
        elif item == "||":
            skip = status == 0
        elif item == ";":
            skip = False
    return "".join(output)
