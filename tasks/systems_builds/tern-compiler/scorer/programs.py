"""The hidden Tern programs of tern-compiler, generated from a seed: (name, source, stdin)."""

import random

NZ = "fn nz(x) { if (x == 0) { return 1; } return x; }\n"


def expression(rng: random.Random, names: list[str], depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        r = rng.random()
        if r < 0.5:
            return rng.choice(names)
        if r < 0.8:
            return str(rng.choice([rng.randint(0, 50), rng.randint(0, 1 << 31), 4294967295, 2147483648]))
        return rng.choice(["'a'", "'\\n'", "'Z'", "'\\\\'"])
    a, b = expression(rng, names, depth - 1), expression(rng, names, depth - 1)
    op = rng.choice(["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "u-", "u!", "u~",
                     "&", "|", "^", "<<", ">>"])
    if op.startswith("u"):
        return f"{op[1]}({a})"
    if op in ("/", "%"):
        return f"({a}) {op} nz({b})"
    if rng.random() < 0.3:  # without parentheses: precedence decides
        return f"{a} {op} {b}"
    return f"({a}) {op} ({b})"


def arithmetic(rng: random.Random) -> str:
    lines = ["// random expressions", "var ga;", "var gb;", NZ, "fn main() {", "    var x = 7;",
             f"    var y = -{rng.randint(1, 1000)};", f"    ga = {rng.randint(0, 1 << 31)};", "    gb = -3;"]
    for _ in range(12):
        lines.append(f"    print {expression(rng, ['x', 'y', 'ga', 'gb'], rng.randint(1, 4))};")
        if rng.random() < 0.4:
            op = rng.choice(["=", "+=", "-=", "*=", "/=", "%="])
            rhs = expression(rng, ['x', 'y', 'ga'], 2)
            lines.append(f"    x {op} {'nz(' + rhs + ')' if op in ('/=', '%=') else rhs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


PRECEDENCE = [
    "a & b == c", "a | b ^ c & d", "a + b << c", "a < b == c < d", "-a * b % c", "!a + b",
    "a || b && c", "~a & b", "a - b - c", "a / b / c", "a << b >> c", "a ^ b | c & d == a",
    "a == b != c", "a * b + c * d", "a % b * c", "a >= b & c <= d", "!!a - -b", "a && b | c",
]


def precedence(rng: random.Random) -> str:
    """Unparenthesised expressions over every precedence level."""
    values = {name: rng.choice([rng.randint(-20, 20), rng.randint(1, 5)]) or 3 for name in "abcd"}
    decls = "\n".join(f"    var {name} = {value};" for name, value in values.items())
    body = "\n".join(f"    print {e};" for e in PRECEDENCE if not ("/ b" in e and values["b"] == 0))
    return f"""// operator precedence and associativity
fn main() {{
{decls}
    c = c % 5 + 6;
{body}
}}
"""


def quicksort(rng: random.Random) -> str:
    values = [rng.randint(-500, 500) for _ in range(rng.randint(10, 40))]
    fill = "\n".join(f"    data[{i}] = {v};" for i, v in enumerate(values))
    return f"""// quicksort of a global array, passed by address
var data[{len(values)}];

fn swap(a, i, j) {{ var t = a[i]; a[i] = a[j]; a[j] = t; }}

fn sort(a, lo, hi) {{
    if (lo >= hi) {{ return; }}
    var pivot = a[(lo + hi) / 2];
    var i = lo;
    var j = hi;
    while (i <= j) {{
        while (a[i] < pivot) {{ i = i + 1; }}
        while (a[j] > pivot) {{ j = j - 1; }}
        if (i <= j) {{ swap(a, i, j); i = i + 1; j = j - 1; }}
    }}
    sort(a, lo, j);
    sort(a, i, hi);
}}

fn main() {{
{fill}
    sort(data, 0, {len(values) - 1});
    for (var k = 0; k < {len(values)}; k = k + 1) {{ print data[k]; }}
}}
"""


def matrix(rng: random.Random) -> str:
    n = rng.randint(2, 5)
    cells = [[rng.randint(-9, 9) for _ in range(n)] for _ in range(n)]
    fill = "\n".join(f"    a[{i * n + j}] = {cells[i][j]};" for i in range(n) for j in range(n))
    return f"""// matrix product with local arrays
fn mul(a, b, c, n) {{
    for (var i = 0; i < n; i = i + 1) {{
        for (var j = 0; j < n; j = j + 1) {{
            var s = 0;
            for (var k = 0; k < n; k = k + 1) {{ s = s + a[i * n + k] * b[k * n + j]; }}
            c[i * n + j] = s;
        }}
    }}
}}

fn main() {{
    var a[{n * n}];
    var b[{n * n}];
    var c[{n * n}];
{fill}
    mul(a, a, b, {n});
    mul(b, a, c, {n});
    var i = 0;
    while (i < {n * n}) {{
        print c[i];
        if (i % {n} == {n - 1}) {{ prints "--\\n"; }}
        i = i + 1;
    }}
}}
"""


def sieve(rng: random.Random) -> str:
    limit = rng.randint(200, 1500)
    return f"""// primes below a limit
var composite[{limit}];

fn main() {{
    var count = 0;
    var last = 0;
    for (var p = 2; p < {limit}; p = p + 1) {{
        if (composite[p]) {{ continue; }}
        count = count + 1;
        last = p;
        for (var m = p * p; m < {limit}; m = m + p) {{ composite[m] = 1; }}
    }}
    print count;
    print last;
}}
"""


def text(rng: random.Random) -> str:
    word = rng.choice(["tern", "gannet", "petrel", "skua", "fulmar"])
    times = rng.randint(2, 6)
    return f"""// strings, characters and escapes
fn banner(n) {{
    var i = 0;
    while (1) {{
        if (i >= n) {{ break; }}
        putc '*';
        i = i + 1;
    }}
    putc '\\n';
}}

fn main() {{
    banner({times + 3});
    prints "{word}: \\"quoted\\"\\t\\\\ done\\n";
    var c = 'a';
    while (c <= 'z') {{
        if ((c - 'a') % {times} == 0) {{ putc c - 32; }} else {{ putc c; }}
        c = c + 1;
    }}
    putc 10;
    banner({times});
}}
"""


def gcd(rng: random.Random) -> tuple[str, str]:
    pairs = [(rng.randint(-3000, 3000), rng.randint(1, 3000)) for _ in range(rng.randint(3, 7))]
    stdin = f"{len(pairs)} " + " ".join(f"{a} {b}" for a, b in pairs) + "\n"
    return """// gcd of pairs read from the input
fn gcd(a, b) {
    if (b == 0) { if (a < 0) { return -a; } return a; }
    return gcd(b, a % b);
}

fn main() {
    var n = input();
    for (; n > 0; n = n - 1) {
        var a = input();
        var b = input();
        print gcd(a, b);
    }
}
""", stdin


def short_circuit(rng: random.Random) -> str:
    checks = []
    for _ in range(8):
        a, b, c = (rng.randint(0, 2) for _ in range(3))
        op1, op2 = rng.choice(["&&", "||"]), rng.choice(["&&", "||"])
        checks.append(f"    print t({a}) {op1} t({b}) {op2} !t({c});")
    body = "\n".join(checks)
    return f"""// short-circuit evaluation with side effects
var calls;
fn t(x) {{ calls = calls + 1; putc '0' + x; putc ' '; return x; }}

fn main() {{
{body}
    print calls;
}}
"""


def scopes(rng: random.Random) -> str:
    a, b = rng.randint(1, 99), rng.randint(1, 99)
    return f"""// block scopes and shadowing
var x;
fn show(v) {{ print v; return v; }}
fn main() {{
    x = {a};
    var y = x + 1;
    {{
        var x = {b};
        show(x + y);
        {{ var y = x * 2; show(y); }}
        show(y);
    }}
    show(x);
    var i = 0;
    while (i < 3) {{ var x = i * 10; show(x); i = i + 1; }}
    show(x);
    if (x > 50) {{ var z = 1; show(z); }} else {{ var z = 2; show(z); }}
}}
"""


def recursion(rng: random.Random) -> str:
    n = rng.randint(2, 5)
    m = rng.randint(10, 40)
    return f"""// mutual recursion, and a function defined after its use
fn main() {{
    print ack(2, {n});
    print even({m});
    print odd({m});
    print fact({rng.randint(5, 12)});
}}
fn even(n) {{ if (n == 0) {{ return 1; }} return odd(n - 1); }}
fn odd(n) {{ if (n == 0) {{ return 0; }} return even(n - 1); }}
fn ack(m, n) {{
    if (m == 0) {{ return n + 1; }}
    if (n == 0) {{ return ack(m - 1, 1); }}
    return ack(m - 1, ack(m, n - 1));
}}
fn fact(n) {{ if (n <= 1) {{ return 1; }} return n * fact(n - 1); }}
"""


def bits(rng: random.Random) -> str:
    values = [rng.randint(-(1 << 31), (1 << 31) - 1) for _ in range(4)]
    body = "\n".join(f"    v[{i}] = {x};" for i, x in enumerate(values))
    return f"""// bit manipulation and compound assignment on array elements
var v[4];
fn popcount(x) {{
    var n = 0;
    for (var i = 0; i < 32; i += 1) {{ n += x >> i & 1; }}
    return n;
}}
fn main() {{
{body}
    for (var i = 0; i < 4; i += 1) {{
        print popcount(v[i]);
        v[i] ^= v[i] << {rng.randint(1, 7)};
        v[i] |= 1 << {rng.randint(0, 31)};
        v[(i + 1) % 4] -= v[i] & {rng.randint(1, 255)};
        v[i] /= {rng.choice([-3, 7, 2])};
        v[i] %= {rng.choice([1000, -77, 13])};
        print v[i];
    }}
}}
"""


def collatz(rng: random.Random) -> str:
    starts = [rng.randint(2, 5000) for _ in range(4)]
    body = "\n".join(f"    print steps({s});" for s in starts)
    return f"""// collatz step counts, with an early return inside a loop
fn steps(n) {{
    var count = 0;
    while (1) {{
        if (n == 1) {{ return count; }}
        if (n % 2 == 0) {{ n = n / 2; }} else {{ n = 3 * n + 1; }}
        count = count + 1;
    }}
}}
fn main() {{
{body}
}}
"""


def fault(rng: random.Random) -> str:
    k = rng.randint(1, 9)
    return f"""// division by zero at run time
fn main() {{
    var d = {k};
    while (d >= 0) {{ print 100 / d; d = d - {k}; }}
}}
"""


ERRORS = [
    ("undefined variable", "    print nosuch_{k};"),
    ("undefined function", "    nosuch_{k}(1);"),
    ("wrong argument count", "    helper({k}, 2);"),
    ("break outside a loop", "    break;"),
    ("continue outside a loop", "    continue;"),
    ("function as a value", "    print helper;"),
    ("call of a variable", "    var v_{k} = 1; v_{k}(2);"),
    ("assignment to an array", "    arr_{k} = 3;"),
    ("assignment to a call", "    helper(1) = 2;"),
    ("duplicate local", "    var dup_{k} = 1; var dup_{k} = 2;"),
    ("missing semicolon", "    print 1\n    print 2;"),
    ("unbalanced parenthesis", "    print (1 + 2;"),
    ("number too large", "    print 4294967296;"),
    ("bad escape", "    putc '\\q';"),
    ("else without if", "    else { print 1; }"),
]


def broken(rng: random.Random, k: int) -> str:
    """A valid program with one error inserted after a random number of valid lines."""
    what, line = ERRORS[k % len(ERRORS)]
    filler = "\n".join(f"    ok = ok + helper({i});" + (" // padding" if i % 2 else "") for i in range(rng.randint(0, 9)))
    blank = "\n" * rng.randint(0, 3)
    return f"""// a program with one error ({what})
var arr_{k}[4];{blank}
fn helper(a) {{ return a + 1; }}
fn main() {{
    var ok = helper({k});
{filler}
    print ok;
{line.replace("{k}", str(k))}
    print ok + 1;
}}
"""


def generate(seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    cases: list[tuple[str, str, str]] = []
    for i in range(6):
        cases.append((f"arithmetic-{i}", arithmetic(rng), ""))
    for maker in (precedence, quicksort, matrix, sieve, text, short_circuit, scopes, recursion, bits, collatz):
        for j in range(2):
            cases.append((f"{maker.__name__}-{j}", maker(rng), ""))
    for j in range(2):
        source, stdin = gcd(rng)
        cases.append((f"gcd-{j}", source, stdin))
    cases.append(("fault-0", fault(rng), ""))
    order = list(range(len(ERRORS)))
    rng.shuffle(order)
    for k in order:
        cases.append((f"error-{ERRORS[k][0].replace(' ', '-')}", broken(rng, k), ""))
    return cases
