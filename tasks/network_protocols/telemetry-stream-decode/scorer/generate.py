"""Regenerates this task's data: python3 generate.py OUTDIR writes segments.txt and
protocol.md (for environment/) and truth.json (for scorer/). Deterministic (fixed seed).

One TCP stream from a sensor gateway to a collector, speaking the framed binary protocol of
protocol.md, is cut into segments and listed in capture order with its relative sequence
numbers. The capture has what a real one has: retransmitted segments (exact repeats, and
repeats cut at other boundaries, overlapping two earlier segments), segments listed out of
order, and frames split across segments. A few frames are corrupted on purpose by the gateway
(bad checksum) and must be skipped by their declared length. The answers need a correct
reassembly (duplicates counted once), a correct parser (mixed byte orders, signed scaled
values, flag bits) and the checksum.
"""

import json
import random
import sys
from pathlib import Path

SEED = 7_007_2026
HERE = Path(__file__).resolve().parent


def fletcher16(data: bytes) -> int:
    a = b = 0
    for byte in data:
        a = (a + byte) % 255
        b = (b + a) % 255
    return b << 8 | a


def frame(ftype: int, seq: int, payload: bytes, corrupt: bool = False) -> bytes:
    head = bytes([0x5A, 0xA5, 0x02, ftype]) + len(payload).to_bytes(2, "big") + seq.to_bytes(2, "little")
    check = fletcher16(head + payload)
    if corrupt:
        check ^= 1 << (seq % 16)
    return head + payload + check.to_bytes(2, "big")


