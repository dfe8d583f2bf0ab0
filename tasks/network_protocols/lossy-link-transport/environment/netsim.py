#!/usr/bin/env python3
"""netsim: a discrete-time simulator of one bulk transfer over a lossy, reordering, corrupting,
duplicating, rate-limited link, driving the Sender and Receiver classes of a transport module.

    python3 netsim.py TRANSPORT.py SCENARIOS.json [NAME ...]

For each scenario (optionally only the named ones) it prints one JSON line:
{"name", "ok", "reason", "finish_tick", "data_packets", "data_bytes", "bounds"}.

Time runs in ticks. In every tick, in this order:
  1. packets whose arrival tick has come are handed to their endpoint (in arrival order);
  2. sender.tick(now, packets) is called and returns the packets it sends;
  3. receiver.tick(now, packets) is called and returns (packets it sends, bytes it delivers);
  4. each direction of the link takes packets from the head of its queue at `rate` packets per
     tick on average (a token bucket holding at most one spare token while the queue is empty;
     `rate_change`, when present, sets a new rate from tick `at` on) (packets
     join the queue in the order they were returned; a packet that finds the queue holding
     `queue` packets is dropped, as is any packet longer than `mtu` bytes or not bytes); each
     taken packet is lost (Gilbert-Elliott model: a good and a bad state with their own loss
     probabilities, the state changing before each packet), or else possibly corrupted (1 to 3
     bytes replaced at random), and arrives `delay` + a random 0..`jitter` ticks later, plus a
     possible duplicate a random 1..`jitter`+1 ticks after that.
The transfer succeeds when sender.done becomes true, the receiver has delivered exactly the
data, in order, and nothing more, before the tick limit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path


class Link:
    def __init__(self, p: dict, rng: random.Random) -> None:
        self.p, self.rng = p, rng
        self.queue: list[bytes] = []
        self.flight: dict[int, list[bytes]] = {}
        self.bad = False
        self.tokens = 0.0

    def offer(self, pkts: object, mtu: int) -> None:
        if not isinstance(pkts, list | tuple):
            return
        for pkt in pkts:
            if isinstance(pkt, bytes | bytearray) and 0 < len(pkt) <= mtu and len(self.queue) < self.p["queue"]:
                self.queue.append(bytes(pkt))

    def serve(self, now: int) -> None:
        p, rng = self.p, self.rng
        change = p.get("rate_change")
        self.tokens += change["rate"] if change and now >= change["at"] else p["rate"]
        while self.tokens >= 1 and self.queue:
            self.tokens -= 1
            pkt = self.queue.pop(0)
            self.bad = rng.random() < (1 - p["bad_to_good"] if self.bad else p["good_to_bad"])
            if rng.random() < (p["loss_bad"] if self.bad else p["loss_good"]):
                continue
            if rng.random() < p["corrupt"]:
                b = bytearray(pkt)
                for _ in range(rng.randint(1, 3)):
                    b[rng.randrange(len(b))] = rng.randrange(256)
                pkt = bytes(b)
            at = now + p["delay"] + rng.randint(0, p["jitter"])
            self.flight.setdefault(at, []).append(pkt)
            if rng.random() < p["duplicate"]:
                self.flight.setdefault(at + rng.randint(1, p["jitter"] + 1), []).append(pkt)
        if not self.queue:
            self.tokens = min(self.tokens, 1.0)

    def arrivals(self, now: int) -> list[bytes]:
        return self.flight.pop(now, [])


def make_data(sc: dict) -> bytes:
    rng = random.Random(sc["seed"] * 7 + 1)
    words = [bytes(rng.randrange(97, 123) for _ in range(rng.randint(2, 9))) for _ in range(300)]
    out = bytearray()
    while len(out) < sc["size"]:
        out += rng.randbytes(rng.randint(1, 200)) if rng.random() < 0.3 else b" ".join(rng.choice(words) for _ in range(20))
    return bytes(out[: sc["size"]])


def run(module: object, sc: dict, receiver_module: object | None = None) -> dict:
    data = make_data(sc)
    rng = random.Random(sc["seed"])
    fwd, rev = Link(sc["forward"], rng), Link(sc["reverse"], rng)
    mtu = sc["mtu"]
    result = {"name": sc["name"], "ok": False, "reason": "", "finish_tick": None, "data_packets": 0, "data_bytes": 0}
    try:
        sender = module.Sender(data, mtu)  # type: ignore[attr-defined]
        receiver = (receiver_module or module).Receiver(mtu)  # type: ignore[attr-defined]
        got = bytearray()
        for now in range(sc["max_ticks"]):
            out = sender.tick(now, rev.arrivals(now))
            if isinstance(out, list | tuple):
                result["data_packets"] += len(out)
                result["data_bytes"] += sum(len(x) for x in out if isinstance(x, bytes | bytearray))
            fwd.offer(out, mtu)
            back, delivered = receiver.tick(now, fwd.arrivals(now))
            rev.offer(back, mtu)
            if delivered:
                got += delivered
                if len(got) > len(data) or got != data[: len(got)]:
                    result["reason"] = f"tick {now}: the receiver delivered wrong bytes (at offset {len(got) - len(delivered)})"
                    return result
            if sender.done:
                result["finish_tick"] = now
                if bytes(got) != data:
                    result["reason"] = f"tick {now}: sender done but only {len(got)} of {len(data)} bytes delivered"
                    return result
                result["ok"] = True
                return result
            fwd.serve(now)
            rev.serve(now)
        result["reason"] = f"not done within {sc['max_ticks']} ticks ({len(got)} of {len(data)} bytes delivered)"
    except Exception as exc:  # the transport's bug, reported as a failure
        result["reason"] = f"{type(exc).__name__}: {exc}"[:300]
    return result


def load(path: str, name: str = "transport") -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    # The sender and the receiver get separate copies of the module: the packets are their only
    # channel.
    module, receiver_module = load(sys.argv[1]), load(sys.argv[1], "transport_receiver_side")
    scenarios = json.loads(Path(sys.argv[2]).read_text())
    wanted = set(sys.argv[3:])
    for sc in scenarios:
        if wanted and sc["name"] not in wanted:
            continue
        result = run(module, sc, receiver_module)
        result["bounds"] = sc.get("bounds")
        result["data_sha256"] = hashlib.sha256(make_data(sc)).hexdigest()[:16]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
