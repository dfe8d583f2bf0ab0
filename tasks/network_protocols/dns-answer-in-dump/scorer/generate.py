"""Regenerates this task's data: python3 generate.py OUTDIR writes capture.txt (for environment/)
and truth.json (for scorer/). Deterministic (fixed seed).

capture.txt is a tcpdump-style text dump (-nn, one packet a line) of a small office LAN: DNS
lookups by several workstations against two resolvers, TCP connections, ARP and NTP noise. The
workstation 10.20.0.57 looks up pkg-mirror.corp.example; its resolver answers with a CNAME
chain ending in an A record. Another workstation looks up the same name through the other
resolver and gets a different address (split DNS), and 10.20.0.57 also asks for the AAAA
record, so grepping for the name alone gives several candidates.
"""

import json
import random
import sys
from pathlib import Path

SEED = 5_310_2026
RESOLVERS = ["10.20.0.2", "10.20.0.3"]
HOSTS = ["10.20.0.%d" % n for n in (11, 23, 34, 41, 57, 62, 78, 90)]
NAMES = [
    "intranet.corp.example", "mail.corp.example", "git.corp.example", "wiki.corp.example",
    "updates.vendor.example", "time.corp.example", "ci.corp.example", "pkg-mirror-old.corp.example",
    "chat.corp.example", "api.partner.example",
]
TARGET, CLIENT = "pkg-mirror.corp.example", "10.20.0.57"


def ip(rng: random.Random) -> str:
    return f"10.{rng.choice((30, 40, 41))}.{rng.randint(0, 15)}.{rng.randint(2, 250)}"


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    t = 9 * 3600 + 14 * 60 + rng.random() * 10
    lines: list[str] = []

    def emit(text: str, gap: float = 0.0) -> None:
        nonlocal t
        t += gap or rng.uniform(0.0005, 0.08)
        h, rem = divmod(t, 3600)
        m, s = divmod(rem, 60)
        lines.append(f"{int(h):02d}:{int(m):02d}:{s:09.6f} {text}")

    def dns(client: str, resolver: str, name: str, qtype: str, answers: list[str]) -> None:
        port, qid = rng.randint(32768, 60999), rng.randint(1, 65535)
        emit(f"IP {client}.{port} > {resolver}.53: {qid}+ {qtype}? {name}. ({len(name) + 18})")
        if answers:
            body = ", ".join(answers)
            emit(f"IP {resolver}.53 > {client}.{port}: {qid} {len(answers)}/0/0 {body} ({len(name) + 18 + 28 * len(answers)})")
        else:
            emit(f"IP {resolver}.53 > {client}.{port}: {qid} NXDomain 0/1/0 ({len(name) + 80})")

    def tcp(client: str, server: str, port: int) -> None:
        cp, seq = rng.randint(40000, 60999), rng.getrandbits(32)
        emit(f"IP {client}.{cp} > {server}.{port}: Flags [S], seq {seq}, win 64240, options [mss 1460,sackOK,TS val {rng.getrandbits(31)} ecr 0,nop,wscale 7], length 0")
        ack = rng.getrandbits(32)
        emit(f"IP {server}.{port} > {client}.{cp}: Flags [S.], seq {ack}, ack {seq + 1}, win 65160, options [mss 1460,sackOK,TS val {rng.getrandbits(31)} ecr {rng.getrandbits(31)},nop,wscale 7], length 0")
        emit(f"IP {client}.{cp} > {server}.{port}: Flags [.], ack 1, win 502, length 0")
        n = rng.randint(60, 500)
        emit(f"IP {client}.{cp} > {server}.{port}: Flags [P.], seq 1:{n + 1}, ack 1, win 502, length {n}")

    def noise() -> None:
        kind = rng.random()
        a = rng.choice(HOSTS)
        if kind < 0.45:
            name = rng.choice(NAMES)
            ans = [] if "old" in name else [f"A {ip(rng)}"]
            dns(a, rng.choice(RESOLVERS), name, "A", ans)
        elif kind < 0.75:
            tcp(a, ip(rng), rng.choice((443, 22, 8080, 5432)))
        elif kind < 0.9:
            emit(f"ARP, Request who-has {rng.choice(HOSTS)} tell {a}, length 28")
        else:
            emit(f"IP {a}.123 > 10.20.0.2.123: NTPv4, Client, length 48")

    real = ip(rng)
    other = ip(rng)
    for _ in range(40):
        noise()
    dns("10.20.0.23", RESOLVERS[1], TARGET, "A", [f"CNAME mirror-b.cdn.corp.example.", f"A {other}"])
    for _ in range(25):
        noise()
    dns(CLIENT, RESOLVERS[0], TARGET, "AAAA", ["CNAME mirror-a.cdn.corp.example."])
    dns(CLIENT, RESOLVERS[0], TARGET, "A", ["CNAME mirror-a.cdn.corp.example.", "CNAME edge-7.mirror-a.cdn.corp.example.", f"A {real}"])
    for _ in range(3):
        noise()
    tcp(CLIENT, real, 443)
    for _ in range(40):
        noise()
    header = "reading from file office-lan.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n"
    (out / "capture.txt").write_text(header + "\n".join(lines) + "\n")
    (out / "truth.json").write_text(json.dumps({"address": real}) + "\n")


if __name__ == "__main__":
    main()
