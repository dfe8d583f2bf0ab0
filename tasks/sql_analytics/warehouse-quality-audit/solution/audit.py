#!/usr/bin/env python3
"""Reference audit: loads the dump into SQLite, runs the seventeen checks (joins in SQL, money
in Decimal with half-up rounding) and writes findings.csv."""

import sqlite3
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def hu(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def main() -> None:
    con = sqlite3.connect(":memory:")
    for name in ["dimensions.sql", "fact_sales_1.sql", "fact_sales_2.sql", "fact_sales_3.sql", "fact_other.sql"]:
        con.executescript(open(name).read())
    found: set[tuple[str, str]] = set()

    def sql(check: str, query: str) -> None:
        for (key,) in con.execute(query):
            found.add((check, str(key)))

    sql("C01", "SELECT sale_id FROM fact_sales WHERE customer_sk NOT IN (SELECT customer_sk FROM dim_customer)")
    sql("C02", "SELECT sale_id FROM fact_sales WHERE product_id NOT IN (SELECT product_id FROM dim_product)")
    sql("C03", "SELECT sale_id FROM fact_sales WHERE date_key NOT IN (SELECT date_key FROM dim_date)")
    sql("C04", """SELECT b.sale_id FROM fact_sales a JOIN fact_sales b ON a.sale_id < b.sale_id
                  AND a.date_key = b.date_key AND a.store_id = b.store_id AND a.customer_sk = b.customer_sk
                  AND a.product_id = b.product_id AND a.qty = b.qty AND a.unit_price = b.unit_price
                  AND a.discount_pct = b.discount_pct AND a.net_amount = b.net_amount AND a.tax_amount = b.tax_amount""")
    sql("C05", "SELECT sale_id FROM fact_sales WHERE qty <= 0")
    sql("C06", """SELECT s.sale_id FROM fact_sales s JOIN dim_date d USING (date_key) JOIN dim_store st USING (store_id)
                  WHERE d.full_date < st.opened_on OR (st.closed_on IS NOT NULL AND d.full_date > st.closed_on)""")
    sql("C07", """SELECT s.sale_id FROM fact_sales s JOIN dim_date d USING (date_key) JOIN dim_customer c USING (customer_sk)
                  WHERE NOT (c.valid_from <= d.full_date AND d.full_date < c.valid_to)""")
    for sale_id, price, valid in con.execute(
        """SELECT s.sale_id, s.unit_price, p.unit_price FROM fact_sales s JOIN dim_date d USING (date_key)
           JOIN dim_product USING (product_id)
           LEFT JOIN product_prices p ON p.product_id = s.product_id AND p.valid_from <= d.full_date AND d.full_date < p.valid_to"""
    ):
        if valid is None or Decimal(price) != Decimal(valid):
            found.add(("C08", str(sale_id)))
    sql("C09", """SELECT s.sale_id FROM fact_sales s JOIN dim_product p USING (product_id) JOIN dim_category c USING (category)
                  WHERE s.discount_pct > c.max_discount_pct""")
    for sale_id, qty, price, disc, net in con.execute("SELECT sale_id, qty, unit_price, discount_pct, net_amount FROM fact_sales"):
        if hu(qty * Decimal(price) * (100 - disc) / 100) != Decimal(net):
            found.add(("C10", str(sale_id)))
    for sale_id, net, tax, rate in con.execute(
        """SELECT s.sale_id, s.net_amount, s.tax_amount,
                  (SELECT t.rate FROM tax_rates t WHERE t.region = st.region AND t.valid_from <= d.full_date
                   ORDER BY t.valid_from DESC LIMIT 1)
           FROM fact_sales s JOIN dim_date d USING (date_key) JOIN dim_store st USING (store_id)"""
    ):
        if hu(Decimal(net) * Decimal(rate)) != Decimal(tax):
            found.add(("C11", str(sale_id)))
    chains: dict[int, list[tuple[str, str, int]]] = {}
    for cid, vf, vt, cur in con.execute("SELECT customer_id, valid_from, valid_to, is_current FROM dim_customer ORDER BY customer_id, valid_from"):
        chains.setdefault(cid, []).append((vf, vt, cur))
    for cid, vs in chains.items():
        ok = vs[-1][1] == "9999-12-31" and vs[-1][2] == 1 and all(v[2] == 0 for v in vs[:-1])
        ok = ok and all(vs[i][1] == vs[i + 1][0] for i in range(len(vs) - 1))
        if not ok:
            found.add(("C12", str(cid)))
    sql("C13", """SELECT s.sale_id FROM fact_sales s JOIN fact_returns r USING (sale_id)
                  GROUP BY s.sale_id, s.qty HAVING SUM(r.qty) > s.qty""")
    sql("C14", """SELECT r.return_id FROM fact_returns r JOIN fact_sales s USING (sale_id) JOIN dim_date d ON d.date_key = s.date_key
                  WHERE r.return_date_key < s.date_key""")
    sql("C15", "SELECT return_id FROM fact_returns WHERE sale_id NOT IN (SELECT sale_id FROM fact_sales)")
    for rid, rqty, refund, sqty, net, tax in con.execute(
        "SELECT r.return_id, r.qty, r.refund_amount, s.qty, s.net_amount, s.tax_amount FROM fact_returns r JOIN fact_sales s USING (sale_id) WHERE s.qty > 0"
    ):
        if hu((Decimal(net) + Decimal(tax)) * rqty / sqty) != Decimal(refund):
            found.add(("C16", str(rid)))
    sql("C17", """
        WITH flows AS (
            SELECT store_id, product_id, substr(date_key, 1, 4) || '-' || substr(date_key, 5, 2) AS month, qty AS q FROM fact_receipts
            UNION ALL
            SELECT store_id, product_id, substr(date_key, 1, 4) || '-' || substr(date_key, 5, 2), -qty FROM fact_sales
            UNION ALL
            SELECT s.store_id, s.product_id, substr(r.return_date_key, 1, 4) || '-' || substr(r.return_date_key, 5, 2), r.qty
            FROM fact_returns r JOIN fact_sales s USING (sale_id)
        ),
        net AS (SELECT store_id, product_id, month, SUM(q) AS q FROM flows GROUP BY 1, 2, 3)
        SELECT cur.store_id || '|' || cur.product_id || '|' || cur.month
        FROM inventory_snapshot cur
        JOIN inventory_snapshot prev ON prev.store_id = cur.store_id AND prev.product_id = cur.product_id
             AND prev.month = CASE WHEN cur.month = '2024-01' THEN '2023-12'
                                   ELSE '2024-' || printf('%02d', CAST(substr(cur.month, 6, 2) AS INT) - 1) END
        LEFT JOIN net n ON n.store_id = cur.store_id AND n.product_id = cur.product_id AND n.month = cur.month
        WHERE cur.month BETWEEN '2024-01' AND '2024-12' AND cur.on_hand != prev.on_hand + COALESCE(n.q, 0)
    """)
    with open("findings.csv", "w") as fh:
        fh.write("check,key\n")
        for check, key in sorted(found):
            fh.write(f"{check},{key}\n")


main()
