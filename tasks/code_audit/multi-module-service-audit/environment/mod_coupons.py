"""Coupon records: listing, search, exports, document conversion, link previews and notices.

Routes live under /coupons. Every handler takes the Request (see platform_http) and returns the
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

TABLE = "coupons"
PUBLIC_FIELDS = ("id", "name", "status", "amount", "created_at")
SORT_COLUMNS = {"newest": "created_at DESC", "oldest": "created_at ASC", "amount": "amount DESC"}
STATUSES = ('open', 'on_hold', 'approved', 'draft', 'pending')
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
    raw = req.params.get("coupon_id", "")
    if not raw.isdigit():
        raise HttpError(400, "bad coupon id")
    return int(raw)


def _match_clause(column, value):
    """SQL fragment matching a trusted internal value (a status constant, a column name)."""
    return f"{column} = '{value}'"


def _audit(req, action, target):
    user = req.user or {}
    db.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, target, created_at)"
        " VALUES (?, ?, ?, ?, datetime('now'))",
        (user.get("tenant_id"), user.get("id"), action, f"coupons:{target}"),
    )


def _load(req, record_id):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "coupon not found")
    return row


@route("GET", "/coupons/exports/<name>")
def download_coupon_export(req):
    actor = auth.require_user(req)
    name = req.params["name"] or req.query.get("file", "")
    if req.query.get("file"):
        name = req.query["file"]
    if "/" in name or name.startswith("."):
        raise HttpError(400, "bad file name")
    path = f"{EXPORT_ROOT}/{actor['tenant_id']}/{TABLE}/{name}"
    _audit(req, "export", name)
    return {"file": name, "content": fs.read(path)}


@route("POST", "/coupons/<coupon_id>/archive")
def archive_coupon(req):
    found = _load(req, _record_id(req))
    if found["archived"]:
        return {"id": found["id"], "archived": True, "changed": False}
    db.execute(f"UPDATE {TABLE} SET archived = 1 WHERE id = ? AND {_match_clause('archived', 0)}", (found["id"],))
    _audit(req, "archive", found["id"])
    return {"id": found["id"], "archived": True, "changed": True}


@route("POST", "/coupons/<coupon_id>")
def update_coupon(req):
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


@route("POST", "/coupons/<coupon_id>/notice")
def compose_coupon_notice(req):
    item = _load(req, _record_id(req))
    message = str(req.body.get("message", ""))[:2000]
    template = "Hello {{ customer }},\n\n{{ message }}\n\n-- {{ config.brand }} ({{ config.support_email }})"
    footer = str(req.body.get("footer", ""))[:500]
    context = {"customer": item["name"], "message": message, "record": _public(item)}
    text = tmpl.render("Hello {{ customer }},\n\n{{ message }}\n\n" + footer, context)
    return {"id": item["id"], "notice": text}


@route("GET", "/admin/coupons")
def admin_coupons_overview(req):
    auth.require_role(req, "admin")
    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} ORDER BY id")
    return {"tenants": sorted({r["tenant_id"] for r in rows}), "items": rows}


@route("POST", "/coupons/<coupon_id>/restore")
def restore_coupon(req):
    record = _load(req, _record_id(req))
    if not record["archived"]:
        raise HttpError(409, "coupon is not archived")
    if record["status"] == "cancelled" and req.user["role"] == "user":
        raise HttpError(403, "only a manager can restore a cancelled coupon")
    db.execute(f"UPDATE {TABLE} SET archived = 0 WHERE id = ?", (record["id"],))
    _audit(req, "restore", record["id"])
    return {"id": record["id"], "archived": False}


@route("GET", "/coupons/report")
def coupons_monthly_report(req):
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


@route("GET", "/coupons/<coupon_id>/history")
def coupon_history(req):
    row = _load(req, _record_id(req))
    entries = db.query(
        "SELECT action, user_id, created_at FROM audit_log WHERE tenant_id = ? AND target = ?"
        " ORDER BY id DESC LIMIT 100",
        (row["tenant_id"], f"coupons:{row['id']}"),
    )
    return {"id": row["id"], "history": entries}


@route("POST", "/coupons/import")
def import_coupons(req):
    caller = auth.require_role(req, "manager")
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
            (caller["tenant_id"], caller["id"], name[:120], int(amount)),
        ))
    _audit(req, "import", f"{len(created)} rows")
    return {"created": created, "errors": errors[:50]}


@route("DELETE", "/coupons/<coupon_id>")
def delete_coupon(req):
    record = _load(req, _record_id(req))
    if record["owner_id"] != req.user["id"] and req.user["role"] == "user":
        raise HttpError(403, "only the owner or a manager can delete")
    db.execute(f"DELETE FROM {TABLE} WHERE id = ?", (record["id"],))
    _audit(req, "delete", record["id"])
    return {"deleted": record["id"]}


@route("POST", "/coupons/<coupon_id>/preview")
def preview_coupon_link(req):
    found = _load(req, _record_id(req))
    url = str(req.body.get("url", "")).strip()
    if not url:
        raise HttpError(400, "url required")
    host = (urlsplit(url).hostname or "").lower()
    if not any(host == allowed for allowed in PREVIEW_HOSTS) or "@" in url.split("/")[2]:
        raise HttpError(400, "only partner CDN links can be previewed")
    body = net.fetch(url)
    return {"id": found["id"], "url": url, "preview": body[:2000]}


@route("POST", "/coupons/bulk-status")
def bulk_coupons_status(req):
    caller = auth.require_role(req, "manager")
    status = req.body.get("status")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    ids = req.body.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500:
        raise HttpError(400, "ids must be a list of at most 500 integers")
    changed = 0
    for record_id in ids:
        rec = db.query_one(f"SELECT id FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, caller["tenant_id"]))
        if rec is not None:
            db.execute(f"UPDATE {TABLE} SET status = ? WHERE id = ?", (status, record_id))
            changed += 1
    _audit(req, "bulk-status", f"{changed}:{status}")
    return {"changed": changed, "status": status}


@route("GET", "/coupons/<coupon_id>/notes")
def coupon_notes(req):
    principal = auth.require_user(req)
    record_id = _record_id(req)
    owner = req.query.get("owner_id")
    if owner:
        record = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND owner_id = ?", (record_id, owner))
    else:
        record = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, principal["tenant_id"]))
    if record is None:
        raise HttpError(404, "coupon not found")
    return {"id": record["id"], "notes": record["notes"], "owner_id": record["owner_id"]}


@route("GET", "/coupons")
def list_coupons(req):
    me = auth.require_user(req)
    size, offset = _page(req)
    status = req.query.get("status", "open")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND status = ? AND archived = 0 ORDER BY id LIMIT ? OFFSET ?",
        (me["tenant_id"], status, size, offset),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}


@route("GET", "/coupons/count")
def count_coupons(req):
    actor = auth.require_user(req)
    counts = {}
    for status in STATUSES:
        row = db.query_one(
            f"SELECT COUNT(*) AS n FROM {TABLE} WHERE tenant_id = ? AND {_match_clause('status', status)}",
            (actor["tenant_id"],),
        )
        counts[status] = row["n"]
    return {"counts": counts, "total": sum(counts.values())}


@route("POST", "/coupons/<coupon_id>/duplicate")
def duplicate_coupon(req):
    rec = _load(req, _record_id(req))
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (rec["tenant_id"], req.user["id"], (rec["name"] + " (copy)")[:120], rec["notes"], rec["amount"]),
    )
    _audit(req, "duplicate", f"{rec['id']}->{new_id}")
    return {"id": new_id, "copied_from": rec["id"]}


@route("POST", "/coupons")
def create_coupon(req):
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


@route("GET", "/coupons/<coupon_id>/similar")
def similar_coupons(req):
    entry = _load(req, _record_id(req))
    prefix = (entry["name"] or "").split(" ")[0]
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND id != ? AND name LIKE ? ORDER BY id LIMIT 20",
        (entry["tenant_id"], entry["id"], prefix + "%"),
    )
    return {"id": entry["id"], "similar": [_public(r) for r in rows]}


@route("POST", "/coupons/<coupon_id>/comment")
def comment_on_coupon(req):
    record = _load(req, _record_id(req))
    text = str(req.body.get("text", "")).strip()
    if not text or len(text) > 1000:
        raise HttpError(400, "a comment is 1-1000 characters")
    notes = (record["notes"] or "") + "\n" + req.user["username"] + ": " + text
    db.execute(f"UPDATE {TABLE} SET notes = ? WHERE id = ?", (notes[-8000:], record["id"]))
    _audit(req, "comment", record["id"])
    return {"id": record["id"], "comments": notes.count("\n")}


@route("POST", "/coupons/<coupon_id>/pdf")
def render_coupon_pdf(req):
    found = _load(req, _record_id(req))
    title = str(req.body.get("title", found["name"]))[:300]
    source = f"{EXPORT_ROOT}/{found['tenant_id']}/{TABLE}/report-{found['id']}.txt"
    copies = int(req.body.get("copies", 1))
    output = shell.run(f"convert-doc --format pdf --copies {copies} {source}")
    return {"id": found["id"], "log": output, "title": title}


@route("GET", "/coupons/search")
def search_coupons(req):
    me = auth.require_user(req)
    term = req.query.get("q", "").strip()
    if not term:
        return {"items": []}
    archived = _match_clause("archived", 1 if req.query.get("archived") == "yes" else 0)
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND {archived} AND name LIKE ? ORDER BY id LIMIT 50",
        (me["tenant_id"], "%" + term + "%"),
    )
    return {"items": [_public(r) for r in rows], "query": term}


@route("GET", "/coupons/<coupon_id>")
def get_coupon(req):
    user = auth.require_user(req)
    found = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND owner_id = ?", (_record_id(req), user["id"]))
    if found is None:
        raise HttpError(404, "coupon not found (only your own records are shown here)")
    return {"coupon": found}


@route("GET", "/coupons/stats")
def coupons_stats(req):
    caller = auth.require_user(req)
    row = db.query_one(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, COALESCE(MAX(amount), 0) AS largest"
        f" FROM {TABLE} WHERE tenant_id = ? AND archived = 0",
        (caller["tenant_id"],),
    )
    average = row["total"] / row["n"] if row["n"] else 0
    return {"count": row["n"], "total": row["total"], "largest": row["largest"], "average": round(average, 2)}


@route("POST", "/coupons/<coupon_id>/reassign")
def reassign_coupon(req):
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
