"""Delivery records: listing, search, exports, document conversion, link previews and notices.

Routes live under /deliveries. Every handler takes the Request (see platform_http) and returns the
response body as a dict. Records belong to a tenant; callers only ever see their own tenant's
records unless they are platform administrators.
"""

import posixpath
import re
import shlex
from urllib.parse import unquote, urlsplit

import platform_auth as auth
import platform_config as config
import platform_db as db
import platform_fs as fs
import platform_net as net
import platform_shell as shell
import platform_tmpl as tmpl
from platform_http import HttpError, route

TABLE = "deliveries"
PUBLIC_FIELDS = ("id", "name", "status", "amount", "created_at")
SORT_COLUMNS = {"newest": "created_at DESC", "oldest": "created_at ASC", "amount": "amount DESC"}
STATUSES = ('closed', 'on_hold', 'cancelled', 'approved', 'draft')
EXPORT_ROOT = "/data"
PREVIEW_HOSTS = {"cdn.partner.example"}
PAGE_MAX = 100


def _public(row):
    return {key: row[key] for key in PUBLIC_FIELDS if key in row}


def _page(req):
    try:
        page = max(1, int(req.query.get("page", "1")))
        size = min(PAGE_MAX, max(1, int(req.query.get("size", "20"))))
    except ValueError:
        raise HttpError(400, "page and size must be integers")
    return size, (page - 1) * size


def _record_id(req):
    raw = req.params.get("delivery_id", "")
    if not raw.isdigit():
        raise HttpError(400, "bad delivery id")
    return int(raw)


def _match_clause(column, value):
    """SQL fragment matching a trusted internal value (a status constant, a column name)."""
    return f"{column} = '{value}'"


def _audit(req, action, target):
    user = req.user or {}
    db.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, target, created_at)"
        " VALUES (?, ?, ?, ?, datetime('now'))",
        (user.get("tenant_id"), user.get("id"), action, f"deliveries:{target}"),
    )


def _load(req, record_id):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "delivery not found")
    return row


@route("POST", "/deliveries/<delivery_id>/comment")
def comment_on_delivery(req):
    found = _load(req, _record_id(req))
    text = str(req.body.get("text", "")).strip()
    if not text or len(text) > 1000:
        raise HttpError(400, "a comment is 1-1000 characters")
    notes = (found["notes"] or "") + "\n" + req.user["username"] + ": " + text
    db.execute(f"UPDATE {TABLE} SET notes = ? WHERE id = ?", (notes[-8000:], found["id"]))
    _audit(req, "comment", found["id"])
    return {"id": found["id"], "comments": notes.count("\n")}


@route("GET", "/deliveries")
def list_deliveries(req):
    me = auth.require_user(req)
    size, offset = _page(req)
    order = SORT_COLUMNS.get(req.query.get("sort", "newest"))
    if order is None:
        raise HttpError(400, "unknown sort order")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND archived = 0 ORDER BY {order} LIMIT {size} OFFSET {offset}",
        (me["tenant_id"],),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}


@route("GET", "/deliveries/report")
def deliveries_monthly_report(req):
    principal = auth.require_user(req)
    year = req.query.get("year", "2024")
    if not (len(year) == 4 and year.isdigit()):
        raise HttpError(400, "year must be four digits")
    rows = db.query(
        f"SELECT substr(created_at, 1, 7) AS month, COUNT(*) AS n, SUM(amount) AS total FROM {TABLE}"
        " WHERE tenant_id = ? AND substr(created_at, 1, 4) = ? GROUP BY month ORDER BY month",
        (principal["tenant_id"], year),
    )
    months = {r["month"]: {"count": r["n"], "total": r["total"]} for r in rows}
    best = max(months, key=lambda m: months[m]["total"]) if months else None
    return {"year": int(year), "months": months, "best_month": best}


