"""A day of trading on a single-instrument exchange, replayed from its event log: the same
output as the original engine, with proper data structures.

- Each side of the book is a dict of price levels (a deque of orders in priority order, plus
  the level's live count and shown total) and a heap of level prices with lazy deletion;
  cancelled or modified orders are only marked dead and skipped when they reach a queue's head.
- Orders and stops are found by id in dicts; expiry times sit in one heap of (exp, id).
- Buy stops wait in a heap by trigger, sell stops by minus trigger. When the last price moves,
  every stop the price has reached is moved into a small pool; the oldest satisfied member of
  the pool fires, and the pool is re-checked after each execution, exactly like the original's
  full rescans; unsatisfied members go back to their heaps at the end.
- Each trader's open orders and stops are kept in a set of ids (the open-order limit and
  disconnects); snapshots walk the few level prices nearest the top.
- The summary's counters are kept as trades happen.

    python3 engine.py events.txt > output.txt
"""

import heapq
import sys
from collections import deque

MAX_OPEN = 60


class Side:
    def __init__(self, sign):
        self.sign = sign  # -1 for bids (highest first), +1 for asks (lowest first)
        self.levels = {}  # price -> [deque of orders, live count, shown total]
        self.heap = []
        self.in_heap = set()

    def add(self, order):
        price = order["price"]
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = [deque(), 0, 0]
        level[0].append(order)
        level[1] += 1
        level[2] += order["shown"]
        if price not in self.in_heap:
            self.in_heap.add(price)
            heapq.heappush(self.heap, self.sign * price)

    def best_price(self):
        heap = self.heap
        while heap:
            price = self.sign * heap[0]
            if self.levels[price][1]:
                return price
            heapq.heappop(heap)
            self.in_heap.discard(price)
        return None

    def head(self, price):
        queue = self.levels[price][0]
        while not queue[0]["live"]:
            queue.popleft()
        return queue[0]

    def remove(self, order):
        order["live"] = False
        level = self.levels[order["price"]]
        level[1] -= 1
        level[2] -= order["shown"]


