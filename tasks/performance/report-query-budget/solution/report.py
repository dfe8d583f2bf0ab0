"""The monthly trade report, reading the database in a few batched, indexed queries.

build_report(store, month) returns the report for month "YYYY-MM" as text, exactly as the
original per-row version did. prepare(store) adds the four indexes it relies on: orders by date
(one range query covers the month and the three before it), lines by order, refunds by line
and refunds by day.
"""

SECTION_RULE = "-" * 72


def prepare(store):
    store.create_index("orders", "placed")
    store.create_index("lines", "order_id")
    store.create_index("refunds", "line_id")
    store.create_index("refunds", "day")


# -- helpers -------------------------------------------------------------------------------


def money(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


def percent(part, whole):
    """part/whole as a percentage with one decimal, rounded half up; "n/a" when whole is 0."""
    if whole == 0:
        return "n/a"
    tenths = (2000 * part + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def in_month(day, month):
    return day[:7] == month


def previous_months(month, count):
    year, mon = int(month[:4]), int(month[5:7])
    result = []
    for _ in range(count):
        mon -= 1
        if mon == 0:
            year, mon = year - 1, 12
        result.append(f"{year:04d}-{mon:02d}")
    return result


def line_net(line):
    return line["qty"] * line["unit_cents"] * (100 - line["discount_pct"]) // 100


def next_month(month):
    year, mon = int(month[:4]), int(month[5:7]) + 1
    if mon == 13:
        year, mon = year + 1, 1
    return f"{year:04d}-{mon:02d}"


class Data:
    """Everything the report needs, read with a handful of batched, indexed queries."""

    def __init__(self, store, month):
        self.month = month
        self.earlier = previous_months(month, 3)
        window = store.find_range("orders", "placed", self.earlier[-1] + "-01", next_month(month) + "-01")
        self.month_orders = [o for o in window if o["placed"][:7] == month]
        self.counted = [o for o in self.month_orders if o["status"] != "cancelled"]
        wanted = [o["id"] for o in window if o["status"] != "cancelled"]
        self.orders = {o["id"]: o for o in window}
        self.lines_by_order = {}
        for line in store.find_in("lines", "order_id", wanted):
            self.lines_by_order.setdefault(line["order_id"], []).append(line)
        month_line_ids = [line["id"] for o in self.counted for line in self.lines_by_order.get(o["id"], [])]
        self.refunded = {}
        for refund in store.find_in("refunds", "line_id", month_line_ids):
            self.refunded[refund["line_id"]] = self.refunded.get(refund["line_id"], 0) + refund["cents"]
        self.customers = {c["id"]: c for c in store.scan("customers")}
        self.products = store.scan("products")
        self.reps = store.scan("reps")
        self.rep_by_id = {r["id"]: r for r in self.reps}
        self.regions = store.scan("regions")
        self.region_by_id = {r["id"]: r for r in self.regions}
        self.by_customer = {}
        for order in self.counted:
            self.by_customer.setdefault(order["customer_id"], []).append(order)
        self.net = {o["id"]: sum(line_net(line) for line in self.lines_by_order.get(o["id"], [])) for o in self.counted}
        self.order_refunds = {
            o["id"]: sum(self.refunded.get(line["id"], 0) for line in self.lines_by_order.get(o["id"], []))
            for o in self.counted
        }
        month_refunds = store.find_range("refunds", "day", month + "-01", next_month(month) + "-01")
        refund_lines = {line["id"]: line for line in store.get_many("lines", {r["line_id"] for r in month_refunds})}
        refund_orders = {o["id"]: o for o in store.get_many("orders", {line["order_id"] for line in refund_lines.values()})}
        self.month_refunds = [(r, refund_orders[refund_lines[r["line_id"]]["order_id"]]) for r in month_refunds]

    def rep_name(self, rep_id):
        if rep_id is None:
            return "(house account)"
        rep = self.rep_by_id.get(rep_id)
        return rep["name"] if rep is not None else "(unknown rep)"

    def region_name(self, region_id):
        region = self.region_by_id.get(region_id)
        return region["name"] if region is not None else "(unknown region)"


def section_overview(data):
    month = data.month
    placed = len(data.counted)
    cancelled = len(data.month_orders) - placed
    gross = sum(data.net.values())
    refunded = sum(data.order_refunds.values())
    buyers = {o["customer_id"] for o in data.counted}
    average = gross // placed if placed else 0
    return [
        f"TRADE REPORT {month}",
        SECTION_RULE,
        f"orders            {placed:>10}",
        f"cancelled         {cancelled:>10}",
        f"buying customers  {len(buyers):>10}",
        f"gross revenue     {money(gross):>14}",
        f"refunded          {money(refunded):>14}",
        f"net revenue       {money(gross - refunded):>14}",
        f"average order     {money(average):>14}",
        f"refund rate       {percent(refunded, gross):>10}",
    ]


def section_top_customers(data):
    ranked = []
    for cid, orders in data.by_customer.items():
        customer = data.customers.get(cid)
        if customer is None:
            continue
        gross = sum(data.net[o["id"]] for o in orders)
        refunded = sum(data.order_refunds[o["id"]] for o in orders)
        if gross <= 0:
            continue
        ranked.append((-(gross - refunded), customer["name"], cid, len(orders), customer))
    ranked.sort(key=lambda item: item[:3])
    lines = ["", "TOP CUSTOMERS BY NET REVENUE", SECTION_RULE]
    for rank, (negative_net, name, cid, n_orders, customer) in enumerate(ranked[:10], start=1):
        where = data.region_name(customer["region_id"])
        who = data.rep_name(customer["rep_id"])
        closed = " [closed]" if customer["status"] == "closed" else ""
        lines.append(f"{rank:>2}. {name} (#{cid}){closed}, {where}, rep {who}: {n_orders} orders, {money(-negative_net)}")
    if not ranked:
        lines.append("(no sales)")
    return lines


def section_categories(data):
    category_of = {p["id"]: p["category"] for p in data.products}
    totals = {}
    for product in data.products:
        totals.setdefault(product["category"], {"units": 0, "revenue": 0, "refunded": 0, "products": set()})
    for order in data.counted:
        for line in data.lines_by_order.get(order["id"], []):
            category = category_of.get(line["product_id"])
            if category is None:
                continue
            entry = totals[category]
            entry["units"] += line["qty"]
            entry["revenue"] += line_net(line)
            entry["refunded"] += data.refunded.get(line["id"], 0)
            entry["products"].add(line["product_id"])
    lines = ["", "CATEGORIES", SECTION_RULE]
    for category in sorted(totals, key=lambda c: (-totals[c]["revenue"], c)):
        entry = totals[category]
        lines.append(
            f"{category:<10} {entry['units']:>7} units {len(entry['products']):>4} products "
            f"{money(entry['revenue']):>14} refunded {percent(entry['refunded'], entry['revenue']):>6}"
        )
    return lines


def section_reps(data):
    active_customers = {}
    revenue = {}
    for customer in data.customers.values():
        rid = customer["rep_id"]
        if customer["status"] == "active":
            active_customers[rid] = active_customers.get(rid, 0) + 1
        for order in data.by_customer.get(customer["id"], []):
            revenue[rid] = revenue.get(rid, 0) + data.net[order["id"]]
    board = []
    for rep in data.reps:
        if not rep["active"]:
            continue
        manager = "-" if rep["manager_id"] is None else data.rep_name(rep["manager_id"])
        board.append((revenue.get(rep["id"], 0), rep["name"], rep["id"], active_customers.get(rep["id"], 0), manager))
    board.sort(key=lambda item: (-item[0], item[1], item[2]))
    lines = ["", "SALES REPS", SECTION_RULE]
    rank = 0
    previous = None
    for position, (rev, name, rid, active, manager) in enumerate(board, start=1):
        if rev != previous:
            rank = position
            previous = rev
        lines.append(f"{rank:>2}. {name:<24} {money(rev):>14} {active:>4} active customers, manager {manager}")
    lines.append(f"    {'(house accounts)':<24} {money(revenue.get(None, 0)):>14}")
    return lines


def section_regions(data):
    stats = {}
    for customer in data.customers.values():
        entry = stats.setdefault(customer["region_id"], [0, 0, 0, 0, {}])
        if customer["status"] == "active":
            entry[0] += 1
        if customer["joined"][:7] == data.month:
            entry[1] += 1
        for order in data.by_customer.get(customer["id"], []):
            entry[2] += 1
            entry[3] += data.net[order["id"]]
            entry[4][order["channel"]] = entry[4].get(order["channel"], 0) + 1
    lines = ["", "REGIONS", SECTION_RULE]
    for region in data.regions:
        active, joined, n_orders, gross, channels = stats.get(region["id"], [0, 0, 0, 0, {}])
        top = min(channels.items(), key=lambda item: (-item[1], item[0]))[0] if channels else "none"
        average = gross // n_orders if n_orders else 0
        lines.append(
            f"{region['name']:<8} {active:>5} active {joined:>3} new {n_orders:>5} orders "
            f"avg {money(average):>10} top channel {top}"
        )
    return lines


def section_dormant(data):
    earlier = data.earlier
    sold_now = set()
    last_sold = {}
    for order in data.orders.values():
        if order["status"] == "cancelled":
            continue
        placed = order["placed"]
        for line in data.lines_by_order.get(order["id"], []):
            pid = line["product_id"]
            if placed[:7] == data.month:
                sold_now.add(pid)
            elif placed[:7] in earlier and placed > last_sold.get(pid, ""):
                last_sold[pid] = placed
    dormant = sorted(
        (p["sku"], p["id"], p["name"], last_sold[p["id"]])
        for p in data.products
        if not p["discontinued"] and p["id"] not in sold_now and p["id"] in last_sold
    )
    lines = ["", f"DORMANT PRODUCTS (sold in {earlier[-1]} to {earlier[0]}, not in {data.month})", SECTION_RULE]
    for sku, pid, name, last in dormant:
        lines.append(f"{sku} #{pid:<4} {name:<28} last sold {last}")
    lines.append(f"{len(dormant)} products")
    return lines


def section_refund_reasons(data):
    reasons = {}
    for refund, order in data.month_refunds:
        if data.customers[order["customer_id"]]["status"] == "closed":
            continue
        entry = reasons.setdefault(refund["reason"], [0, 0, set()])
        entry[0] += 1
        entry[1] += refund["cents"]
        entry[2].add(order["id"])
    lines = ["", "REFUNDS ISSUED THIS MONTH BY REASON (open accounts)", SECTION_RULE]
    for reason, (n, cents, orders) in sorted(reasons.items(), key=lambda item: (-item[1][1], item[0])):
        lines.append(f"{reason:<14} {n:>4} refunds {len(orders):>4} orders {money(cents):>12}")
    if not reasons:
        lines.append("(none)")
    return lines


def section_repeat_buyers(data):
    repeat = []
    for cid, orders in data.by_customer.items():
        if len(orders) < 2:
            continue
        products = {line["product_id"] for o in orders for line in data.lines_by_order.get(o["id"], [])}
        repeat.append((-len(orders), -len(products), data.customers[cid]["name"], cid))
    repeat.sort()
    lines = ["", "REPEAT BUYERS", SECTION_RULE]
    for negative_orders, negative_products, name, cid in repeat[:15]:
        lines.append(f"{name} (#{cid}): {-negative_orders} orders, {-negative_products} distinct products")
    lines.append(f"{len(repeat)} customers ordered more than once")
    return lines


def build_report(store, month):
    data = Data(store, month)
    lines = []
    lines += section_overview(data)
    lines += section_top_customers(data)
    lines += section_categories(data)
    lines += section_reps(data)
    lines += section_regions(data)
    lines += section_dormant(data)
    lines += section_refund_reasons(data)
    lines += section_repeat_buyers(data)
    return "\n".join(lines) + "\n"
