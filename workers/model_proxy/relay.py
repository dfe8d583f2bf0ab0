"""Inside the sandbox: offer the model proxy's Unix socket at 127.0.0.1:<port>, then run the agent.

    python3 relay.py --port 8787 --socket /run/horizon/model.sock -- program arg ...

The sandbox has no network, only its own loopback, and agent programs that speak HTTP want a base
URL, not a socket path. This script listens on the loopback port, copies each connection to and
from the socket (the proxy does all the checking), starts the program once it listens, and exits
with the program's exit status. It is copied into the attempt's read-only folder by the worker and
needs nothing but the Python standard library of the task image (python3 is in every image built
on horizon-base).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading

BUFFER_BYTES = 65_536
MAX_CONNECTIONS = 64


def pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes from `source` to `sink` until either side closes."""
    try:
        while True:
            data = source.recv(BUFFER_BYTES)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end, how in ((sink, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                end.shutdown(how)
            except OSError:
                pass


def serve(client: socket.socket, path: str, slots: threading.BoundedSemaphore) -> None:
    """Join one loopback connection to a new connection on the proxy's socket."""
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(path)
        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join()
    except OSError:
        pass
    finally:
        upstream.close()
        client.close()
        slots.release()


def accept_forever(listener: socket.socket, path: str) -> None:
    """Serve each loopback connection on its own thread, at most MAX_CONNECTIONS at once."""
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    while True:
        client, _ = listener.accept()
        if not slots.acquire(blocking=False):
            client.close()
            continue
        threading.Thread(target=serve, args=(client, path, slots), daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Listen, run the program (if any) and return its exit status."""
    parser = argparse.ArgumentParser(description="Relay 127.0.0.1:<port> to the model proxy's socket.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--socket", required=True, help="the model proxy's Unix socket")
    parser.add_argument("program", nargs=argparse.REMAINDER, help="-- then the program and its arguments")
    args = parser.parse_args(argv)
    program = args.program[1:] if args.program[:1] == ["--"] else args.program
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(MAX_CONNECTIONS)
    threading.Thread(target=accept_forever, args=(listener, args.socket), daemon=True).start()
    if not program:
        threading.Event().wait()
        return 0
    try:
        return subprocess.call(program)
    except OSError as exc:
        sys.stderr.write(f"relay: cannot start {program[0]!r}: {exc}\n")
        return 127


if __name__ == "__main__":
    sys.exit(main())
