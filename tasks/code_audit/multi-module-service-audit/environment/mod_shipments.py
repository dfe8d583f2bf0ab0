"""Shipment records: listing, search, exports, document conversion, link previews and notices.

Routes live under /shipments. Every handler takes the Request (see platform_http) and returns the
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

TABLE = "shipments"
PUBLIC_FIELDS = ("id", "name", "status", "amount", "created_at")
SORT_COLUMNS = {"newest": "created_at DESC", "oldest": "created_at ASC", "amount": "amount DESC"}
STATUSES = ('draft', 'pending', 'open', 'closed', 'approved')
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
    raw = req.params.get("shipment_id", "")
    if not raw.isdigit():
        raise HttpError(400, "bad shipment id")
    return int(raw)


def _match_clause(column, value):
    """SQL fragment matching a trusted internal value (a status constant, a column name)."""
    return f"{column} = '{value}'"


def _audit(req, action, target):
    user = req.user or {}
    db.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, target, created_at)"
        " VALUES (?, ?, ?, ?, datetime('now'))",
        (user.get("tenant_id"), user.get("id"), action, f"shipments:{target}"),
    )


def _load(req, record_id):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "shipment not found")
    return row


@route("GET", "/shipments/count")
def count_shipments(req):
    actor = auth.require_user(req)
    counts = {}
    for status in STATUSES:
        rec = db.query_one(
            f"SELECT COUNT(*) AS n FROM {TABLE} WHERE tenant_id = ? AND {_match_clause('status', status)}",
            (actor["tenant_id"],),
        )
        counts[status] = rec["n"]
    return {"counts": counts, "total": sum(counts.values())}


@route("GET", "/shipments/<shipment_id>/history")
def shipment_history(req):
    rec = _load(req, _record_id(req))
    entries = db.query(
        "SELECT action, user_id, created_at FROM audit_log WHERE tenant_id = ? AND target = ?"
        " ORDER BY id DESC LIMIT 100",
        (rec["tenant_id"], f"shipments:{rec['id']}"),
    )
    return {"id": rec["id"], "history": entries}


@route("GET", "/shipments/stats")
def shipments_stats(req):
    me = auth.require_user(req)
    found = db.query_one(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, COALESCE(MAX(amount), 0) AS largest"
        f" FROM {TABLE} WHERE tenant_id = ? AND archived = 0",
        (me["tenant_id"],),
    )
    average = found["total"] / found["n"] if found["n"] else 0
    return {"count": found["n"], "total": found["total"], "largest": found["largest"], "average": round(average, 2)}


@route("GET", "/shipments/search")
def search_shipments(req):
    user = auth.require_user(req)
    term = req.query.get("q", "").strip()
    status = req.query.get("status", "open")
    if not term:
        return {"items": []}
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND {_match_clause('status', status)} AND name LIKE ? ORDER BY id LIMIT 50",
        (user["tenant_id"], "%" + term + "%"),
    )
    return {"items": [_public(r) for r in rows], "query": term}


@route("GET", "/shipments/<shipment_id>")
def get_shipment(req):
    actor = auth.require_user(req)
    rec = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ?", (_record_id(req),))
    if rec is None or rec["tenant_id"] != actor["tenant_id"]:
        raise HttpError(404, "shipment not found")
    return {"shipment": rec}


@route("GET", "/shipments/report")
def shipments_monthly_report(req):
    actor = auth.require_user(req)
    year = req.query.get("year", "2024")
    if not (len(year) == 4 and year.isdigit()):
        raise HttpError(400, "year must be four digits")
    rows = db.query(
        f"SELECT substr(created_at, 1, 7) AS month, COUNT(*) AS n, SUM(amount) AS total FROM {TABLE}"
        " WHERE tenant_id = ? AND substr(created_at, 1, 4) = ? GROUP BY month ORDER BY month",
        (actor["tenant_id"], year),
    )
    months = {r["month"]: {"count": r["n"], "total": r["total"]} for r in rows}
    best = max(months, key=lambda m: months[m]["total"]) if months else None
    return {"year": int(year), "months": months, "best_month": best}


@route("POST", "/shipments/<shipment_id>/preview")
def preview_shipment_link(req):
    record = _load(req, _record_id(req))
    url = str(req.body.get("url", "")).strip()
    if not url:
        raise HttpError(400, "url required")
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in PREVIEW_HOSTS or parts.port not in (None, 443):
        raise HttpError(400, "only partner CDN links can be previewed")
    body = net.fetch(url)
    return {"id": record["id"], "url": url, "preview": body[:2000]}


@route("POST", "/shipments/<shipment_id>")
def update_shipment(req):
    item = _load(req, _record_id(req))
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
        db.execute(f"UPDATE {TABLE} SET {key} = ? WHERE id = ?", (value, item["id"]))
    _audit(req, "update", item["id"])
    return {"id": item["id"], "changed": sorted(changes)}


@route("POST", "/shipments/bulk-status")
def bulk_shipments_status(req):
    caller = auth.require_role(req, "manager")
    status = req.body.get("status")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    ids = req.body.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500:
        raise HttpError(400, "ids must be a list of at most 500 integers")
    changed = 0
    for record_id in ids:
        record = db.query_one(f"SELECT id FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, caller["tenant_id"]))
        if record is not None:
            db.execute(f"UPDATE {TABLE} SET status = ? WHERE id = ?", (status, record_id))
            changed += 1
    _audit(req, "bulk-status", f"{changed}:{status}")
    return {"changed": changed, "status": status}


@route("POST", "/shipments")
def create_shipment(req):
    user = auth.require_user(req)
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
        (user["tenant_id"], user["id"], name, str(req.body.get("notes", ""))[:2000], amount),
    )
    _audit(req, "create", new_id)
    return {"id": new_id, "status": "draft"}


@route("GET", "/shipments")
def list_shipments(req):
    caller = auth.require_user(req)
    size, offset = _page(req)
    status = req.query.get("status", "open")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND status = ? AND archived = 0 ORDER BY id LIMIT ? OFFSET ?",
        (caller["tenant_id"], status, size, offset),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}


@route("POST", "/shipments/import")
def import_shipments(req):
    me = auth.require_role(req, "manager")
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
            (me["tenant_id"], me["id"], name[:120], int(amount)),
        ))
    _audit(req, "import", f"{len(created)} rows")
    return {"created": created, "errors": errors[:50]}


@route("GET", "/shipments/<shipment_id>/notes")
def shipment_notes(req):
    found = _load(req, _record_id(req))
    return {"id": found["id"], "notes": found["notes"], "owner_id": found["owner_id"]}


@route("DELETE", "/shipments/<shipment_id>")
def delete_shipment(req):
    rec = _load(req, _record_id(req))
    if rec["owner_id"] != req.user["id"] and req.user["role"] == "user":
        raise HttpError(403, "only the owner or a manager can delete")
    db.execute(f"DELETE FROM {TABLE} WHERE id = ?", (rec["id"],))
    _audit(req, "delete", rec["id"])
    return {"deleted": rec["id"]}


@route("POST", "/shipments/<shipment_id>/restore")
def restore_shipment(req):
    record = _load(req, _record_id(req))
    if not record["archived"]:
        raise HttpError(409, "shipment is not archived")
    if record["status"] == "cancelled" and req.user["role"] == "user":
        raise HttpError(403, "only a manager can restore a cancelled shipment")
    db.execute(f"UPDATE {TABLE} SET archived = 0 WHERE id = ?", (record["id"],))
    _audit(req, "restore", record["id"])
    return {"id": record["id"], "archived": False}


@route("POST", "/shipments/<shipment_id>/pdf")
def render_shipment_pdf(req):
    record = _load(req, _record_id(req))
    title = str(req.body.get("title", record["name"]))[:300]
    source = f"{EXPORT_ROOT}/{record['tenant_id']}/{TABLE}/report-{record['id']}.txt"
    output = shell.run(f"convert-doc --format pdf --title {shlex.quote(title)} {shlex.quote(source)}")
    return {"id": record["id"], "log": output}


@route("GET", "/shipments/exports/<name>")
def download_shipment_export(req):
    principal = auth.require_user(req)
    name = req.params["name"] or req.query.get("file", "")
    if req.query.get("file"):
        name = req.query["file"]
    base = f"{EXPORT_ROOT}/{principal['tenant_id']}/{TABLE}"
    if name not in fs.listdir(base):
        raise HttpError(404, "no such export")
    path = base + "/" + name
    _audit(req, "export", name)
    return {"file": name, "content": fs.read(path)}


@route("POST", "/shipments/<shipment_id>/reassign")
def reassign_shipment(req):
    manager = auth.require_role(req, "manager")
    found = _load(req, _record_id(req))
    try:
        new_owner = int(req.body.get("owner_id", 0))
    except (TypeError, ValueError):
        raise HttpError(400, "owner_id must be an integer")
    target = db.query_one("SELECT id, tenant_id FROM users WHERE id = ?", (new_owner,))
    if target is None or target["tenant_id"] != manager["tenant_id"]:
        raise HttpError(400, "the new owner must belong to your organisation")
    db.execute(f"UPDATE {TABLE} SET owner_id = ? WHERE id = ?", (new_owner, found["id"]))
    _audit(req, "reassign", f"{found['id']}->{new_owner}")
    return {"id": found["id"], "owner_id": new_owner}


@route("POST", "/shipments/<shipment_id>/notice")
def compose_shipment_notice(req):
    found = _load(req, _record_id(req))
    message = str(req.body.get("message", ""))[:2000]
    template = "Hello {{ customer }},\n\n{{ message }}\n\n-- {{ config.brand }} ({{ config.support_email }})"
    text = tmpl.render(template, {"customer": found["name"], "message": message, "config": config.SETTINGS})
    return {"id": found["id"], "notice": text}


@route("POST", "/shipments/<shipment_id>/duplicate")
def duplicate_shipment(req):
    item = _load(req, _record_id(req))
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (item["tenant_id"], req.user["id"], (item["name"] + " (copy)")[:120], item["notes"], item["amount"]),
    )
    _audit(req, "duplicate", f"{item['id']}->{new_id}")
    return {"id": new_id, "copied_from": item["id"]}


@route("POST", "/shipments/<shipment_id>/comment")
def comment_on_shipment(req):
    item = _load(req, _record_id(req))
    text = str(req.body.get("text", "")).strip()
    if not text or len(text) > 1000:
        raise HttpError(400, "a comment is 1-1000 characters")
    notes = (item["notes"] or "") + "\n" + req.user["username"] + ": " + text
    db.execute(f"UPDATE {TABLE} SET notes = ? WHERE id = ?", (notes[-8000:], item["id"]))
    _audit(req, "comment", item["id"])
    return {"id": item["id"], "comments": notes.count("\n")}


@route("POST", "/shipments/<shipment_id>/archive")
def archive_shipment(req):
    item = _load(req, _record_id(req))
    if item["archived"]:
        return {"id": item["id"], "archived": True, "changed": False}
    db.execute(f"UPDATE {TABLE} SET archived = 1 WHERE id = ? AND {_match_clause('archived', 0)}", (item["id"],))
    _audit(req, "archive", item["id"])
    return {"id": item["id"], "archived": True, "changed": True}


@route("GET", "/shipments/<shipment_id>/similar")
def similar_shipments(req):
    item = _load(req, _record_id(req))
    prefix = (item["name"] or "").split(" ")[0]
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND id != ? AND name LIKE ? ORDER BY id LIMIT 20",
        (item["tenant_id"], item["id"], prefix + "%"),
    )
    return {"id": item["id"], "similar": [_public(r) for r in rows]}


@route("GET", "/admin/shipments")
def admin_shipments_overview(req):
    user = auth.require_user(req)
    if auth.ROLES.index(user["role"]) < auth.ROLES.index("admin"):
        raise HttpError(403, "forbidden")
    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} ORDER BY id")
    return {"tenants": sorted({r["tenant_id"] for r in rows}), "items": rows}
