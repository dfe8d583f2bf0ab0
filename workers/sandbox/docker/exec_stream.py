"""Reading an exec's output: Docker's multiplexed stream, read with a deadline into bounded buffers.

`exec_run` has no timeout, and a command whose children escape its process group can keep the
stream open forever; reading the socket ourselves with a deadline means the worker never blocks on
one. Output is kept as its first and last halves, so a command that prints gigabytes costs a
bounded amount of memory and still shows how it began and ended.
"""

from __future__ import annotations

import math
import select
import socket
import struct
import time
from typing import Any


class BoundedBuffer:
    """Keeps the first and last `limit/2` bytes of a stream and counts the total."""

    def __init__(self, limit: int) -> None:
        self.head_limit = limit // 2
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        """Count the bytes and keep those that fit in the head or the tail."""
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.tail_limit:
                del self.tail[: len(self.tail) - self.tail_limit]

    @property
    def cut(self) -> bool:
        """Whether bytes were dropped from the middle."""
        return self.total > len(self.head) + len(self.tail)

    def data(self) -> bytes:
        """The bytes kept: all of them unless `cut`."""
        return bytes(self.head) + bytes(self.tail)

    def text(self) -> str:
        """The kept bytes as text, with a line saying how much was cut from the middle."""
        if self.cut:
            middle = f"\n[... {self.total - len(self.head) - len(self.tail)} bytes cut of {self.total} ...]\n"
            return (bytes(self.head) + middle.encode() + bytes(self.tail)).decode("utf-8", errors="replace")
        return self.data().decode("utf-8", errors="replace")


class ExecStream:
    """Reads Docker's multiplexed exec stream (8-byte frame headers) with a deadline."""

    def __init__(self, hijacked: Any, max_bytes: int) -> None:
        self._hijacked = hijacked
        raw = getattr(hijacked, "_sock", hijacked)
        self.sock: socket.socket = raw
        self.stdout = BoundedBuffer(max_bytes)
        self.stderr = BoundedBuffer(max_bytes)
        self._pending = b""
        self.eof = False

    def send_and_close_input(self, data: bytes, timeout_s: float) -> None:
        """Write the command's standard input and close it, within `timeout_s`."""
        # Bounded: if the command exits without reading its input, the daemon stops reading too.
        self.sock.settimeout(timeout_s)
        try:
            self.sock.sendall(data)
            self.sock.shutdown(socket.SHUT_WR)
        finally:
            self.sock.settimeout(None)

    def _readable(self, wait_s: float) -> bool:
        pending = getattr(self.sock, "pending", None)
        if pending is not None and pending() > 0:  # TLS socket with buffered plaintext
            return True
        # poll, not select: a worker holding many runs has descriptors above select's 1024.
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(math.ceil(max(0.0, wait_s) * 1000)))

    def read_until(self, deadline: float) -> bool:
        """Read frames until end of stream (True) or the monotonic deadline passes (False)."""
        while not self.eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._readable(remaining):
                return False
            chunk = self.sock.recv(65536)
            if not chunk:
                self.eof = True
                break
            self._pending += chunk
            self._parse()
        return True

    def _parse(self) -> None:
        while len(self._pending) >= 8:
            stream_type, size = struct.unpack(">BxxxL", self._pending[:8])
            if len(self._pending) < 8 + size:
                return
            payload = self._pending[8 : 8 + size]
            self._pending = self._pending[8 + size :]
            (self.stderr if stream_type == 2 else self.stdout).add(payload)

    def close(self) -> None:
        """Close the socket and the response it came from."""
        for closable in (self.sock, self._hijacked):
            try:
                closable.close()
            except OSError:
                pass
