#!/usr/bin/env python3
"""Reference TALLY/2 client: python3 client.py PORT USER PASSWORD SCRIPT.

One lazily opened, authenticated connection per shard port; -MOVED switches port (and remembers
the key's port), -BUSY sleeps and resends, -IDLE / a dropped connection reconnects and resends
(the command was not executed). Values are read by length."""

import hashlib
import hmac
import socket
import sys
import time


class Conn:
    def __init__(self, port: int, user: str, password: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        greeting = self.line().decode()
        nonce = greeting.split()[2]
        proof = hmac.new(password.encode(), nonce.encode(), hashlib.sha256).hexdigest()
        self.sock.sendall(f"AUTH {user} {proof}\r\n".encode())
        if self.line() != b"+OK":
            raise SystemExit("authentication failed")
        self.last = time.monotonic()

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n + 2 :]
        return out


class Client:
    def __init__(self, port: int, user: str, password: str) -> None:
        self.base, self.user, self.password = port, user, password
        self.conns: dict[int, Conn] = {}
        self.route: dict[str, int] = {}

    def conn(self, port: int) -> Conn:
        c = self.conns.get(port)
        if c is None or time.monotonic() - c.last > 0.5:
            if c is not None:
                c.sock.close()
            c = self.conns[port] = Conn(port, self.user, self.password)
        return c

    def call(self, port: int, request: bytes, reader) -> object:
        while True:
            c = self.conn(port)
            try:
                c.sock.sendall(request)
                first = c.line()
            except (ConnectionError, OSError):
                self.conns.pop(port, None)
                continue
            c.last = time.monotonic()
            if first == b"-IDLE":
                self.conns.pop(port, None)
                continue
            if first.startswith(b"-BUSY "):
                time.sleep(int(first.split()[1]) / 1000 + 0.01)
                continue
            if first.startswith(b"-MOVED "):
                port = int(first.split()[1])
                continue
            return port, reader(c, first)

    def keycmd(self, key: str, request: bytes, reader) -> object:
        port, result = self.call(self.route.get(key, self.base), request, reader)
        self.route[key] = port
        return result


def read_get(c: Conn, first: bytes) -> str:
    if first == b"-NOTFOUND":
        return "NOTFOUND"
    return c.exact(int(first[1:])).hex()


def read_int(c: Conn, first: bytes) -> str:
    return first[1:].decode() if first.startswith(b":") else first.decode().lstrip("-")


def main() -> None:
    port, user, password, script = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    cl = Client(port, user, password)
    for raw in open(script, encoding="utf-8").read().splitlines():
        parts = raw.split()
        if not parts or parts[0].startswith("#"):
            continue
        op = parts[0].upper()
        if op == "GET":
            out = cl.keycmd(parts[1], f"GET {parts[1]}\r\n".encode(), read_get)
        elif op == "PUT":
            value = bytes.fromhex(parts[2])
            cl.keycmd(parts[1], f"PUT {parts[1]} {len(value)}\r\n".encode() + value + b"\r\n", lambda c, f: f)
            out = "OK"
        elif op == "DEL":
            out = cl.keycmd(parts[1], f"DEL {parts[1]}\r\n".encode(), read_int)
        elif op == "INCR":
            out = cl.keycmd(parts[1], f"INCR {parts[1]} {parts[2]}\r\n".encode(), read_int)
        elif op == "SCAN":
            keys, cursor = [], 0
            while True:
                def read_page(c: Conn, first: bytes) -> tuple[int, list[str]]:
                    page = []
                    while (line := c.line()) != b".":
                        page.append((line[1:] if line.startswith(b".") else line).decode())
                    return int(first[1:]), page

                _, (cursor, page) = cl.call(cl.base, f"SCAN {parts[1]} {cursor}\r\n".encode(), read_page)
                keys += page
                if cursor == 0:
                    break
            out = " ".join(keys) if keys else "(none)"
        elif op == "SLEEP":
            time.sleep(int(parts[1]) / 1000)
            out = "SLEPT"
        else:
            out = "ERROR"
        print(out, flush=True)


main()
