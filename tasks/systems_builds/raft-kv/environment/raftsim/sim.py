#!/usr/bin/env python3
"""raftsim: a deterministic simulator of five key-value server nodes on a faulty network, and the
checker that judges a run. Usage: python3 raftsim/sim.py NODE.py [--seed S] [--json] [--replay]

NODE.py defines class Node (see the task's instructions). One seed fixes the whole run: the fault
schedule, message delays, losses and duplicates, the clients' operations and the seeds handed to
the nodes. The same node code and seed always give the same run. Each node incarnation runs in its
own process (host.py); --replay then runs every incarnation again, alone, on its recorded inputs
and fails the run if any answer differs."""

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

N = 5
FAULT_TICKS = 2000  # faults happen before this tick
SUBMIT_UNTIL = 2200  # clients start new operations before this tick
END = 3600  # the run stops here; every operation must have been answered by then
CLIENTS = 4
RETRY = 40  # a client resends its operation to the next node after this many ticks
KEYS = ["a", "b", "c"]
HOST = Path(__file__).resolve().parent / "host.py"


class Violation(Exception):
    pass


class NodeProcess:
    """One incarnation of a node, running in its own process (host.py)."""

    def __init__(self, node_path: str, start: dict, record: bool) -> None:
        self.proc = subprocess.Popen([sys.executable, "-B", str(HOST), node_path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.record: list[tuple[str, str]] | None = [] if record else None
        self.initial = self.exchange(json.dumps(start))

    def exchange(self, line: str) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return {"error": "the node's process has exited"}
        answer = self.proc.stdout.readline()
        if self.record is not None:
            self.record.append((line, answer))
        try:
            return dict(json.loads(answer))
        except ValueError:
            return {"error": "the node's process exited or wrote a bad answer"}

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def replay(node_path: str, record: list[tuple[str, str]]) -> bool:
    """Runs a recorded incarnation again in a fresh process and directory; True when every answer
    is the same."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([sys.executable, "-B", str(HOST), node_path], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, cwd=tmp)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            for line, answer in record:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
                if proc.stdout.readline() != answer:
                    return False
            return True
        except BrokenPipeError:
            return False
        finally:
            proc.kill()
            proc.wait()


def fault_schedule(rng: random.Random) -> dict[int, list[tuple]]:
    """Events by tick: ("net", loss, dup, max_delay), ("split", groups or None), ("crash", node),
    ("restart", node)."""
    events: dict[int, list[tuple]] = {}

    def at(tick: int, event: tuple) -> None:
        events.setdefault(tick, []).append(event)

    t = 0
    while t < FAULT_TICKS:
        length = rng.randint(80, 300)
        end = min(t + length, FAULT_TICKS)
        mode = rng.choice(["calm", "lossy", "split", "crash", "crash-many", "storm", "split-lossy"])
        lossy = mode in ("lossy", "storm", "split-lossy")
        at(t, ("net", rng.choice([0.1, 0.2, 0.3]) if lossy else 0.0,
               rng.choice([0.05, 0.15]) if lossy else 0.0, rng.choice([6, 10]) if lossy else 3))
        if mode in ("split", "split-lossy", "storm"):
            nodes = list(range(N))
            rng.shuffle(nodes)
            cut = rng.choice([1, 2, 2])
            at(t, ("split", [nodes[:cut], nodes[cut:]]))
            at(end, ("split", None))
        if mode in ("crash", "crash-many"):
            victims = rng.sample(range(N), 3 if mode == "crash-many" else rng.randint(1, 2))
            stop = t + rng.randint(20, 60) if mode == "crash-many" else end
            for v in victims:
                at(t + rng.randint(0, 10), ("crash", v))
                at(min(stop, FAULT_TICKS), ("restart", v))
        if mode == "storm":
            for _ in range(rng.randint(2, 5)):
                v = rng.randrange(N)
                down = rng.randint(t, end - 1)
                at(down, ("crash", v))
                at(min(down + rng.randint(5, 40), FAULT_TICKS), ("restart", v))
        t = end
    at(FAULT_TICKS, ("split", None))
    at(FAULT_TICKS, ("net", 0.0, 0.0, 3))
    for v in range(N):
        at(FAULT_TICKS, ("restart", v))
    return events


class Sim:
    def __init__(self, node_path: str, seed: int, record: bool = False) -> None:
        self.node_path = str(Path(node_path).resolve())
        self.record = record
        master = random.Random(seed)
        self.faults = fault_schedule(random.Random(master.randrange(2**62)))
        self.net_rng = random.Random(master.randrange(2**62))
        self.client_rng = random.Random(master.randrange(2**62))
        self.node_rng = random.Random(master.randrange(2**62))
        self.now = 0
        self.nodes: dict[int, NodeProcess] = {}
        self.records: list[list[tuple[str, str]]] = []
        self.next_apply = [1] * N
        self.disks: dict[int, dict[str, str]] = {v: {} for v in range(N)}
        self.loss, self.dup, self.max_delay = 0.0, 0.0, 3
        self.groups: list[set[int]] | None = None
        self.queue: dict[int, list[tuple[int, int, object]]] = {}
        self.inbox: dict[int, list[list]] = {v: [] for v in range(N)}
        self.messages = 0
        # checker state
        self.log: list[str] = []  # canonical applied entries, JSON text, index i+1
        self.kv: dict[str, str] = {}
        self.results: dict[str, str] = {}
        self.ops: dict[str, dict] = {}
        self.clients = [{"seq": 0, "op": None, "target": c % N, "sent": 0, "first": 0} for c in range(CLIENTS)]
        self.latencies: list[int] = []

    # --- nodes
    def perform(self, v: int, answer: dict) -> None:
        if "error" in answer:
            raise Violation(f"node {v} at tick {self.now}: {answer['error']}")
        for action in answer.get("actions", []):
            kind, args = action[0], action[1:]
            if kind == "send":
                self.send(v, *args)
            elif kind == "store":
                self.store(v, *args)
            elif kind == "apply":
                self.apply(v, *args)
            else:
                self.reply(v, *args)

    def start(self, v: int) -> None:
        self.next_apply[v] = 1
        disk = {key: json.loads(text) for key, text in self.disks[v].items()}
        node = NodeProcess(self.node_path, {"id": v, "peers": list(range(N)), "disk": disk,
                                            "seed": self.node_rng.randrange(2**31)}, self.record)
        self.nodes[v] = node
        if node.record is not None:
            self.records.append(node.record)
        self.perform(v, node.initial)

    def crash(self, v: int) -> None:
        self.nodes.pop(v).stop()
        self.inbox[v] = []

    def connected(self, a: int, b: int) -> bool:
        return self.groups is None or any(a in g and b in g for g in self.groups)

    def send(self, src: int, dst: object, msg: object) -> None:
        if not isinstance(dst, int) or isinstance(dst, bool) or not 0 <= dst < N or dst == src:
            raise Violation(f"node {src} sent to bad destination {dst!r}")
        self.messages += 1
        copies = 1 + (self.net_rng.random() < self.dup)
        for _ in range(copies):
            if self.net_rng.random() < self.loss:
                continue
            due = self.now + self.net_rng.randint(1, self.max_delay)
            self.queue.setdefault(due, []).append((src, dst, msg))

    def store(self, v: int, key: object, value: object) -> None:
        if not isinstance(key, str):
            raise Violation(f"node {v} stored under a key that is not a string: {key!r}")
        if value is None:
            self.disks[v].pop(key, None)
        else:
            self.disks[v][key] = json.dumps(value)

    def apply(self, v: int, index: object, entry: object) -> None:
        if index != self.next_apply[v]:
            raise Violation(f"node {v} applied index {index!r}, expected {self.next_apply[v]}")
        self.next_apply[v] += 1
        text = json.dumps(entry, sort_keys=True)
        if index <= len(self.log):
            if self.log[index - 1] != text:
                raise Violation(f"index {index}: node {v} applied {text[:80]}, another node {self.log[index - 1][:80]}")
            return
        self.log.append(text)
        if isinstance(entry, dict) and entry.get("id") in self.ops:
            op = self.ops[entry["id"]]
            if json.dumps(op, sort_keys=True) != text:
                raise Violation(f"index {index}: entry for {op['id']} differs from the submitted operation")
            if op["id"] in self.results:
                return  # a duplicate: no effect
            old = self.kv.get(op["key"], "")
            if op["kind"] == "put":
                self.kv[op["key"]] = op["value"]
                self.results[op["id"]] = old
            elif op["kind"] == "append":
                self.kv[op["key"]] = old + op["value"]
                self.results[op["id"]] = old + op["value"]
            else:
                self.results[op["id"]] = old

    def reply(self, v: int, op_id: object, result: object) -> None:
        if not isinstance(op_id, str) or op_id not in self.ops:
            raise Violation(f"node {v} replied to unknown operation {op_id!r}")
        if op_id not in self.results:
            raise Violation(f"node {v} replied to {op_id} at tick {self.now} before it was applied anywhere")
        if result != self.results[op_id]:
            raise Violation(f"node {v} replied {result!r} to {op_id}, expected {self.results[op_id]!r}")
        client = self.clients[self.ops[op_id]["client"]]
        if client["op"] is not None and client["op"]["id"] == op_id:
            self.latencies.append(self.now - client["first"])
            client["op"] = None
            client["target"] = v

    # --- main loop
    def step(self) -> None:
        """One tick: fault events; clients start or resend operations; messages due now are
        delivered; then each live node gets its requests, its messages and a tick, in one batch."""
        for event in self.faults.get(self.now, []):
            kind = event[0]
            if kind == "net":
                self.loss, self.dup, self.max_delay = event[1], event[2], event[3]
            elif kind == "split":
                self.groups = None if event[1] is None else [set(g) for g in event[1]]
            elif kind == "crash" and event[1] in self.nodes:
                self.crash(event[1])
            elif kind == "restart" and event[1] not in self.nodes:
                self.start(event[1])
        for c, client in enumerate(self.clients):
            if client["op"] is None and self.now < SUBMIT_UNTIL and self.client_rng.random() < 0.25:
                client["seq"] += 1
                kind = self.client_rng.choice(["put", "append", "append", "get"])
                op = {"id": f"c{c}-{client['seq']}", "client": c, "seq": client["seq"], "kind": kind,
                      "key": self.client_rng.choice(KEYS),
                      "value": "" if kind == "get" else f"{c}.{client['seq']};"}
                self.ops[op["id"]] = op
                client.update(op=op, sent=self.now, first=self.now)
                self.request(client)
            elif client["op"] is not None and self.now - client["sent"] >= RETRY:
                client["target"] = (client["target"] + 1) % N
                client["sent"] = self.now
                self.request(client)
        for src, dst, msg in self.queue.pop(self.now, []):
            if dst in self.nodes and self.connected(src, dst):
                self.inbox[dst].append(["message", src, msg])
        for v in sorted(self.nodes):
            events, self.inbox[v] = self.inbox[v], []
            events.append(["tick"])
            self.perform(v, self.nodes[v].exchange(json.dumps(events)))

    def request(self, client: dict) -> None:
        if client["target"] in self.nodes:  # a request to a server that is down is lost
            self.inbox[client["target"]].append(["request", client["op"]])

    def run(self) -> dict:
        try:
            for v in range(N):
                self.start(v)
            while self.now < END:
                self.step()
                self.now += 1
            waiting = [c["op"]["id"] for c in self.clients if c["op"] is not None]
            if waiting:
                raise Violation(f"operations never answered: {', '.join(waiting)}")
            violation = None
        except Violation as exc:
            violation = str(exc)
        finally:
            for node in self.nodes.values():
                node.stop()
        if violation is None and self.record:
            for number, record in enumerate(self.records):
                if not replay(self.node_path, record):
                    violation = f"incarnation {number} behaved differently when run again alone on the same inputs"
                    break
        return {"ok": violation is None, "violation": violation, "tick": self.now,
                "operations": len(self.ops), "answered": len(self.latencies), "log_length": len(self.log),
                "messages": self.messages,
                "mean_latency": round(sum(self.latencies) / max(1, len(self.latencies)), 1)}


def main() -> None:
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    result = Sim(args[0], seed, "--replay" in args).run()
    result["seed"] = seed
    if "--json" in args:
        print(json.dumps(result, sort_keys=True))
    else:
        for key, value in sorted(result.items()):
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
