"""The monthly trade report.

build_report(store, month) returns the report for month "YYYY-MM" as text. It reads the database
only through the storage.Store it is given. prepare(store) runs once before, as a schema
migration (the only place where store.create_index may be called).
"""

SECTION_RULE = "-" * 72


def prepare(store):
    pass


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


def counts(order):
    return order["status"] != "cancelled"


def order_lines(store, order_id):
    return store.find("lines", "order_id", order_id)


def order_net(store, order):
    total = 0
    for line in order_lines(store, order["id"]):
        total += line_net(line)
    return total


def line_refunds(store, line_id):
    total = 0
    for refund in store.find("refunds", "line_id", line_id):
        total += refund["cents"]
    return total


def customer_orders_in(store, customer_id, month):
    result = []
    for order in store.find("orders", "customer_id", customer_id):
        if in_month(order["placed"], month) and counts(order):
            result.append(order)
    return result


def rep_name(store, rep_id):
    if rep_id is None:
        return "(house account)"
    rep = store.get("reps", rep_id)
    return rep["name"] if rep is not None else "(unknown rep)"


def region_name(store, region_id):
    region = store.get("regions", region_id)
    return region["name"] if region is not None else "(unknown region)"


# -- sections ------------------------------------------------------------------------------


def section_overview(store, month):
    placed = 0
    cancelled = 0
    gross = 0
    refunded = 0
    buyers = set()
    for order in store.scan("orders"):
        if not in_month(order["placed"], month):
            continue
        if not counts(order):
            cancelled += 1
            continue
        placed += 1
        buyers.add(order["customer_id"])
        for line in order_lines(store, order["id"]):
            gross += line_net(line)
            refunded += line_refunds(store, line["id"])
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


def section_top_customers(store, month):
    ranked = []
    for customer in store.scan("customers"):
        orders = customer_orders_in(store, customer["id"], month)
        if not orders:
            continue
        gross = 0
        refunded = 0
        for order in orders:
            for line in order_lines(store, order["id"]):
                gross += line_net(line)
                refunded += line_refunds(store, line["id"])
        if gross <= 0:
            continue
        ranked.append((-(gross - refunded), customer["name"], customer["id"], len(orders), customer))
    ranked.sort(key=lambda item: item[:3])
    lines = ["", "TOP CUSTOMERS BY NET REVENUE", SECTION_RULE]
    for rank, (negative_net, name, cid, n_orders, customer) in enumerate(ranked[:10], start=1):
        where = region_name(store, customer["region_id"])
        who = rep_name(store, customer["rep_id"])
        closed = " [closed]" if customer["status"] == "closed" else ""
        lines.append(f"{rank:>2}. {name} (#{cid}){closed}, {where}, rep {who}: {n_orders} orders, {money(-negative_net)}")
    if not ranked:
        lines.append("(no sales)")
    return lines


def section_categories(store, month):
    totals = {}
    for product in store.scan("products"):
        entry = totals.setdefault(product["category"], {"units": 0, "revenue": 0, "refunded": 0, "products": set()})
        for line in store.find("lines", "product_id", product["id"]):
            order = store.get("orders", line["order_id"])
            if order is None or not in_month(order["placed"], month) or not counts(order):
                continue
            entry["units"] += line["qty"]
            entry["revenue"] += line_net(line)
            entry["refunded"] += line_refunds(store, line["id"])
            entry["products"].add(product["id"])
    lines = ["", "CATEGORIES", SECTION_RULE]
    for category in sorted(totals, key=lambda c: (-totals[c]["revenue"], c)):
        entry = totals[category]
        lines.append(
            f"{category:<10} {entry['units']:>7} units {len(entry['products']):>4} products "
            f"{money(entry['revenue']):>14} refunded {percent(entry['refunded'], entry['revenue']):>6}"
        )
    return lines


