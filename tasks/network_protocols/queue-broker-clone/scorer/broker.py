#!/usr/bin/env python3
"""qbroker 3: the reference implementation of the undocumented queue-broker protocol (the
secret of this task). Used by generate.py to make the captures, by the scorer's conformance
client, and (copied as server.py) by the reference solution.

    python3 broker.py --port PORT      serve on 127.0.0.1:PORT (accounts.txt from the cwd)

Wire format, per frame: magic C3, flags (bit 0 compressed, bit 1 obfuscated), LEB128 length of
the body as sent, the body, CRC-16 (poly 0x8BB7, init 0x1D0F, no reflection, no final xor) over
flags + length + body as sent, big-endian. Body processing when sending: compress (LZ, prefixed
by the LEB128 plain length), then obfuscate (XOR with a per-direction xorshift32 keystream,
four little-endian bytes per step, running across frames). Seeds: fold(cnonce) ^ fold(snonce)
client to server, that ^ session id server to client; fold = XOR of the two LE 32-bit halves.
Plain body: opcode, request id (u16 LE), [response: status], fields (LEB128 ints, strings as
LEB128 length + bytes).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sys
import threading
from pathlib import Path

MAGIC = 0xC3
BANNER = b"qbroker/3.1 ready"
PAGE = 5
QUOTA = 4
MAX_PAYLOAD = 2048
MAX_LEN = 1000
NAME_RE = re.compile(rb"[a-z0-9][a-z0-9.-]{0,31}")

# status codes
OK, BAD_CREDS, NOT_LOGGED, EXISTS, BAD_NAME, QUOTA_FULL, NO_QUEUE, FULL, TOO_BIG = 0, 1, 2, 3, 4, 5, 6, 7, 8
EMPTY, NOT_LEASED, NOT_OWNER, NOT_EMPTY, REPLAY, BAD_FRAME, ALREADY, BAD_MAXLEN, BAD_PRIO = 9, 10, 11, 12, 13, 14, 15, 16, 17
BAD_VERSION, BAD_OPCODE, BAD_REQUEST = 0x20, 0x30, 0x31


def crc16(data: bytes) -> int:
    crc = 0x1D0F
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8BB7) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if pos >= len(buf) or shift > 35:
            raise ValueError("bad varint")
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, pos


def string(b: bytes) -> bytes:
    return uvarint(len(b)) + b


def read_string(buf: bytes, pos: int) -> tuple[bytes, int]:
    n, pos = read_uvarint(buf, pos)
    if pos + n > len(buf):
        raise ValueError("short string")
    return buf[pos : pos + n], pos + n


def lz_compress(data: bytes) -> bytes:
    out = bytearray(uvarint(len(data)))
    table: dict[bytes, int] = {}
    i = 0
    while i < len(data):
        ctrl_at = len(out)
        out.append(0)
        for bit in range(8):
            if i >= len(data):
                break
            key = data[i : i + 3]
            cand = table.get(key, -1) if len(key) == 3 else -1
            best = 0
            if cand >= 0 and i - cand <= 4096:
                while best < 18 and i + best < len(data) and data[cand + best] == data[i + best]:
                    best += 1
            if best >= 3:
                off = i - cand - 1
                out[ctrl_at] |= 1 << bit
                out += bytes([off & 0xFF, (off >> 8) << 4 | (best - 3)])
                for j in range(i, i + best):
                    if j + 3 <= len(data):
                        table[data[j : j + 3]] = j
                i += best
            else:
                if len(key) == 3:
                    table[key] = i
                out.append(data[i])
                i += 1
    return bytes(out)


def lz_decompress(buf: bytes) -> bytes:
    size, pos = read_uvarint(buf, 0)
    out = bytearray()
    while len(out) < size:
        if pos >= len(buf):
            raise ValueError("short compressed body")
        ctrl = buf[pos]
        pos += 1
        for bit in range(8):
            if len(out) >= size:
                break
            if ctrl >> bit & 1:
                if pos + 2 > len(buf):
                    raise ValueError("short back-reference")
                off = (buf[pos] | (buf[pos + 1] >> 4) << 8) + 1
                length = (buf[pos + 1] & 15) + 3
                pos += 2
                if off > len(out):
                    raise ValueError("back-reference before start")
                for _ in range(length):
                    out.append(out[-off])
            else:
                if pos >= len(buf):
                    raise ValueError("short literal")
                out.append(buf[pos])
                pos += 1
    if len(out) != size:
        raise ValueError("size mismatch")
    return bytes(out)


class Keystream:
    def __init__(self, seed: int) -> None:
        self.x = seed & 0xFFFFFFFF or 1
        self.buf = b""

    def take(self, n: int) -> bytes:
        while len(self.buf) < n:
            x = self.x
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            self.x = x
            self.buf += x.to_bytes(4, "little")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def fold(b: bytes) -> int:
    return int.from_bytes(b[:4], "little") ^ int.from_bytes(b[4:8], "little")


def seeds(cnonce: bytes, snonce: bytes, session: int) -> tuple[int, int]:
    c2s = fold(cnonce) ^ fold(snonce)
    return c2s, c2s ^ session


class Codec:
    """One direction pair of a connection: encodes what this side sends, decodes what it gets."""

    def __init__(self) -> None:
        self.tx: Keystream | None = None
        self.rx: Keystream | None = None
        self.inbuf = b""

    def encode(self, body: bytes, compress_over: int = 40) -> bytes:
        flags = 0
        if len(body) > compress_over:
            packed = lz_compress(body)
            if len(packed) < len(body):
                body, flags = packed, flags | 1
        if self.tx is not None:
            body = bytes(a ^ b for a, b in zip(body, self.tx.take(len(body)), strict=True))
            flags |= 2
        head = bytes([flags]) + uvarint(len(body))
        return bytes([MAGIC]) + head + body + crc16(head + body).to_bytes(2, "big")

    def feed(self, data: bytes) -> None:
        self.inbuf += data

    def next_frame(self) -> bytes | None:
        """The next plain body, None when incomplete; ValueError on a bad frame."""
        buf = self.inbuf
        if not buf:
            return None
        if buf[0] != MAGIC:
            raise ValueError("bad magic")
        if len(buf) < 3:
            return None
        flags = buf[1]
        try:
            n, pos = read_uvarint(buf, 2)
        except ValueError:
            if len(buf) < 8:
                return None
            raise
        if n > 65536:
            raise ValueError("frame too long")
        if len(buf) < pos + n + 2:
            return None
        body = buf[pos : pos + n]
        if crc16(buf[1 : pos + n]) != int.from_bytes(buf[pos + n : pos + n + 2], "big"):
            raise ValueError("bad crc")
        self.inbuf = buf[pos + n + 2 :]
        if flags & 2:
            if self.rx is None:
                raise ValueError("obfuscated before handshake")
            body = bytes(a ^ b for a, b in zip(body, self.rx.take(len(body)), strict=True))
        if flags & 1:
            body = lz_decompress(body)
        return body


def load_accounts(path: Path) -> list[tuple[bytes, bytes]]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            user, password = line.split(":", 1)
            out.append((user.strip().encode(), password.strip().encode()))
    return out


def proof(snonce: bytes, user: bytes, password: bytes) -> bytes:
    return hashlib.sha256(snonce + user + b":" + password).digest()[:8]


class Queue:
    def __init__(self, qid: int, owner: bytes, max_len: int) -> None:
        self.qid, self.owner, self.max_len = qid, owner, max_len
        self.next_id = 1
        self.ready: dict[int, tuple[int, int, bytes]] = {}  # id -> (priority, deliveries, payload)
        self.leased: dict[int, tuple[int, int, bytes, int]] = {}  # id -> (..., session)


class Broker:
    """The shared state and the request semantics; thread-safe through one lock."""

    def __init__(self, accounts: list[tuple[bytes, bytes]]) -> None:
        self.accounts = accounts
        self.queues: dict[bytes, Queue] = {}
        self.next_qid = 1
        self.lock = threading.Lock()

    def release(self, sid: int) -> None:
        with self.lock:
            for q in self.queues.values():
                for mid, (prio, dl, payload, owner) in list(q.leased.items()):
                    if owner == sid:
                        del q.leased[mid]
                        q.ready[mid] = (prio, dl, payload)


class Session:
    """One connection's protocol state. handle() takes a plain request body and returns
    (plain response body or None, close_after)."""

    counter = 0

    def __init__(self, broker: Broker, snonce: bytes, session_id: int) -> None:
        self.broker, self.snonce, self.session_id = broker, snonce, session_id
        Session.counter += 1
        self.sid = Session.counter
        self.hello = False
        self.user: bytes | None = None
        self.last_req = -1
        self.failures = 0

    def handle(self, body: bytes) -> tuple[bytes | None, bool]:
        if len(body) < 3:
            return None, True
        op, req = body[0], int.from_bytes(body[1:3], "little")
        if not self.hello:
            if op != 0x01:
                return None, True
            if len(body) < 12:
                return None, True
            if body[3] != 3:
                return bytes([0x81]) + body[1:3] + bytes([BAD_VERSION]), True
            self.hello = True
            self.last_req = req
            return bytes([0x81]) + body[1:3] + bytes([OK]) + self.snonce + self.session_id.to_bytes(4, "little") + string(BANNER), False
        head = bytes([op | 0x80]) + body[1:3]
        if req <= self.last_req:
            return head + bytes([REPLAY]), False
        self.last_req = req
        try:
            with self.broker.lock:
                status, fields, close = self.dispatch(op, body, 3)
        except ValueError:
            status, fields, close = BAD_REQUEST, b"", False
        return head + bytes([status]) + fields, close

    def dispatch(self, op: int, b: bytes, p: int) -> tuple[int, bytes, bool]:
        br = self.broker
        if op == 0x0A:  # PING
            data, p = read_string(b, p)
            return OK, string(data), False
        if op == 0x0F:  # BYE
            return OK, b"", True
        if op == 0x02:  # LOGIN
            user, p = read_string(b, p)
            if p + 8 > len(b):
                raise ValueError("short proof")
            given = b[p : p + 8]
            if self.user is not None:
                return ALREADY, b"", False
            for uid, (name, password) in enumerate(br.accounts, 1):
                if name == user and proof(self.snonce, name, password) == given:
                    self.user, self.failures = name, 0
                    return OK, uvarint(uid), False
            self.failures += 1
            return BAD_CREDS, b"", self.failures >= 3
        if op not in range(0x03, 0x0A):
            return BAD_OPCODE, b"", False
        if self.user is None:
            return NOT_LOGGED, b"", False
        if op == 0x08:  # LIST
            cursor, p = read_uvarint(b, p)
            names = sorted(br.queues)
            page = names[cursor : cursor + PAGE]
            nxt = cursor + PAGE if cursor + PAGE < len(names) else 0
            return OK, uvarint(len(page)) + b"".join(string(n) for n in page) + uvarint(nxt), False
        name, p = read_string(b, p)
        if op == 0x03:  # CREATE
            max_len, p = read_uvarint(b, p)
            if not NAME_RE.fullmatch(name):
                return BAD_NAME, b"", False
            if name in br.queues:
                return EXISTS, b"", False
            if not 1 <= max_len <= MAX_LEN:
                return BAD_MAXLEN, b"", False
            if sum(q.owner == self.user for q in br.queues.values()) >= QUOTA:
                return QUOTA_FULL, b"", False
            br.queues[name] = Queue(br.next_qid, self.user, max_len)
            br.next_qid += 1
            return OK, uvarint(br.queues[name].qid), False
        q = br.queues.get(name)
        if op == 0x04:  # PUT
            if p >= len(b):
                raise ValueError("short put")
            prio = b[p]
            payload, p = read_string(b, p + 1)
            if q is None:
                return NO_QUEUE, b"", False
            if prio > 9:
                return BAD_PRIO, b"", False
            if len(payload) > MAX_PAYLOAD:
                return TOO_BIG, b"", False
            if len(q.ready) + len(q.leased) >= q.max_len:
                return FULL, b"", False
            mid = q.next_id
            q.next_id += 1
            q.ready[mid] = (prio, 0, payload)
            return OK, uvarint(mid), False
        if q is None:
            return NO_QUEUE, b"", False
        if op == 0x05:  # GET
            if not q.ready:
                return EMPTY, b"", False
            mid = min(q.ready, key=lambda m: (-q.ready[m][0], m))
            prio, dl, payload = q.ready.pop(mid)
            q.leased[mid] = (prio, dl + 1, payload, self.sid)
            return OK, uvarint(mid) + bytes([prio]) + uvarint(dl + 1) + string(payload), False
        if op == 0x06:  # ACK
            mid, p = read_uvarint(b, p)
            entry = q.leased.get(mid)
            if entry is None or entry[3] != self.sid:
                return NOT_LEASED, b"", False
            del q.leased[mid]
            return OK, b"", False
        if op == 0x07:  # STAT
            return OK, uvarint(len(q.ready)) + uvarint(len(q.leased)) + string(q.owner) + uvarint(q.max_len) + uvarint(q.next_id), False
        # DROP
        if q.owner != self.user:
            return NOT_OWNER, b"", False
        if q.ready or q.leased:
            return NOT_EMPTY, b"", False
        del br.queues[name]
        return OK, b"", False


class ServerConn:
    """Server side of one connection, transport-free: bytes in, bytes out."""

    def __init__(self, broker: Broker, snonce: bytes, session_id: int) -> None:
        self.codec = Codec()
        self.session = Session(broker, snonce, session_id)
        self.closed = False

    def receive(self, data: bytes) -> bytes:
        out = b""
        self.codec.feed(data)
        while not self.closed:
            try:
                body = self.codec.next_frame()
            except ValueError:
                out += self.codec.encode(bytes([0xFF, 0, 0, BAD_FRAME]))
                self.close()
                break
            if body is None:
                break
            first = not self.session.hello
            resp, close = self.session.handle(body)
            if resp is not None:
                out += self.codec.encode(resp)
            if first and self.session.hello:
                c2s, s2c = seeds(body[4:12], self.session.snonce, self.session.session_id)
                self.codec.rx, self.codec.tx = Keystream(c2s), Keystream(s2c)
            if close:
                self.close()
        return out

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.session.broker.release(self.session.sid)


def serve(port: int) -> None:
    broker = Broker(load_accounts(Path("accounts.txt")))
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)

    def run(sock: socket.socket) -> None:
        conn = ServerConn(broker, os.urandom(8), int.from_bytes(os.urandom(4), "little"))
        try:
            while not conn.closed:
                data = sock.recv(65536)
                if not data:
                    break
                out = conn.receive(data)
                if out:
                    sock.sendall(out)
        except OSError:
            pass
        finally:
            conn.close()
            sock.close()

    while True:
        sock, _ = listener.accept()
        threading.Thread(target=run, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--port":
        sys.exit("usage: broker.py --port PORT")
    serve(int(sys.argv[2]))
