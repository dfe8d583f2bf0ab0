"""Scripted client sessions for qbroker: made against the in-memory reference (generate.py, and
the scorer for the expected answers) and replayed over TCP against a candidate server (the
scorer). A script is a list of steps on numbered connections:

    ("open", c)                          connect
    ("hello", c, version, cnonce, name)  the handshake frame
    ("login", c, req, user, password)    the proof is computed from the server's nonce
    ("req", c, body)                     any other request, plain body
    ("badcrc", c, body)                  a request frame whose CRC is wrong
    ("raw", c, bytes)                    bytes that are not a frame
    ("close", c)                         the client closes without BYE
Each step except open/close yields (response body or None, server closed: bool).
"""

from __future__ import annotations

import random
import socket
import time

import broker as B

WORDS = ("orders audit mail jobs tmp metrics billing ingest alerts reports sync batch " "backup").split()
TEXT = (
    "the nightly export finished with warnings and the retry queue holds the rest of the batch "
    "please check the ingest node before the morning run because the last three runs were late"
).split()


def request(op: int, req: int, *fields: bytes) -> bytes:
    return bytes([op]) + req.to_bytes(2, "little") + b"".join(fields)


class MemTransport:
    """The reference server in memory; records the bytes both ways for the captures."""

    def __init__(self, broker: B.Broker, rng: random.Random) -> None:
        self.broker, self.rng = broker, rng
        self.conns: dict[int, B.ServerConn] = {}
        self.pending: dict[int, bytes] = {}
        self.log: list[tuple[int, str, bytes]] = []

    def open(self, c: int) -> None:
        self.conns[c] = B.ServerConn(self.broker, self.rng.randbytes(8), self.rng.getrandbits(32))
        self.log.append((c, "open", b""))

    def send(self, c: int, data: bytes) -> None:
        conn = self.conns[c]
        cut = self.rng.randint(1, len(data) - 1) if len(data) > 6 and self.rng.random() < 0.25 else len(data)
        for part in (data[:cut], data[cut:]):
            if part and not conn.closed:
                self.log.append((c, ">", part))
                out = conn.receive(part)
                if out:
                    self.log.append((c, "<", out))
        if conn.closed:
            self.log.append((c, "close server", b""))

    def recv_frame(self, c: int, codec: B.Codec) -> tuple[bytes | None, bool]:
        # everything the server produced is already in the log; re-feed it to the client codec
        body = codec.next_frame()
        return body, self.conns[c].closed and not codec.inbuf

    def close(self, c: int) -> None:
        if not self.conns[c].closed:
            self.conns[c].close()
            self.log.append((c, "close client", b""))


class Client:
    """Client side of the protocol over a transport; runs script steps."""

    def __init__(self, transport: object) -> None:
        self.t = transport
        self.codecs: dict[int, B.Codec] = {}
        self.snonce: dict[int, bytes] = {}

    def step(self, st: tuple) -> tuple[bytes | None, bool] | None:
        kind, c = st[0], st[1]
        t = self.t
        if kind == "open":
            self.codecs[c] = B.Codec()
            t.open(c)
            return None
        if kind == "close":
            t.close(c)
            return None
        codec = self.codecs[c]
        if kind == "hello":
            _, _, version, cnonce, name = st
            body = request(0x01, 0, bytes([version]), cnonce, B.string(name))
            self._send(c, codec.encode(body))
            resp, closed = self._recv(c, codec)
            if resp and len(resp) >= 16 and resp[0] == 0x81 and resp[3] == 0:
                snonce, sess = resp[4:12], int.from_bytes(resp[12:16], "little")
                c2s, s2c = B.seeds(cnonce, snonce, sess)
                codec.tx, codec.rx = B.Keystream(c2s), B.Keystream(s2c)
                self.snonce[c] = snonce
            return resp, closed
        if kind == "login":
            _, _, req, user, password = st
            body = request(0x02, req, B.string(user), B.proof(self.snonce.get(c, b""), user, password))
        elif kind in ("req", "badcrc"):
            body = st[2]
        else:  # raw
            self._send(c, st[2])
            return self._recv(c, codec)
        frame = codec.encode(body)
        if kind == "badcrc":
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        self._send(c, frame)
        return self._recv(c, codec)

    def _send(self, c: int, data: bytes) -> None:
        self.t.send(c, data)

    def _recv(self, c: int, codec: B.Codec) -> tuple[bytes | None, bool]:
        return self.t.recv_frame(c, codec)


class MemClientTransport(MemTransport):
    """MemTransport whose server output goes to the client's codec."""

    def __init__(self, broker: B.Broker, rng: random.Random) -> None:
        super().__init__(broker, rng)
        self.client: Client | None = None
        self.results: list[tuple[bytes | None, bool] | None] = []

    def send(self, c: int, data: bytes) -> None:
        start = len(self.log)
        super().send(c, data)
        assert self.client is not None
        for conn, kind, payload in self.log[start:]:
            if conn == c and kind == "<":
                self.client.codecs[c].feed(payload)


