"""The exec stream reader works on a descriptor above 1024, as a worker holding many runs has."""

from __future__ import annotations

import os
import resource
import socket
import struct
import time

import pytest

from workers.sandbox.docker.exec_stream import ExecStream

HIGH_FD = 1500


def frame(stream: int, payload: bytes) -> bytes:
    """One frame of Docker's multiplexed stream: type, three zero bytes, length, payload."""
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_reads_frames_from_a_socket_numbered_above_select_limit() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= HIGH_FD:
        pytest.skip(f"the open-files limit ({soft}) is below {HIGH_FD}")
    ours, theirs = socket.socketpair()
    os.dup2(ours.fileno(), HIGH_FD)
    high = socket.socket(fileno=HIGH_FD)
    ours.close()
    stream = ExecStream(high, max_bytes=1024)
    try:
        # Nothing sent yet: the deadline passes without an error.
        assert stream.read_until(time.monotonic() + 0.05) is False
        theirs.sendall(frame(1, b"out\n") + frame(2, b"err\n"))
        theirs.close()
        assert stream.read_until(time.monotonic() + 5) is True
    finally:
        stream.close()
    assert stream.stdout.text() == "out\n"
    assert stream.stderr.text() == "err\n"