def section_reps(store, month):
    board = []
    for rep in store.scan("reps"):
        if not rep["active"]:
            continue
        active_customers = 0
        revenue = 0
        for customer in store.find("customers", "rep_id", rep["id"]):
            if customer["status"] == "active":
                active_customers += 1
            for order in customer_orders_in(store, customer["id"], month):
                revenue += order_net(store, order)
        manager = "-" if rep["manager_id"] is None else rep_name(store, rep["manager_id"])
        board.append((revenue, rep["name"], rep["id"], active_customers, manager))
    house = 0
    for customer in store.find("customers", "rep_id", None):
        for order in customer_orders_in(store, customer["id"], month):
            house += order_net(store, order)
    board.sort(key=lambda item: (-item[0], item[1], item[2]))
    lines = ["", "SALES REPS", SECTION_RULE]
    rank = 0
    previous = None
    for position, (revenue, name, rid, active_customers, manager) in enumerate(board, start=1):
        if revenue != previous:
            rank = position
            previous = revenue
        lines.append(f"{rank:>2}. {name:<24} {money(revenue):>14} {active_customers:>4} active customers, manager {manager}")
    lines.append(f"    {'(house accounts)':<24} {money(house):>14}")
    return lines


def section_regions(store, month):
    lines = ["", "REGIONS", SECTION_RULE]
    for region in store.scan("regions"):
        active = 0
        joined = 0
        n_orders = 0
        gross = 0
        channels = {}
        for customer in store.find("customers", "region_id", region["id"]):
            if customer["status"] == "active":
                active += 1
            if in_month(customer["joined"], month):
                joined += 1
            for order in customer_orders_in(store, customer["id"], month):
                n_orders += 1
                gross += order_net(store, order)
                channels[order["channel"]] = channels.get(order["channel"], 0) + 1
        if channels:
            top = sorted(channels.items(), key=lambda item: (-item[1], item[0]))[0][0]
        else:
            top = "none"
        average = gross // n_orders if n_orders else 0
        lines.append(
            f"{region['name']:<8} {active:>5} active {joined:>3} new {n_orders:>5} orders "
            f"avg {money(average):>10} top channel {top}"
        )
    return lines


def section_dormant(store, month):
    earlier = previous_months(month, 3)
    dormant = []
    for product in store.scan("products"):
        if product["discontinued"]:
            continue
        sold_now = False
        last_sold = None
        for line in store.find("lines", "product_id", product["id"]):
            order = store.get("orders", line["order_id"])
            if order is None or not counts(order):
                continue
            if in_month(order["placed"], month):
                sold_now = True
            elif order["placed"][:7] in earlier:
                if last_sold is None or order["placed"] > last_sold:
                    last_sold = order["placed"]
        if not sold_now and last_sold is not None:
            dormant.append((product["sku"], product["id"], product["name"], last_sold))
    dormant.sort()
    lines = ["", f"DORMANT PRODUCTS (sold in {earlier[-1]} to {earlier[0]}, not in {month})", SECTION_RULE]
    for sku, pid, name, last_sold in dormant:
        lines.append(f"{sku} #{pid:<4} {name:<28} last sold {last_sold}")
    lines.append(f"{len(dormant)} products")
    return lines


def section_refund_reasons(store, month):
    reasons = {}
    for refund in store.scan("refunds"):
        if not in_month(refund["day"], month):
            continue
        line = store.get("lines", refund["line_id"])
        order = store.get("orders", line["order_id"])
        customer = store.get("customers", order["customer_id"])
        if customer["status"] == "closed":
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


def section_repeat_buyers(store, month):
    per_customer = {}
    for order in store.scan("orders"):
        if in_month(order["placed"], month) and counts(order):
            per_customer.setdefault(order["customer_id"], []).append(order)
    repeat = []
    for customer_id, orders in per_customer.items():
        if len(orders) < 2:
            continue
        products = set()
        for order in orders:
            for line in order_lines(store, order["id"]):
                products.add(line["product_id"])
        customer = store.get("customers", customer_id)
        repeat.append((-len(orders), -len(products), customer["name"], customer_id))
    repeat.sort()
    lines = ["", "REPEAT BUYERS", SECTION_RULE]
    for negative_orders, negative_products, name, cid in repeat[:15]:
        lines.append(f"{name} (#{cid}): {-negative_orders} orders, {-negative_products} distinct products")
    lines.append(f"{len(repeat)} customers ordered more than once")
    return lines


def build_report(store, month):
    lines = []
    lines += section_overview(store, month)
    lines += section_top_customers(store, month)
    lines += section_categories(store, month)
    lines += section_reps(store, month)
    lines += section_regions(store, month)
    lines += section_dormant(store, month)
    lines += section_refund_reasons(store, month)
    lines += section_repeat_buyers(store, month)
    return "\n".join(lines) + "\n"
