"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes capture.txt (environment: a tcpdump-style text dump) and truth.json (scorer: the TCP
port on which the host 10.4.0.20 accepts connections). Near misses: the host also opens
connections of its own (to a database and a web proxy) and does DNS over UDP, and a scanner
probes two of its other ports, which answer with a reset.
"""

import json
import random
import sys
from pathlib import Path

SEED = 27_564
SERVER = "10.4.0.20"


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    port = rng.choice([p for p in range(7000, 9900) if p % 100 not in (0, 80)])
    clock = [9 * 3600 + 41 * 60 + rng.uniform(0, 30)]
    lines: list[str] = []

    def emit(text: str) -> None:
        clock[0] += rng.uniform(0.001, 0.35)
        c = clock[0]
        lines.append(f"{int(c // 3600):02d}:{int(c % 3600 // 60):02d}:{c % 60:09.6f} IP {text}")

    def tcp_session(src: str, sport: int, dst: str, dport: int) -> None:
        seq, ack = rng.randint(10**8, 4 * 10**9), rng.randint(10**8, 4 * 10**9)
        a, b = f"{src}.{sport}", f"{dst}.{dport}"
        emit(f"{a} > {b}: Flags [S], seq {seq}, win 64240, options [mss 1460,sackOK,nop,wscale 7], length 0")
        emit(f"{b} > {a}: Flags [S.], seq {ack}, ack {seq + 1}, win 65160, options [mss 1460,sackOK,nop,wscale 7], length 0")
        emit(f"{a} > {b}: Flags [.], ack 1, win 502, length 0")
        sent = rng.randint(40, 600)
        emit(f"{a} > {b}: Flags [P.], seq 1:{sent + 1}, ack 1, win 502, length {sent}")
        got = rng.randint(40, 1400)
        emit(f"{b} > {a}: Flags [P.], seq 1:{got + 1}, ack {sent + 1}, win 509, length {got}")
        emit(f"{a} > {b}: Flags [F.], seq {sent + 1}, ack {got + 1}, win 502, length 0")
        emit(f"{b} > {a}: Flags [F.], seq {got + 1}, ack {sent + 2}, win 509, length 0")

    events = []
    for _ in range(9):
        events.append(("client", f"10.4.1.{rng.randint(10, 200)}"))
    events += [("db", ""), ("db", ""), ("proxy", ""), ("dns", ""), ("dns", ""), ("scan", ""), ("scan", "")]
    rng.shuffle(events)
    scanned = rng.sample([22, 25, 443, 3306, 5432, 6379], 2)
    for kind, client in events:
        eph = rng.randint(32768, 60999)
        if kind == "client":
            tcp_session(client, eph, SERVER, port)
        elif kind == "db":
            tcp_session(SERVER, eph, "10.4.0.31", 5432)
        elif kind == "proxy":
            tcp_session(SERVER, eph, "10.4.0.2", 3128)
        elif kind == "dns":
            qid = rng.randint(1000, 65000)
            emit(f"{SERVER}.{eph} > 10.4.0.2.53: {qid}+ A? db.internal. (29)")
            emit(f"10.4.0.2.53 > {SERVER}.{eph}: {qid}* 1/0/0 A 10.4.0.31 (45)")
        else:
            target = scanned.pop()
            seq = rng.randint(10**8, 4 * 10**9)
            emit(f"10.4.9.66.{eph} > {SERVER}.{target}: Flags [S], seq {seq}, win 1024, options [mss 1460], length 0")
            emit(f"{SERVER}.{target} > 10.4.9.66.{eph}: Flags [R.], seq 0, ack {seq + 1}, win 0, length 0")
    header = "reading from file app-host.pcap, link-type EN10MB (Ethernet), snapshot length 262144"
    out = Path(outdir)
    (out / "capture.txt").write_text("\n".join([header, *lines]) + "\n")
    (out / "truth.json").write_text(json.dumps({"kind": "int", "answer": port}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