class SocketTransport:
    """A candidate server over TCP."""

    def __init__(self, port: int, timeout: float = 3.0) -> None:
        self.port, self.timeout = port, timeout
        self.socks: dict[int, socket.socket] = {}
        self.eof: dict[int, bool] = {}

    def open(self, c: int) -> None:
        self.socks[c] = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.eof[c] = False

    def send(self, c: int, data: bytes) -> None:
        try:
            self.socks[c].sendall(data)
        except OSError:
            self.eof[c] = True

    def _fill(self, c: int, codec: B.Codec, deadline: float) -> bool:
        sock = self.socks[c]
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except TimeoutError:
            return False
        except OSError:
            data = b""
        if not data:
            self.eof[c] = True
            return False
        codec.feed(data)
        return True

    def recv_frame(self, c: int, codec: B.Codec) -> tuple[bytes | None, bool]:
        deadline = time.monotonic() + self.timeout
        body = None
        while body is None and not self.eof[c] and time.monotonic() < deadline:
            body = codec.next_frame()
            if body is None and not self._fill(c, codec, deadline):
                break
        if body is None:
            body = codec.next_frame()
        return body, self.eof[c]

    def settle_close(self, c: int, timeout: float) -> bool:
        """After a response the reference closes on: True when EOF arrives in time."""
        deadline = time.monotonic() + timeout
        while not self.eof[c] and time.monotonic() < deadline:
            codec = B.Codec()
            if not self._fill(c, codec, deadline) and not self.eof[c]:
                return False
        return self.eof[c]

    def close(self, c: int) -> None:
        self.socks[c].close()
        time.sleep(0.2)

    def shutdown(self) -> None:
        for s in self.socks.values():
            s.close()