PROTOCOL = """\
# Gateway push protocol, version 2

A gateway opens one TCP connection to the collector and sends a stream of frames; the collector
never answers on this connection. Every frame is

| offset | size | field |
|---|---|---|
| 0 | 2 | magic, bytes `5A A5` |
| 2 | 1 | version, `02` |
| 3 | 1 | frame type |
| 4 | 2 | payload length N, **big-endian** |
| 6 | 2 | frame sequence number, **little-endian** (informational) |
| 8 | N | payload |
| 8+N | 2 | checksum, big-endian |

The checksum is Fletcher-16 over bytes 0 .. 8+N-1 (the header and the payload): two running sums
`a` and `b` start at 0; for each byte, `a = (a + byte) mod 255`, then `b = (b + a) mod 255`;
the checksum is `b * 256 + a`. A frame whose checksum does not match is **discarded** (it is
counted nowhere except as discarded); the next frame starts right after it, at offset 8+N+2.

Frame types and payloads (multi-byte integers are big-endian unless stated otherwise):

* `01` HELLO: device id (4 bytes), then the device name: 1 byte length L, L bytes of ASCII.
* `02` READINGS: a base timestamp (4 bytes, seconds), a count C (1 byte), then C records of 5
  bytes: sensor id (1 byte), time offset from the base in seconds (1 byte), value (2 bytes,
  **signed**, two's complement, in hundredths: `FF 38` is -2.00), status flags (1 byte).
  Status bit 0 (value 1) means "value saturated", bit 1 (value 2) means "sensor calibrated",
  bit 7 (value 128) means "reading repeated from the previous frame; ignore it".
* `03` EVENT: event code (2 bytes), then a message: 1 byte length L, L bytes of ASCII.
* `04` KEEPALIVE: empty payload.
* `7F` BYE: empty payload; nothing after it belongs to the session.
"""


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    frames: list[bytes] = []
    seq = rng.randint(100, 60000)
    name = "gw-" + "".join(rng.choice("abcdefghkmnpqrstuvwxyz") for _ in range(5)) + "-" + str(rng.randint(10, 99))
    frames.append(frame(1, seq, rng.getrandbits(32).to_bytes(4, "big") + bytes([len(name)]) + name.encode()))
    truth = {"device_name": name, "readings_frames": 0, "discarded_frames": 0, "sensor_7_sum": 0,
             "calibrated_max": None, "last_event_code": None}
    base = 1_700_000_000 + rng.randint(0, 10_000_000)
    calibrated: list[int] = []
    sensor7 = 0
    prev: list[tuple[int, int, int, int]] = []
    codes = [0x0101, 0x0207, 0x0310, 0x1F00]
    for i in range(140):
        seq = (seq + 1) & 0xFFFF
        kind = rng.random()
        corrupt = i > 3 and rng.random() < 0.06
        if kind < 0.7:
            base += rng.randint(5, 40)
            recs = []
            if prev and rng.random() < 0.3:
                s, off, v, fl = rng.choice(prev)
                recs.append((s, off, v, fl | 0x80))
            for _ in range(rng.randint(1, 6)):
                s = rng.randint(1, 9)
                v = rng.randint(-3000, 9000) if rng.random() < 0.9 else rng.choice((-32768, 32767))
                fl = (1 if v in (-32768, 32767) else 0) | (2 if rng.random() < 0.4 else 0)
                recs.append((s, rng.randint(0, 30), v, fl))
            rng.shuffle(recs)
            payload = base.to_bytes(4, "big") + bytes([len(recs)])
            for s, off, v, fl in recs:
                payload += bytes([s, off]) + v.to_bytes(2, "big", signed=True) + bytes([fl])
            frames.append(frame(2, seq, payload, corrupt))
            if corrupt:
                truth["discarded_frames"] += 1
                continue
            truth["readings_frames"] += 1
            fresh = [r for r in recs if not r[3] & 0x80]
            prev = fresh or prev
            for s, off, v, fl in fresh:
                if s == 7:
                    sensor7 += v
                if fl & 2 and not fl & 1:
                    calibrated.append(v)
        elif kind < 0.85:
            code = rng.choice(codes)
            msg = rng.choice(["link flap", "battery low", "clock resync", "sensor reset", "buffer high"])
            frames.append(frame(3, seq, code.to_bytes(2, "big") + bytes([len(msg)]) + msg.encode(), corrupt))
            if corrupt:
                truth["discarded_frames"] += 1
            else:
                truth["last_event_code"] = f"{code:04X}"
        else:
            frames.append(frame(4, seq, b""))
    frames.append(frame(0x7F, (seq + 1) & 0xFFFF, b""))
    # Bytes after BYE (a stray frame from a buggy firmware) that must not be counted.
    frames.append(frame(2, (seq + 2) & 0xFFFF, base.to_bytes(4, "big") + bytes([1, 7, 0]) + (5000).to_bytes(2, "big") + bytes([2])))
    truth["sensor_7_sum"] = f"{sensor7 / 100:.2f}"
    truth["calibrated_max"] = f"{max(calibrated) / 100:.2f}"
    stream = b"".join(frames)

    # Cut into segments, then add retransmissions and reordering.
    segs: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(stream):
        n = min(rng.randint(20, 160), len(stream) - pos)
        segs.append((pos, stream[pos : pos + n]))
        pos += n
    listed: list[tuple[int, bytes]] = []
    i = 0
    while i < len(segs):
        r = rng.random()
        if r < 0.08 and i + 1 < len(segs):
            listed += [segs[i + 1], segs[i]]  # out of order
            i += 2
            continue
        listed.append(segs[i])
        if r > 0.9:
            listed.append(segs[i])  # exact retransmission
        elif r > 0.84 and i > 0:
            a, b = segs[i - 1][0] + 7, segs[i][0] + len(segs[i][1]) - 3
            listed.append((a, stream[a:b]))  # retransmission cut differently
        i += 1
    isn = rng.getrandbits(32)
    t = rng.uniform(1, 5)
    rows = ["# TCP 10.9.0.12:40311 -> 10.9.0.1:7007 (gateway to collector), data segments only,",
            "# in capture order. seq is the TCP sequence number of the segment's first byte;",
            f"# the gateway's first data byte has seq {(isn + 1) & 0xFFFFFFFF}.",
            "# time_s seq length payload_hex"]
    for off, data in listed:
        t += rng.uniform(0.0002, 0.05)
        rows.append(f"{t:.6f} {(isn + 1 + off) & 0xFFFFFFFF} {len(data)} {data.hex()}")
    (out / "segments.txt").write_text("\n".join(rows) + "\n")
    (out / "protocol.md").write_text(PROTOCOL)
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    main()
