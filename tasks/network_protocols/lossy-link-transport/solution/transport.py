"""Reference transport: selective repeat with a cumulative ack plus a 64-bit SACK map, CRC-32
on every packet, RTT estimation (Jacobson/Karels), fast retransmit on SACK evidence, a
Reno-like congestion window (slow start, halving once per round trip on loss) and pacing by
the window only. The last segment carries an end flag so the receiver knows the length.

Data packet:  'D' | seq (4) | flags (1, bit 0 = last) | payload | crc32 (4)
Ack packet:   'A' | next expected seq (4) | sack bitmap for next+1..next+64 (8) | crc32 (4)
"""

from __future__ import annotations

import zlib

HDR = 1 + 4 + 1 + 4


def seal(body: bytes) -> bytes:
    return body + zlib.crc32(body).to_bytes(4, "big")


def unseal(pkt: bytes) -> bytes | None:
    if len(pkt) < 5 or zlib.crc32(pkt[:-4]) != int.from_bytes(pkt[-4:], "big"):
        return None
    return pkt[:-4]


class Sender:
    """Model-based rate control (in the spirit of BBR): estimate the bottleneck rate from the
    delivery rate of acknowledged packets (a windowed maximum) and the base round-trip time
    (a windowed minimum), pace at a gain times that rate (startup at 2, then a probe cycle
    1.25, 0.75, 1 x6), cap the data in flight at twice the estimated bandwidth-delay product,
    and do not slow down on loss: random loss is not congestion here."""

    CYCLE = (1.25, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)

    def __init__(self, data: bytes, mtu: int) -> None:
        size = mtu - HDR
        self.segs = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
        self.n = len(self.segs)
        self.acked = [False] * self.n
        self.sent_at: dict[int, tuple[int, int, int]] = {}  # seq -> (tick sent, delivered then, tick of that)
        self.lost: set[int] = set()
        self.retx: set[int] = set()
        self.next_new = 0
        self.base = 0
        self.delivered, self.delivered_tick = 0, 0
        self.bw_samples: list[tuple[int, float]] = []
        self.bw = 0.1
        self.min_rtt: float | None = None
        self.min_rtt_tick = 0
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.startup = True
        self.full_bw, self.full_bw_count, self.next_round_check = 0.0, 0, 0
        self.cycle_start, self.cycle_idx = 0, 0
        self.tokens = 1.0
        self.newest_acked_send = -1
        self.done = False

    def packet(self, seq: int) -> bytes:
        return seal(b"D" + seq.to_bytes(4, "big") + bytes([seq == self.n - 1]) + self.segs[seq])

    def ack(self, seq: int, now: int) -> None:
        if seq >= self.n or self.acked[seq]:
            return
        self.acked[seq] = True
        self.lost.discard(seq)
        self.delivered += 1
        self.delivered_tick = now
        rec = self.sent_at.pop(seq, None)
        if rec is None:
            return
        sent, d0, t0 = rec
        self.newest_acked_send = max(self.newest_acked_send, sent)
        if seq not in self.retx or self.srtt is None:
            rtt = now - sent
            if self.min_rtt is None or rtt <= self.min_rtt or now - self.min_rtt_tick > 3000:
                self.min_rtt, self.min_rtt_tick = float(rtt), now
            if self.srtt is None:
                self.srtt, self.rttvar = float(rtt), rtt / 2
            else:
                self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
                self.srtt = 0.875 * self.srtt + 0.125 * rtt
        if now > t0:
            self.bw_samples.append((now, (self.delivered - d0) / (now - t0)))

    def update_model(self, now: int) -> None:
        horizon = 3 * (self.srtt or 20) + 10
        self.bw_samples = [x for x in self.bw_samples if now - x[0] <= horizon]
        if self.bw_samples:
            self.bw = max(self.bw, max(v for _, v in self.bw_samples)) if self.startup else max(v for _, v in self.bw_samples)
        rtt = self.min_rtt or 20.0
        if self.startup and now >= self.next_round_check and self.min_rtt is not None:
            self.next_round_check = now + int(rtt) + 1
            if self.bw >= 1.25 * self.full_bw:
                self.full_bw, self.full_bw_count = self.bw, 0
            else:
                self.full_bw_count += 1
                if self.full_bw_count >= 3:
                    self.startup = False
                    self.cycle_start, self.cycle_idx = now, 2
        if not self.startup and now - self.cycle_start >= rtt:
            self.cycle_start, self.cycle_idx = now, (self.cycle_idx + 1) % len(self.CYCLE)

    def tick(self, now: int, packets: list[bytes]) -> list[bytes]:
        for raw in packets:
            body = unseal(raw)
            if body is None or len(body) != 13 or body[0:1] != b"A":
                continue
            nxt = int.from_bytes(body[1:5], "big")
            bits = int.from_bytes(body[5:13], "big")
            for s in range(self.base, min(nxt, self.n)):
                self.ack(s, now)
            for i in range(64):
                if bits >> i & 1:
                    self.ack(nxt + 1 + i, now)
        while self.base < self.n and self.acked[self.base]:
            self.base += 1
        if self.base >= self.n:
            self.done = True
            return []
        self.update_model(now)
        # loss: sent well before something already acknowledged, or outstanding far too long
        window = max(3.0, 2 * self.rttvar)
        rto = self.srtt + 4 * self.rttvar + 10 if self.srtt is not None else 250.0
        for s, (at, _, _) in self.sent_at.items():
            if s not in self.lost and (at + window < self.newest_acked_send or now - at > rto):
                self.lost.add(s)
        gain = 2.0 if self.startup else self.CYCLE[self.cycle_idx]
        self.tokens = min(self.tokens + gain * self.bw, 2.0)
        cwnd = max(4.0, 2 * self.bw * (self.min_rtt or 20.0) + 2)
        inflight = len(self.sent_at) - len(self.lost)
        out: list[bytes] = []
        while self.tokens >= 1 and inflight < cwnd:
            if self.lost:
                s = min(self.lost)
                self.lost.discard(s)
                self.retx.add(s)
            elif self.next_new < self.n and self.next_new < self.base + 60:
                s = self.next_new
                self.next_new += 1
            else:
                break
            self.sent_at[s] = (now, self.delivered, self.delivered_tick if self.sent_at else now)
            out.append(self.packet(s))
            self.tokens -= 1
            inflight += 1
        return out


class Receiver:
    def __init__(self, mtu: int) -> None:
        self.buf: dict[int, bytes] = {}
        self.next = 0
        self.last: int | None = None

    def tick(self, now: int, packets: list[bytes]) -> tuple[list[bytes], bytes]:
        out: list[bytes] = []
        delivered = bytearray()
        for raw in packets:
            body = unseal(raw)
            if body is None or len(body) < 6 or body[0:1] != b"D":
                continue
            seq = int.from_bytes(body[1:5], "big")
            if body[5] & 1:
                self.last = seq
            if seq >= self.next:
                self.buf[seq] = body[6:]
            while self.next in self.buf:
                delivered += self.buf.pop(self.next)
                self.next += 1
            bits = 0
            for i in range(64):
                if self.next + 1 + i in self.buf:
                    bits |= 1 << i
            out.append(seal(b"A" + self.next.to_bytes(4, "big") + bits.to_bytes(8, "big")))
        return out, bytes(delivered)
