#!/usr/bin/env python3
"""Runs one incarnation of a node in its own process for raftsim/sim.py. Protocol on standard input
and output, one JSON object per line: the first line starts the node, each later line is a list of
events for one tick; each answer lists the node's actions in the order it made them. Anything the
node prints goes to standard error."""

import importlib.util
import json
import os
import sys


class IO:
    def __init__(self) -> None:
        self.actions: list[list] = []

    def send(self, dst, msg):
        self.actions.append(["send", dst, msg])

    def store(self, key, value):
        self.actions.append(["store", key, value])

    def apply(self, index, entry):
        self.actions.append(["apply", index, entry])

    def reply(self, op_id, result):
        self.actions.append(["reply", op_id, result])


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    io = IO()

    def answer(error: str | None = None) -> None:
        try:
            line = json.dumps({"error": error} if error else {"actions": io.actions})
        except (TypeError, ValueError) as exc:
            line = json.dumps({"error": f"an action's value is not JSON: {exc}"})
        io.actions = []
        protocol.write(line + "\n")
        protocol.flush()

    start = json.loads(sys.stdin.readline())
    try:
        spec = importlib.util.spec_from_file_location("node", sys.argv[1])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        node = module.Node(start["id"], start["peers"], start["disk"], start["seed"], io)
    except Exception as exc:  # noqa: BLE001 - reported to the simulator
        answer(f"{type(exc).__name__}: {exc} when starting")
        return
    answer()
    for line in sys.stdin:
        try:
            for event in json.loads(line):
                if event[0] == "message":
                    node.on_message(event[1], event[2])
                elif event[0] == "request":
                    node.on_request(event[1])
                else:
                    node.on_tick()
        except Exception as exc:  # noqa: BLE001
            answer(f"{type(exc).__name__}: {exc} handling {event[0]}")
            return
        answer()


if __name__ == "__main__":
    main()
