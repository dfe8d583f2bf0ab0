#!/usr/bin/env python3
"""tallyd: the key-value server of the TALLY/2 line protocol (protocol.md). A development copy.

    python3 tallyd.py --port PORT [--data FILE.json] [--seed N]

listens on 127.0.0.1 ports PORT (shard 0), PORT+1 (shard 1) and PORT+2 (shard 2). FILE.json
holds the initial data ({"users": {name: password}, "store": {key: hex value}}); --seed drives
the BUSY replies. Ctrl-C stops it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import socket
import sys
import threading
import time
import zlib
from pathlib import Path

SHARDS = 3
PAGE = 4
IDLE_S = 0.8
BUSY_P = 0.12


def shard_of(key: bytes) -> int:
    return zlib.crc32(key) % SHARDS


class Store:
    def __init__(self, users: dict[str, str], data: dict[bytes, bytes], seed: int) -> None:
        self.users, self.data = users, data
        self.lock = threading.Lock()
        self.rng = random.Random(seed)


class Conn:
    def __init__(self, store: Store, sock: socket.socket, shard: int, base_port: int) -> None:
        self.store, self.sock, self.shard, self.base = store, sock, shard, base_port
        self.buf = b""
        self.user: str | None = None
        self.nonce = os.urandom(8).hex()
        self.busy_until = 0.0
        self.rng = random.Random(store.rng.getrandbits(32))

    def send(self, line: bytes) -> None:
        self.sock.sendall(line + b"\r\n")

    def read_line(self, deadline: float) -> bytes | None:
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exact(self, n: int, deadline: float) -> bytes | None:
        while len(self.buf) < n + 2:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        body, tail, self.buf = self.buf[:n], self.buf[n : n + 2], self.buf[n + 2 :]
        return body if tail == b"\r\n" else None

    def serve(self) -> None:
        self.send(f"+TALLY 2 {self.nonce}".encode())
        while True:
            try:
                line = self.read_line(time.monotonic() + IDLE_S)
            except TimeoutError:
                self.send(b"-IDLE")
                return
            if line is None:
                return
            words = line.split(b" ")
            cmd = words[0].upper()
            body = None
            if cmd == b"PUT" and len(words) == 3 and words[2].isdigit():
                try:
                    body = self.read_exact(int(words[2]), time.monotonic() + IDLE_S)
                except TimeoutError:
                    self.send(b"-IDLE")
                    return
                if body is None:
                    self.send(b"-ERR bad body")
                    return
            if time.monotonic() < self.busy_until:
                self.send(b"-TOOSOON")
                return
            if not self.handle(cmd, words[1:], body):
                return

    def handle(self, cmd: bytes, args: list[bytes], body: bytes | None) -> bool:
        st = self.store
        if cmd == b"QUIT":
            self.send(b"+BYE")
            return False
        if cmd == b"AUTH":
            if len(args) != 2:
                self.send(b"-ERR usage: AUTH user proof")
                return True
            user = args[0].decode(errors="replace")
            password = st.users.get(user)
            want = hmac.new(password.encode(), self.nonce.encode(), hashlib.sha256).hexdigest() if password else None
            if want is not None and hmac.compare_digest(want, args[1].decode(errors="replace").lower()):
                self.user = user
                self.send(b"+OK")
            else:
                self.send(b"-DENIED")
            return True
        if cmd not in (b"GET", b"PUT", b"DEL", b"INCR", b"SCAN"):
            self.send(b"-ERR unknown command")
            return True
        if self.user is None:
            self.send(b"-NOAUTH")
            return True
        if self.rng.random() < BUSY_P:
            ms = self.rng.randint(50, 400)
            self.busy_until = time.monotonic() + ms / 1000
            self.send(f"-BUSY {ms}".encode())
            return True
        if cmd == b"SCAN":
            if len(args) != 2 or not args[1].isdigit():
                self.send(b"-ERR usage: SCAN prefix cursor")
                return True
            if self.shard != 0:
                self.send(f"-MOVED {self.base}".encode())
                return True
            with st.lock:
                keys = sorted(k for k in st.data if k.startswith(args[0]))
            cur = int(args[1])
            page = keys[cur : cur + PAGE]
            nxt = cur + PAGE if cur + PAGE < len(keys) else 0
            self.send(f"*{nxt}".encode())
            for k in page:
                self.send(b"." + k if k.startswith(b".") else k)
            self.send(b".")
            return True
        if not args or len(args[0]) > 64:
            self.send(b"-ERR bad key")
            return True
        key = args[0]
        if shard_of(key) != self.shard:
            self.send(f"-MOVED {self.base + shard_of(key)}".encode())
            return True
        with st.lock:
            if cmd == b"GET":
                value = st.data.get(key)
                if value is None:
                    self.send(b"-NOTFOUND")
                else:
                    self.sock.sendall(f"${len(value)}\r\n".encode() + value + b"\r\n")
            elif cmd == b"PUT":
                if body is None:
                    self.send(b"-ERR usage: PUT key length")
                else:
                    st.data[key] = body
                    self.send(b"+OK")
            elif cmd == b"DEL":
                self.send(b":1" if st.data.pop(key, None) is not None else b":0")
            else:  # INCR
                try:
                    delta = int(args[1]) if len(args) == 2 else None
                except ValueError:
                    delta = None
                if delta is None:
                    self.send(b"-ERR usage: INCR key delta")
                    return True
                old = st.data.get(key, b"0")
                try:
                    value = int(old.decode("ascii")) + delta
                except ValueError:
                    self.send(b"-WRONGTYPE")
                    return True
                st.data[key] = str(value).encode()
                self.send(f":{value}".encode())
        return True


class Server:
    """The three shard listeners, run in daemon threads."""

    def __init__(self, port: int, users: dict[str, str], data: dict[bytes, bytes], seed: int) -> None:
        self.store = Store(users, data, seed)
        self.port = port
        self.listeners = []
        for shard in range(SHARDS):
            ls = socket.socket()
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(("127.0.0.1", port + shard))
            ls.listen(16)
            self.listeners.append(ls)
            threading.Thread(target=self.accept, args=(ls, shard), daemon=True).start()

    def accept(self, ls: socket.socket, shard: int) -> None:
        while True:
            try:
                sock, _ = ls.accept()
            except OSError:
                return
            threading.Thread(target=self.run, args=(sock, shard), daemon=True).start()

    def run(self, sock: socket.socket, shard: int) -> None:
        with self.store.lock:
            conn = Conn(self.store, sock, shard, self.port)
        try:
            conn.serve()
        except OSError:
            pass
        finally:
            sock.close()

    def close(self) -> None:
        for ls in self.listeners:
            ls.close()


def main() -> None:
    args = sys.argv[1:]
    opts = dict(zip(args[::2], args[1::2], strict=False))
    if "--port" not in opts:
        sys.exit(__doc__)
    cfg = {"users": {"demo": "demo-password"}, "store": {}}
    if "--data" in opts:
        cfg = json.loads(Path(opts["--data"]).read_text())
    data = {k.encode(): bytes.fromhex(v) for k, v in cfg["store"].items()}
    Server(int(opts["--port"]), cfg["users"], data, int(opts.get("--seed", "1")))
    print(f"tallyd listening on 127.0.0.1:{opts['--port']}..{int(opts['--port']) + SHARDS - 1}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
