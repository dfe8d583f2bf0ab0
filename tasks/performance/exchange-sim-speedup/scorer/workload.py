"""Seeded event logs for exchange-sim-speedup: make_events(seed, n) returns n event lines.

A mid price wanders around 10,000 ticks with a pull back to it; 150 traders send limit orders
(mostly passive, some crossing, some with an expiry time), icebergs, market and IOC orders,
stop orders (stop-market and stop-limit, triggers on the far side of the market), cancels and
modifications of orders they sent earlier (often long gone), and a sprinkling of duplicates,
invalid orders and unknown verbs;
traders disconnect now and then, and snapshots of the top levels are asked for. Passive orders pile up, so the book holds thousands of orders
by the end of a long log.
"""

import random


def make_events(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    traders = [f"t{i:03d}" for i in range(1, 151)]
    mid = 10_000
    ts = 34_200_000
    next_oid = 1
    sent: list[int] = []
    lines: list[str] = []

    def qty_draw() -> int:
        return rng.choice([1, 2, 3, 5, 5, 10, 10, 10, 20, 25, 50, 100])

    def expiry() -> str:
        return f" exp={ts + rng.randint(20, 6000)}" if rng.random() < 0.15 else ""

    while len(lines) < n:
        ts += rng.choice([0, 0, 1, 1, 2, 3, 5, 8])
        mid += rng.choice([-2, -1, -1, 0, 0, 0, 1, 1, 2]) + (1 if mid < 9_900 else -1 if mid > 10_100 else 0)
        trader = rng.choice(traders)
        side = rng.choice("BS")
        sign = 1 if side == "B" else -1
        roll = rng.random()
        if roll < 0.005 and sent:
            lines.append(f"NEW {ts} {rng.choice(sent)} {trader} {side} LMT {mid} {qty_draw()}")
            continue
        if roll < 0.008:
            lines.append(f"NEW {ts} {next_oid} {trader} {side} LMT {mid} 0")
            next_oid += 1
            continue
        if roll < 0.009:
            lines.append(f"HALT {ts}")
            continue
        if roll < 0.012:
            lines.append(f"DSC {ts} {trader}")
            continue
        if roll < 0.017:
            lines.append(f"SNAP {ts} {rng.choice([0, 1, 3, 5, 10])}")
            continue
        if roll < 0.17 and sent:
            target = rng.choice(sent[-400:]) if rng.random() < 0.8 else rng.choice(sent)
            lines.append(f"CXL {ts} {target if rng.random() < 0.97 else next_oid + 1000}")
            continue
        if roll < 0.27 and sent:
            target = rng.choice(sent[-400:])
            if rng.random() < 0.5:
                lines.append(f"MOD {ts} {target} {mid - sign * rng.randint(0, 30)} {qty_draw()}")
            else:
                lines.append(f"MOD {ts} {target} {mid - sign * rng.randint(1, 60)} {rng.choice([0, 1, 2, 5, 10])}")
            continue
        oid = next_oid
        next_oid += 1
        sent.append(oid)
        kind_roll = rng.random()
        if kind_roll < 0.66:
            if rng.random() < 0.2:
                price = mid + sign * rng.randint(0, 6)
            else:
                price = mid - sign * int(rng.expovariate(1 / 25))
            lines.append(f"NEW {ts} {oid} {trader} {side} LMT {price} {qty_draw()}{expiry()}")
        elif kind_roll < 0.73:
            total = rng.randint(60, 600)
            price = mid - sign * rng.randint(0, 15)
            lines.append(f"NEW {ts} {oid} {trader} {side} ICE {price} {total} peak={rng.randint(5, 40)}{expiry()}")
        elif kind_roll < 0.79:
            lines.append(f"NEW {ts} {oid} {trader} {side} MKT - {qty_draw()}")
        elif kind_roll < 0.86:
            lines.append(f"NEW {ts} {oid} {trader} {side} IOC {mid + sign * rng.randint(-2, 5)} {qty_draw()}")
        else:
            trigger = mid + sign * rng.randint(3, 40)
            limit = f" limit={trigger + sign * rng.randint(0, 8)}" if rng.random() < 0.5 else ""
            lines.append(f"NEW {ts} {oid} {trader} {side} STP {trigger} {qty_draw()}{limit}{expiry()}")
    return lines
