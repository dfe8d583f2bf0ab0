"""A day of trading on a single-instrument exchange, replayed from its event log.

simulate(lines) takes the event log (a list of strings, one event each, see the instructions)
and returns the exchange's output as a list of strings: what happened after each event, then an
end-of-day summary. Run as a script it reads the log from a file and prints the output:

    python3 engine.py events.txt > output.txt

This is the exchange's reference implementation: its output is correct by definition.
"""

import sys

MAX_OPEN = 60  # resting orders plus waiting stops one trader may have


class Exchange:
    def __init__(self):
        self.book = []  # resting orders (dicts), in no particular order
        self.stops = []  # stop orders waiting for their trigger
        self.seen = set()  # every order id ever submitted
        self.seq = 0
        self.last_price = None
        self.trades = []  # (buyer, seller, price, qty)
        self.out = []
        self.bbo = None

    def next_seq(self):
        self.seq += 1
        return self.seq

    # -- the book --------------------------------------------------------------------------

    def best(self, side):
        """The resting order with priority on side 'B' (highest price, then oldest) or 'S'
        (lowest price, then oldest), or None."""
        orders = [o for o in self.book if o["side"] == side]
        if not orders:
            return None
        if side == "B":
            return sorted(orders, key=lambda o: (-o["price"], o["seq"]))[0]
        return sorted(orders, key=lambda o: (o["price"], o["seq"]))[0]

    def top(self, side):
        order = self.best(side)
        if order is None:
            return ("-", "-")
        shown = 0
        for o in self.book:
            if o["side"] == side and o["price"] == order["price"]:
                shown += o["shown"]
        return (order["price"], shown)

    def find(self, oid):
        for o in self.book:
            if o["oid"] == oid:
                return o
        return None

    def find_stop(self, oid):
        for s in self.stops:
            if s["oid"] == oid:
                return s
        return None

    # -- matching --------------------------------------------------------------------------

    def crosses(self, incoming, resting):
        if incoming["price"] is None:
            return True
        if incoming["side"] == "B":
            return resting["price"] <= incoming["price"]
        return resting["price"] >= incoming["price"]

    def execute(self, ts, order):
        """Match an incoming order (kind LMT, ICE, IOC or MKT) against the book, then rest or
        cancel what is left."""
        other = "S" if order["side"] == "B" else "B"
        while order["left"] > 0:
            resting = self.best(other)
            if resting is None or not self.crosses(order, resting):
                break
            if resting["trader"] == order["trader"]:
                self.book.remove(resting)
                self.out.append(f"CXL {ts} {resting['oid']} selftrade")
                continue
            qty = min(order["left"], resting["shown"])
            if order["side"] == "B":
                buyer, seller = order, resting
            else:
                buyer, seller = resting, order
            self.out.append(f"TRD {ts} {buyer['oid']} {seller['oid']} {resting['price']} {qty}")
            self.trades.append((buyer["trader"], seller["trader"], resting["price"], qty))
            self.last_price = resting["price"]
            order["left"] -= qty
            resting["shown"] -= qty
            if resting["shown"] == 0:
                if resting["hidden"] > 0:
                    refill = min(resting["peak"], resting["hidden"])
                    resting["hidden"] -= refill
                    resting["shown"] = refill
                    resting["seq"] = self.next_seq()
                else:
                    self.book.remove(resting)
        if order["left"] > 0:
            if order["kind"] in ("LMT", "ICE"):
                shown = order["left"] if order["kind"] == "LMT" else min(order["peak"], order["left"])
                self.book.append(
                    {
                        "oid": order["oid"],
                        "trader": order["trader"],
                        "side": order["side"],
                        "price": order["price"],
                        "shown": shown,
                        "hidden": order["left"] - shown,
                        "peak": order["peak"],
                        "seq": self.next_seq(),
                        "exp": order["exp"],
                    }
                )
            else:
                self.out.append(f"CXL {ts} {order['oid']} unfilled {order['left']}")

    def fire_stops(self, ts):
        """Trigger stop orders while the last trade price satisfies them, oldest stop first;
        each triggered stop trades before the next is chosen."""
        while self.last_price is not None:
            fired = []
            for s in self.stops:
                if s["side"] == "B" and self.last_price >= s["trigger"]:
                    fired.append(s)
                elif s["side"] == "S" and self.last_price <= s["trigger"]:
                    fired.append(s)
            if not fired:
                return
            stop = sorted(fired, key=lambda s: s["seq"])[0]
            self.stops.remove(stop)
            self.out.append(f"TRG {ts} {stop['oid']}")
            kind = "LMT" if stop["limit"] is not None else "MKT"
            order = {
                "oid": stop["oid"],
                "trader": stop["trader"],
                "side": stop["side"],
                "kind": kind,
                "price": stop["limit"],
                "left": stop["qty"],
                "peak": None,
                "exp": stop["exp"],
            }
            self.execute(ts, order)

    def expire(self, ts):
        due = []
        for o in self.book + self.stops:
            if o["exp"] is not None and o["exp"] <= ts:
                due.append(o)
        for o in sorted(due, key=lambda o: (o["exp"], o["oid"])):
            if o in self.book:
                self.book.remove(o)
            else:
                self.stops.remove(o)
            self.out.append(f"EXP {ts} {o['oid']}")

    # -- events ----------------------------------------------------------------------------

    def new(self, ts, fields):
        oid, trader, side, kind, price, qty = int(fields[0]), fields[1], fields[2], fields[3], fields[4], int(fields[5])
        options = dict(item.split("=", 1) for item in fields[6:])
        if oid in self.seen:
            self.out.append(f"REJ {ts} {oid} duplicate")
            return
        self.seen.add(oid)
        if qty <= 0 or side not in ("B", "S"):
            self.out.append(f"REJ {ts} {oid} invalid")
            return
        open_orders = 0
        for o in self.book + self.stops:
            if o["trader"] == trader:
                open_orders += 1
        if open_orders >= MAX_OPEN:
            self.out.append(f"REJ {ts} {oid} limit")
            return
        exp = int(options["exp"]) if "exp" in options else None
        if exp is not None and exp <= ts:
            self.out.append(f"REJ {ts} {oid} expired")
            return
        if kind == "STP":
            limit = int(options["limit"]) if "limit" in options else None
            self.stops.append(
                {"oid": oid, "trader": trader, "side": side, "trigger": int(price), "limit": limit, "qty": qty, "seq": self.next_seq(), "exp": exp}
            )
            return
        peak = None
        if kind == "ICE":
            peak = int(options["peak"])
            if peak <= 0 or peak >= qty:
                self.out.append(f"REJ {ts} {oid} invalid")
                return
        order = {
            "oid": oid,
            "trader": trader,
            "side": side,
            "kind": kind,
            "price": None if kind == "MKT" else int(price),
            "left": qty,
            "peak": peak,
            "exp": exp,
        }
        self.execute(ts, order)

    def cancel(self, ts, fields):
        oid = int(fields[0])
        order = self.find(oid)
        if order is not None:
            self.book.remove(order)
        else:
            order = self.find_stop(oid)
            if order is None:
                self.out.append(f"REJ {ts} {oid} unknown")
                return
            self.stops.remove(order)
        self.out.append(f"CXL {ts} {oid} user")

    def modify(self, ts, fields):
        oid, price, qty = int(fields[0]), int(fields[1]), int(fields[2])
        order = self.find(oid)
        if order is None:
            self.out.append(f"REJ {ts} {oid} unknown")
            return
        if order["peak"] is not None:
            self.out.append(f"REJ {ts} {oid} iceberg")
            return
        if qty <= 0:
            self.book.remove(order)
            self.out.append(f"CXL {ts} {oid} user")
            return
        if price == order["price"] and qty <= order["shown"]:
            order["shown"] = qty
            return
        self.book.remove(order)
        incoming = {
            "oid": oid,
            "trader": order["trader"],
            "side": order["side"],
            "kind": "LMT",
            "price": price,
            "left": qty,
            "peak": None,
            "exp": order["exp"],
        }
        self.execute(ts, incoming)

    def disconnect(self, ts, fields):
        trader = fields[0]
        gone = []
        for o in self.book + self.stops:
            if o["trader"] == trader:
                gone.append(o)
        for o in sorted(gone, key=lambda o: o["oid"]):
            if o in self.book:
                self.book.remove(o)
            else:
                self.stops.remove(o)
            self.out.append(f"CXL {ts} {o['oid']} disconnect")

    def snapshot(self, ts, fields):
        depth = int(fields[0])
        self.out.append(f"SNAP {ts}")
        for side in ("B", "S"):
            levels = {}
            for o in self.book:
                if o["side"] == side:
                    level = levels.setdefault(o["price"], [0, 0])
                    level[0] += o["shown"]
                    level[1] += 1
            for price in sorted(levels, reverse=side == "B")[:depth]:
                self.out.append(f"L {side} {price} {levels[price][0]} {levels[price][1]}")

    def handle(self, line):
        fields = line.split()
        if not fields:
            return
        verb, ts = fields[0], int(fields[1])
        self.expire(ts)
        if verb == "NEW":
            self.new(ts, fields[2:])
        elif verb == "CXL":
            self.cancel(ts, fields[2:])
        elif verb == "MOD":
            self.modify(ts, fields[2:])
        elif verb == "DSC":
            self.disconnect(ts, fields[2:])
        elif verb == "SNAP":
            self.snapshot(ts, fields[2:])
        else:
            self.out.append(f"REJ {ts} - {verb.lower()}")
        self.fire_stops(ts)
        bbo = self.top("B") + self.top("S")
        if bbo != self.bbo:
            self.bbo = bbo
            self.out.append(f"BBO {ts} {bbo[0]} {bbo[1]} {bbo[2]} {bbo[3]}")

    # -- the end of the day ----------------------------------------------------------------

    def summary(self):
        lines = ["SUMMARY"]
        volume = 0
        for t in self.trades:
            volume += t[3]
        lines.append(f"trades {len(self.trades)} volume {volume}")
        if self.trades:
            prices = [t[2] for t in self.trades]
            lines.append(f"last {self.last_price} high {max(prices)} low {min(prices)}")
        else:
            lines.append("last - high - low -")
        traders = {}
        for buyer, seller, price, qty in self.trades:
            for name in (buyer, seller):
                traders.setdefault(name, [0, 0, 0])
            traders[buyer][0] += qty
            traders[buyer][2] -= price * qty
            traders[seller][1] += qty
            traders[seller][2] += price * qty
        for name in sorted(traders):
            bought, sold, cash = traders[name]
            lines.append(f"trader {name} bought {bought} sold {sold} cash {cash}")
        for side, label in (("B", "bid"), ("S", "ask")):
            levels = {}
            for o in self.book:
                if o["side"] == side:
                    level = levels.setdefault(o["price"], [0, 0, 0])
                    level[0] += o["shown"]
                    level[1] += o["hidden"]
                    level[2] += 1
            for price in sorted(levels, reverse=side == "B")[:5]:
                shown, hidden, count = levels[price]
                lines.append(f"{label} {price} shown {shown} hidden {hidden} orders {count}")
        lines.append(f"resting {len(self.book)} stops {len(self.stops)}")
        return lines


def simulate(lines):
    exchange = Exchange()
    for line in lines:
        exchange.handle(line)
    return exchange.out + exchange.summary()


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print("\n".join(simulate(handle.read().splitlines())))