@route("POST", "/deliveries/bulk-status")
def bulk_deliveries_status(req):
    me = auth.require_role(req, "manager")
    status = req.body.get("status")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    ids = req.body.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500:
        raise HttpError(400, "ids must be a list of at most 500 integers")
    changed = 0
    for record_id in ids:
        item = db.query_one(f"SELECT id FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, me["tenant_id"]))
        if item is not None:
            db.execute(f"UPDATE {TABLE} SET status = ? WHERE id = ?", (status, record_id))
            changed += 1
    _audit(req, "bulk-status", f"{changed}:{status}")
    return {"changed": changed, "status": status}


@route("GET", "/deliveries/stats")
def deliveries_stats(req):
    me = auth.require_user(req)
    found = db.query_one(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, COALESCE(MAX(amount), 0) AS largest"
        f" FROM {TABLE} WHERE tenant_id = ? AND archived = 0",
        (me["tenant_id"],),
    )
    average = found["total"] / found["n"] if found["n"] else 0
    return {"count": found["n"], "total": found["total"], "largest": found["largest"], "average": round(average, 2)}


@route("POST", "/deliveries/<delivery_id>/preview")
def preview_delivery_link(req):
    record = _load(req, _record_id(req))
    url = str(req.body.get("url", "")).strip()
    if not url:
        raise HttpError(400, "url required")
    host = (urlsplit(url).hostname or "").lower()
    if not any(host == allowed for allowed in PREVIEW_HOSTS) or "@" in url.split("/")[2]:
        raise HttpError(400, "only partner CDN links can be previewed")
    body = net.fetch(url)
    return {"id": record["id"], "url": url, "preview": body[:2000]}


@route("GET", "/deliveries/<delivery_id>/similar")
def similar_deliveries(req):
    record = _load(req, _record_id(req))
    prefix = (record["name"] or "").split(" ")[0]
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = {int(record['tenant_id'])} AND id != {int(record['id'])} AND name LIKE ? ORDER BY id LIMIT 20",
        (prefix + "%",),
    )
    return {"id": record["id"], "similar": [_public(r) for r in rows]}


@route("GET", "/deliveries/exports/<name>")
def download_delivery_export(req):
    caller = auth.require_user(req)
    name = req.params["name"] or req.query.get("file", "")
    if req.query.get("file"):
        name = req.query["file"]
    if "/" in name or name.startswith("."):
        raise HttpError(400, "bad file name")
    path = f"{EXPORT_ROOT}/{caller['tenant_id']}/{TABLE}/{name}"
    _audit(req, "export", name)
    return {"file": name, "content": fs.read(path)}


@route("GET", "/deliveries/<delivery_id>/notes")
def delivery_notes(req):
    record = _load(req, _record_id(req))
    return {"id": record["id"], "notes": record["notes"], "owner_id": record["owner_id"]}


@route("POST", "/deliveries/<delivery_id>/duplicate")
def duplicate_delivery(req):
    item = _load(req, _record_id(req))
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (item["tenant_id"], req.user["id"], (item["name"] + " (copy)")[:120], item["notes"], item["amount"]),
    )
    _audit(req, "duplicate", f"{item['id']}->{new_id}")
    return {"id": new_id, "copied_from": item["id"]}


@route("POST", "/deliveries/<delivery_id>/notice")
def compose_delivery_notice(req):
    row = _load(req, _record_id(req))
    message = str(req.body.get("message", ""))[:2000]
    template = "Hello {{ customer }},\n\n{{ message }}\n\n-- {{ config.brand }} ({{ config.support_email }})"
    footer = str(req.body.get("footer", ""))[:500]
    context = {"customer": row["name"], "message": message, "record": _public(row)}
    text = tmpl.render("Hello {{ customer }},\n\n{{ message }}\n\n" + footer, context)
    return {"id": row["id"], "notice": text}


@route("GET", "/deliveries/count")
def count_deliveries(req):
    user = auth.require_user(req)
    counts = {}
    for status in STATUSES:
        record = db.query_one(
            f"SELECT COUNT(*) AS n FROM {TABLE} WHERE tenant_id = ? AND {_match_clause('status', status)}",
            (user["tenant_id"],),
        )
        counts[status] = record["n"]
    return {"counts": counts, "total": sum(counts.values())}


@route("POST", "/deliveries/<delivery_id>/restore")
def restore_delivery(req):
    item = _load(req, _record_id(req))
    if not item["archived"]:
        raise HttpError(409, "delivery is not archived")
    if item["status"] == "cancelled" and req.user["role"] == "user":
        raise HttpError(403, "only a manager can restore a cancelled delivery")
    db.execute(f"UPDATE {TABLE} SET archived = 0 WHERE id = ?", (item["id"],))
    _audit(req, "restore", item["id"])
    return {"id": item["id"], "archived": False}


@route("DELETE", "/deliveries/<delivery_id>")
def delete_delivery(req):
    entry = _load(req, _record_id(req))
    if entry["owner_id"] != req.user["id"] and req.user["role"] == "user":
        raise HttpError(403, "only the owner or a manager can delete")
    db.execute(f"DELETE FROM {TABLE} WHERE id = ?", (entry["id"],))
    _audit(req, "delete", entry["id"])
    return {"deleted": entry["id"]}


@route("POST", "/deliveries/<delivery_id>/pdf")
def render_delivery_pdf(req):
    found = _load(req, _record_id(req))
    title = str(req.body.get("title", found["name"]))[:300]
    source = f"{EXPORT_ROOT}/{found['tenant_id']}/{TABLE}/report-{found['id']}.txt"
    copies = int(req.body.get("copies", 1))
    output = shell.run(f"convert-doc --format pdf --copies {copies} {source}")
    return {"id": found["id"], "log": output, "title": title}