def make_script(rng: random.Random, accounts: list[tuple[bytes, bytes]], flavour: str) -> tuple[list[tuple], MemClientTransport]:
    """Make one server run's script against the in-memory reference, choosing each request from
    the state so far. flavour tilts the mix ('basic', 'errors', 'leases', 'paging', 'frames')."""
    broker = B.Broker(accounts)
    t = MemClientTransport(broker, rng)
    client = Client(t)
    t.client = client
    script: list[tuple] = []
    results: list[tuple[bytes | None, bool] | None] = []
    t.results = results
    state: dict[int, dict] = {}

    def run(st: tuple) -> tuple[bytes | None, bool] | None:
        script.append(st)
        results.append(client.step(st))
        return results[-1]

    def qnames() -> list[bytes]:
        return sorted(broker.queues)

    def payload() -> bytes:
        r = rng.random()
        if r < 0.35:
            return " ".join(rng.choice(TEXT) for _ in range(rng.randint(1, 6))).encode()
        if r < 0.7:
            words = [rng.choice(TEXT) for _ in range(rng.randint(3, 8))]
            return ((" ".join(words) + " | ") * rng.randint(3, 12)).encode()
        if r < 0.95:
            return rng.randbytes(rng.randint(0, 120))
        return bytes(rng.randint(0, 3)) * rng.randint(2040, 2060)

    def connect(c: int) -> bool:
        run(("open", c))
        if rng.random() < 0.06:
            run(("raw", c, rng.choice((b"GET / HTTP/1.0\r\n\r\n", rng.randbytes(12)))))
            return False
        if rng.random() < 0.05:
            # a valid frame, but not a HELLO
            run(("req", c, request(0x0A, 1, B.string(b"ping"))))
            return False
        version = 2 if rng.random() < 0.05 else 3
        name = rng.choice((b"qcli/3.0.4", b"qcli/3.1.0", b"ops-dashboard", b"ingest-worker-" + str(rng.randint(1, 9)).encode()))
        resp, closed = run(("hello", c, version, rng.randbytes(8), name))
        if closed:
            return False
        state[c] = {"req": rng.randint(1, 40), "user": None, "leased": []}
        return True

    def nextreq(c: int) -> int:
        state[c]["req"] += rng.choice((1, 1, 1, 2, 3))
        return state[c]["req"]

    def login(c: int) -> bool:
        if rng.random() < 0.25:
            user, password = rng.choice(accounts)
            bad = rng.choice(((user, password + b"x"), (b"nobody", b"guess"), (user.upper(), password)))
            resp, closed = run(("login", c, nextreq(c), *bad))
            if closed:
                return False
        if flavour == "errors" and rng.random() < 0.3:
            for _ in range(2):
                resp, closed = run(("login", c, nextreq(c), b"admin", b"admin"))
                if closed:
                    return False
        user, password = rng.choice(accounts)
        resp, closed = run(("login", c, nextreq(c), user, password))
        if resp and resp[3] == 0:
            state[c]["user"] = user
        return not closed

    def op(c: int) -> bool:
        """One random request on connection c; False when the server closed it."""
        names = qnames()
        r = rng.random()
        req = nextreq(c)
        weights = {
            "basic": (0.12, 0.35, 0.55, 0.68, 0.76, 0.82, 0.88),
            "errors": (0.15, 0.3, 0.45, 0.55, 0.65, 0.72, 0.8),
            "leases": (0.08, 0.4, 0.7, 0.8, 0.88, 0.9, 0.94),
            "paging": (0.35, 0.5, 0.6, 0.65, 0.72, 0.9, 0.95),
            "frames": (0.12, 0.35, 0.55, 0.68, 0.76, 0.82, 0.88),
        }[flavour]
        pick = rng.choice(names) if names and rng.random() < 0.85 else rng.choice(WORDS).encode()
        if r < weights[0]:
            if rng.random() < 0.15:
                name = rng.choice((b"Bad_Name", b"", b"x" * 33, b"-lead", b"ok.name-" + b"z" * 24, b"spa ce"))
            else:
                name = rng.choice(WORDS).encode() + (b"." + str(rng.randint(1, 30)).encode() if rng.random() < 0.5 else b"")
            max_len = rng.choice((rng.randint(1, 6), rng.randint(5, 50), 1000, 0, 1001)) if flavour == "errors" else rng.choice((rng.randint(1, 4), rng.randint(2, 40)))
            body = request(0x03, req, B.string(name), B.uvarint(max_len))
        elif r < weights[1]:
            prio = rng.randint(0, 9) if rng.random() < 0.95 else rng.randint(10, 255)
            body = request(0x04, req, B.string(pick), bytes([prio]), B.string(payload()))
        elif r < weights[2]:
            body = request(0x05, req, B.string(pick))
        elif r < weights[3]:
            leased = state[c]["leased"]
            if leased and rng.random() < 0.8:
                qn, mid = leased.pop(rng.randrange(len(leased)))
            else:
                qn, mid = pick, rng.randint(1, 12)
            body = request(0x06, req, B.string(qn), B.uvarint(mid))
        elif r < weights[4]:
            body = request(0x07, req, B.string(pick))
        elif r < weights[5]:
            body = request(0x08, req, B.uvarint(rng.choice((0, 0, 5, 10, rng.randint(0, 20)))))
        elif r < weights[6]:
            body = request(0x09, req, B.string(pick))
        else:
            x = rng.random()
            if x < 0.4:
                body = request(0x0A, req, B.string(payload()))
            elif x < 0.6:
                body = request(rng.choice((0x01, 0x0B, 0x10, 0x42, 0x1A)), req, rng.randbytes(rng.randint(0, 6)))
            elif x < 0.8:
                old = max(0, req - rng.randint(1, 4) - 3)
                state[c]["req"] -= 1
                body = request(0x07, old, B.string(pick))
            else:
                body = request(0x03, req, b"\x05ab")  # truncated fields
        resp, closed = run(("req", c, body))
        if resp and resp[0] == 0x85 and resp[3] == 0:
            mid, _ = B.read_uvarint(resp, 4)
            state[c]["leased"].append((body[4 : 4 + body[3]], mid))
        return not closed

    conns = {"leases": 3, "paging": 2}.get(flavour, rng.randint(1, 3))
    live: list[int] = []
    nxt = 1
    for _ in range(conns):
        if connect(nxt) and (rng.random() < 0.2 or login(nxt)):
            live.append(nxt)
        nxt += 1
    if flavour == "errors" and live:
        c = live[0]
        run(("req", c, request(0x07, nextreq(c), B.string(b"jobs"))))
    steps = rng.randint(25, 60)
    for _ in range(steps):
        if not live:
            break
        c = rng.choice(live)
        if (state[c]["user"] is None and rng.random() < 0.3) or rng.random() < 0.01:
            if not login(c):
                live.remove(c)
            continue
        x = rng.random()
        if flavour == "frames" and x < 0.04:
            run(("badcrc", c, request(0x0A, nextreq(c), B.string(b"are you there"))))
            live.remove(c)
            continue
        if flavour in ("leases", "basic") and x < 0.03 and len(live) > 1:
            run(("close", c))
            live.remove(c)
            if connect(nxt) and login(nxt):
                live.append(nxt)
            nxt += 1
            continue
        if not op(c):
            live.remove(c)
    for c in live:
        if rng.random() < 0.7:
            run(("req", c, request(0x0F, nextreq(c))))
        else:
            run(("close", c))
    return script, t


def capture_text(run_no: int, t: MemClientTransport, rng: random.Random) -> str:
    rows = [
        f"=== run {run_no:03d} ===",
        f"# qbroker capture, server run {run_no:03d}: a freshly started server; accounts.txt as given.",
        "# One line per TCP segment: time_s connection direction hex ('>' client to server,",
        "# '<' server to client), or an event: open, close client, close server.",
    ]
    clock = rng.uniform(0, 2)
    for c, kind, data in t.log:
        clock += rng.uniform(0.0001, 0.02)
        if kind in ("<", ">"):
            rows.append(f"{clock:.6f} c{c} {kind} {data.hex()}")
        else:
            rows.append(f"{clock:.6f} c{c} {kind}")
    return "\n".join(rows) + "\n"