class Exchange:
    def __init__(self):
        self.sides = {"B": Side(-1), "S": Side(1)}
        self.orders = {}
        self.stops = {}
        self.open_by = {}  # trader -> set of ids of resting orders and waiting stops
        self.buy_stops = []
        self.sell_stops = []
        self.expiries = []
        self.seen = set()
        self.seq = 0
        self.last_price = None
        self.n_trades = 0
        self.volume = 0
        self.high = None
        self.low = None
        self.traders = {}
        self.out = []
        self.bbo = None

    def next_seq(self):
        self.seq += 1
        return self.seq

    def top(self, side):
        book = self.sides[side]
        price = book.best_price()
        if price is None:
            return ("-", "-")
        return (price, book.levels[price][2])

    def cancel_resting(self, order):
        self.sides[order["side"]].remove(order)
        del self.orders[order["oid"]]
        self.open_by[order["trader"]].discard(order["oid"])

    def drop_stop(self, oid):
        stop = self.stops.pop(oid, None)
        if stop is not None:
            self.open_by[stop["trader"]].discard(oid)
        return stop

    def execute(self, ts, order):
        out = self.out
        book = self.sides["S" if order["side"] == "B" else "B"]
        limit = order["price"]
        buying = order["side"] == "B"
        while order["left"] > 0:
            price = book.best_price()
            if price is None:
                break
            if limit is not None and (price > limit if buying else price < limit):
                break
            resting = book.head(price)
            if resting["trader"] == order["trader"]:
                self.cancel_resting(resting)
                out.append(f"CXL {ts} {resting['oid']} selftrade")
                continue
            qty = min(order["left"], resting["shown"])
            if buying:
                buyer, seller = order, resting
            else:
                buyer, seller = resting, order
            out.append(f"TRD {ts} {buyer['oid']} {seller['oid']} {price} {qty}")
            self.record(buyer["trader"], seller["trader"], price, qty)
            order["left"] -= qty
            resting["shown"] -= qty
            level = book.levels[price]
            level[2] -= qty
            if resting["shown"] == 0:
                if resting["hidden"] > 0:
                    refill = min(resting["peak"], resting["hidden"])
                    resting["hidden"] -= refill
                    resting["shown"] = refill
                    resting["seq"] = self.next_seq()
                    level[0].popleft()
                    level[0].append(resting)
                    level[2] += refill
                else:
                    self.cancel_resting(resting)
        if order["left"] > 0:
            if order["kind"] in ("LMT", "ICE"):
                shown = order["left"] if order["kind"] == "LMT" else min(order["peak"], order["left"])
                resting = {
                    "oid": order["oid"],
                    "trader": order["trader"],
                    "side": order["side"],
                    "price": order["price"],
                    "shown": shown,
                    "hidden": order["left"] - shown,
                    "peak": order["peak"],
                    "seq": self.next_seq(),
                    "exp": order["exp"],
                    "live": True,
                }
                self.orders[order["oid"]] = resting
                self.sides[order["side"]].add(resting)
                self.open_by[order["trader"]].add(order["oid"])
            else:
                out.append(f"CXL {ts} {order['oid']} unfilled {order['left']}")

    def record(self, buyer, seller, price, qty):
        self.last_price = price
        self.n_trades += 1
        self.volume += qty
        if self.high is None or price > self.high:
            self.high = price
        if self.low is None or price < self.low:
            self.low = price
        traders = self.traders
        if buyer not in traders:
            traders[buyer] = [0, 0, 0]
        if seller not in traders:
            traders[seller] = [0, 0, 0]
        b = traders[buyer]
        b[0] += qty
        b[2] -= price * qty
        s = traders[seller]
        s[1] += qty
        s[2] += price * qty

    def fire_stops(self, ts):
        if self.last_price is None:
            return
        pool = []
        stops = self.stops
        while True:
            last = self.last_price
            buy_stops, sell_stops = self.buy_stops, self.sell_stops
            while buy_stops and buy_stops[0][0] <= last:
                entry = heapq.heappop(buy_stops)
                if entry[2] in stops:
                    pool.append(entry)
            while sell_stops and -sell_stops[0][0] >= last:
                entry = heapq.heappop(sell_stops)
                if entry[2] in stops:
                    pool.append(entry)
            chosen = None
            for entry in pool:
                stop = stops[entry[2]]
                ok = last >= stop["trigger"] if stop["side"] == "B" else last <= stop["trigger"]
                if ok and (chosen is None or entry[1] < chosen[1]):
                    chosen = entry
            if chosen is None:
                break
            pool.remove(chosen)
            stop = self.drop_stop(chosen[2])
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
        for entry in pool:
            heapq.heappush(self.buy_stops if stops[entry[2]]["side"] == "B" else self.sell_stops, entry)

    def expire(self, ts):
        expiries = self.expiries
        while expiries and expiries[0][0] <= ts:
            oid = heapq.heappop(expiries)[1]
            order = self.orders.get(oid)
            if order is not None:
                self.cancel_resting(order)
            elif self.drop_stop(oid) is None:
                continue
            self.out.append(f"EXP {ts} {oid}")

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
        mine = self.open_by.get(trader)
        if mine is None:
            mine = self.open_by[trader] = set()
        if len(mine) >= MAX_OPEN:
            self.out.append(f"REJ {ts} {oid} limit")
            return
        exp = int(options["exp"]) if "exp" in options else None
        if exp is not None and exp <= ts:
            self.out.append(f"REJ {ts} {oid} expired")
            return
        if kind == "STP":
            limit = int(options["limit"]) if "limit" in options else None
            trigger = int(price)
            stop = {"oid": oid, "trader": trader, "side": side, "trigger": trigger, "limit": limit, "qty": qty, "seq": self.next_seq(), "exp": exp}
            self.stops[oid] = stop
            mine.add(oid)
            if side == "B":
                heapq.heappush(self.buy_stops, (trigger, stop["seq"], oid))
            else:
                heapq.heappush(self.sell_stops, (-trigger, stop["seq"], oid))
            if exp is not None:
                heapq.heappush(self.expiries, (exp, oid))
            return
        peak = None
        if kind == "ICE":
            peak = int(options["peak"])
            if peak <= 0 or peak >= qty:
                self.out.append(f"REJ {ts} {oid} invalid")
                return
        if exp is not None:
            heapq.heappush(self.expiries, (exp, oid))
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
        order = self.orders.get(oid)
        if order is not None:
            self.cancel_resting(order)
        elif self.drop_stop(oid) is None:
            self.out.append(f"REJ {ts} {oid} unknown")
            return
        self.out.append(f"CXL {ts} {oid} user")

    def modify(self, ts, fields):
        oid, price, qty = int(fields[0]), int(fields[1]), int(fields[2])
        order = self.orders.get(oid)
        if order is None:
            self.out.append(f"REJ {ts} {oid} unknown")
            return
        if order["peak"] is not None:
            self.out.append(f"REJ {ts} {oid} iceberg")
            return
        if qty <= 0:
            self.cancel_resting(order)
            self.out.append(f"CXL {ts} {oid} user")
            return
        if price == order["price"] and qty <= order["shown"]:
            self.sides[order["side"]].levels[price][2] -= order["shown"] - qty
            order["shown"] = qty
            return
        self.cancel_resting(order)
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
        for oid in sorted(self.open_by.get(trader, ())):
            order = self.orders.get(oid)
            if order is not None:
                self.cancel_resting(order)
            else:
                self.drop_stop(oid)
            self.out.append(f"CXL {ts} {oid} disconnect")

    def snapshot(self, ts, fields):
        depth = int(fields[0])
        out = self.out
        out.append(f"SNAP {ts}")
        for side in ("B", "S"):
            book = self.sides[side]
            if depth <= 0:
                continue
            shown = 0
            for key in sorted(book.heap):
                level = book.levels[book.sign * key]
                if level[1]:
                    out.append(f"L {side} {book.sign * key} {level[2]} {level[1]}")
                    shown += 1
                    if shown == depth:
                        break

    def handle(self, line):
        fields = line.split()
        if not fields:
            return
        verb, ts = fields[0], int(fields[1])
        if self.expiries and self.expiries[0][0] <= ts:
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

    def summary(self):
        lines = ["SUMMARY", f"trades {self.n_trades} volume {self.volume}"]
        if self.n_trades:
            lines.append(f"last {self.last_price} high {self.high} low {self.low}")
        else:
            lines.append("last - high - low -")
        for name in sorted(self.traders):
            bought, sold, cash = self.traders[name]
            lines.append(f"trader {name} bought {bought} sold {sold} cash {cash}")
        for side, label in (("B", "bid"), ("S", "ask")):
            levels = {}
            for o in self.orders.values():
                if o["side"] == side:
                    level = levels.setdefault(o["price"], [0, 0, 0])
                    level[0] += o["shown"]
                    level[1] += o["hidden"]
                    level[2] += 1
            for price in sorted(levels, reverse=side == "B")[:5]:
                shown, hidden, count = levels[price]
                lines.append(f"{label} {price} shown {shown} hidden {hidden} orders {count}")
        lines.append(f"resting {len(self.orders)} stops {len(self.stops)}")
        return lines


def simulate(lines):
    exchange = Exchange()
    for line in lines:
        exchange.handle(line)
    return exchange.out + exchange.summary()


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print("\n".join(simulate(handle.read().splitlines())))