@route("GET", "/deliveries/search")
def search_deliveries(req):
    actor = auth.require_user(req)
    term = req.query.get("q", "").strip()
    status = req.query.get("status", "open")
    if not term:
        return {"items": []}
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND {_match_clause('status', status)} AND name LIKE ? ORDER BY id LIMIT 50",
        (actor["tenant_id"], "%" + term + "%"),
    )
    return {"items": [_public(r) for r in rows], "query": term}


@route("POST", "/deliveries/import")
def import_deliveries(req):
    actor = auth.require_role(req, "manager")
    text = str(req.body.get("csv", ""))
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or lines[0].strip().lower() != "name,amount":
        raise HttpError(400, "the first line must be the header name,amount")
    if len(lines) > 1001:
        raise HttpError(400, "at most 1000 rows per import")
    created, errors = [], []
    for number, line in enumerate(lines[1:], start=2):
        name, _, amount = line.rpartition(",")
        name = name.strip().strip('"')
        if not name or not amount.strip().isdigit():
            errors.append({"line": number, "error": "expected name,amount"})
            continue
        created.append(db.execute(
            f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
            " VALUES (?, ?, ?, 'draft', '', ?, datetime('now'))",
            (actor["tenant_id"], actor["id"], name[:120], int(amount)),
        ))
    _audit(req, "import", f"{len(created)} rows")
    return {"created": created, "errors": errors[:50]}


@route("GET", "/deliveries/<delivery_id>/history")
def delivery_history(req):
    record = _load(req, _record_id(req))
    entries = db.query(
        "SELECT action, user_id, created_at FROM audit_log WHERE tenant_id = ? AND target = ?"
        " ORDER BY id DESC LIMIT 100",
        (record["tenant_id"], f"deliveries:{record['id']}"),
    )
    return {"id": record["id"], "history": entries}


@route("POST", "/deliveries/<delivery_id>/reassign")
def reassign_delivery(req):
    manager = auth.require_role(req, "manager")
    record = _load(req, _record_id(req))
    try:
        new_owner = int(req.body.get("owner_id", 0))
    except (TypeError, ValueError):
        raise HttpError(400, "owner_id must be an integer")
    target = db.query_one("SELECT id, tenant_id FROM users WHERE id = ?", (new_owner,))
    if target is None or target["tenant_id"] != manager["tenant_id"]:
        raise HttpError(400, "the new owner must belong to your organisation")
    db.execute(f"UPDATE {TABLE} SET owner_id = ? WHERE id = ?", (new_owner, record["id"]))
    _audit(req, "reassign", f"{record['id']}->{new_owner}")
    return {"id": record["id"], "owner_id": new_owner}


@route("GET", "/deliveries/<delivery_id>")
def get_delivery(req):
    rec = _load(req, _record_id(req))
    return {"delivery": rec}


@route("POST", "/deliveries")
def create_delivery(req):
    actor = auth.require_user(req)
    name = str(req.body.get("name", "")).strip()
    if not 1 <= len(name) <= 120:
        raise HttpError(400, "name must be 1-120 characters")
    try:
        amount = int(req.body.get("amount", 0))
    except (TypeError, ValueError):
        raise HttpError(400, "amount must be an integer")
    if amount < 0:
        raise HttpError(400, "amount must not be negative")
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (actor["tenant_id"], actor["id"], name, str(req.body.get("notes", ""))[:2000], amount),
    )
    _audit(req, "create", new_id)
    return {"id": new_id, "status": "draft"}


@route("GET", "/admin/deliveries")
def admin_deliveries_overview(req):
    actor = auth.require_role(req, "manager")
    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} WHERE tenant_id = ?"
                    " ORDER BY id", (actor["tenant_id"],))
    return {"tenants": [actor["tenant_id"]], "items": rows}


@route("POST", "/deliveries/<delivery_id>")
def update_delivery(req):
    rec = _load(req, _record_id(req))
    changes = {}
    for key in ("name", "notes", "amount"):
        if key in req.body:
            changes[key] = req.body[key]
    if "amount" in changes:
        try:
            changes["amount"] = int(changes["amount"])
        except (TypeError, ValueError):
            raise HttpError(400, "amount must be an integer")
    for key, value in changes.items():
        db.execute(f"UPDATE {TABLE} SET {key} = ? WHERE id = ?", (value, rec["id"]))
    _audit(req, "update", rec["id"])
    return {"id": rec["id"], "changed": sorted(changes)}


@route("POST", "/deliveries/<delivery_id>/archive")
def archive_delivery(req):
    entry = _load(req, _record_id(req))
    if entry["archived"]:
        return {"id": entry["id"], "archived": True, "changed": False}
    db.execute(f"UPDATE {TABLE} SET archived = 1 WHERE id = ? AND {_match_clause('archived', 0)}", (entry["id"],))
    _audit(req, "archive", entry["id"])
    return {"id": entry["id"], "archived": True, "changed": True}
