"""Refund records: listing, search, exports, document conversion, link previews and notices.

Routes live under /refunds. Every handler takes the Request (see platform_http) and returns the
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

TABLE = "refunds"
PUBLIC_FIELDS = ("id", "name", "status", "amount", "created_at")
SORT_COLUMNS = {"newest": "created_at DESC", "oldest": "created_at ASC", "amount": "amount DESC"}
STATUSES = ('cancelled', 'approved', 'closed', 'draft', 'on_hold')
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
    raw = req.params.get("refund_id", "")
    if not raw.isdigit():
        raise HttpError(400, "bad refund id")
    return int(raw)


def _match_clause(column, value):
    """SQL fragment matching a trusted internal value (a status constant, a column name)."""
    return f"{column} = '{value}'"


def _audit(req, action, target):
    user = req.user or {}
    db.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, target, created_at)"
        " VALUES (?, ?, ?, ?, datetime('now'))",
        (user.get("tenant_id"), user.get("id"), action, f"refunds:{target}"),
    )


def _load(req, record_id):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "refund not found")
    return row


@route("POST", "/refunds/<refund_id>/reassign")
def reassign_refund(req):
    manager = auth.require_role(req, "manager")
    item = _load(req, _record_id(req))
    try:
        new_owner = int(req.body.get("owner_id", 0))
    except (TypeError, ValueError):
        raise HttpError(400, "owner_id must be an integer")
    target = db.query_one("SELECT id, tenant_id FROM users WHERE id = ?", (new_owner,))
    if target is None or target["tenant_id"] != manager["tenant_id"]:
        raise HttpError(400, "the new owner must belong to your organisation")
    db.execute(f"UPDATE {TABLE} SET owner_id = ? WHERE id = ?", (new_owner, item["id"]))
    _audit(req, "reassign", f"{item['id']}->{new_owner}")
    return {"id": item["id"], "owner_id": new_owner}


@route("POST", "/refunds/<refund_id>/notice")
def compose_refund_notice(req):
    row = _load(req, _record_id(req))
    message = str(req.body.get("message", ""))[:2000]
    template = "Hello {{ customer }},\n\n{{ message }}\n\n-- {{ config.brand }} ({{ config.support_email }})"
    text = tmpl.render(template, {"customer": row["name"], "message": message, "config": config.SETTINGS})
    return {"id": row["id"], "notice": text}


@route("GET", "/refunds/exports/<name>")
def download_refund_export(req):
    actor = auth.require_user(req)
    name = req.params["name"] or req.query.get("file", "")
    if req.query.get("file"):
        name = req.query["file"]
    if name.startswith("/") or name.startswith("~"):
        raise HttpError(400, "absolute paths are not allowed")
    path = f"{EXPORT_ROOT}/{actor['tenant_id']}/{TABLE}/{name}"
    _audit(req, "export", name)
    return {"file": name, "content": fs.read(path)}


@route("GET", "/refunds/<refund_id>")
def get_refund(req):
    principal = auth.require_user(req)
    item = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND owner_id = ?", (_record_id(req), principal["id"]))
    if item is None:
        raise HttpError(404, "refund not found (only your own records are shown here)")
    return {"refund": item}


@route("POST", "/refunds/<refund_id>/duplicate")
def duplicate_refund(req):
    rec = _load(req, _record_id(req))
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (rec["tenant_id"], req.user["id"], (rec["name"] + " (copy)")[:120], rec["notes"], rec["amount"]),
    )
    _audit(req, "duplicate", f"{rec['id']}->{new_id}")
    return {"id": new_id, "copied_from": rec["id"]}


@route("GET", "/admin/refunds")
def admin_refunds_overview(req):
    caller = auth.require_user(req)
    if caller["role"] < "admin":
        raise HttpError(403, "forbidden")
    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} ORDER BY id")
    return {"tenants": sorted({r["tenant_id"] for r in rows}), "items": rows}


@route("POST", "/refunds/<refund_id>/archive")
def archive_refund(req):
    row = _load(req, _record_id(req))
    if row["archived"]:
        return {"id": row["id"], "archived": True, "changed": False}
    db.execute(f"UPDATE {TABLE} SET archived = 1 WHERE id = ? AND {_match_clause('archived', 0)}", (row["id"],))
    _audit(req, "archive", row["id"])
    return {"id": row["id"], "archived": True, "changed": True}


@route("POST", "/refunds/<refund_id>/preview")
def preview_refund_link(req):
    entry = _load(req, _record_id(req))
    url = str(req.body.get("url", "")).strip()
    if not url:
        raise HttpError(400, "url required")
    lowered = url.lower()
    if "metadata" in lowered or "localhost" in lowered or "169.254" in lowered:
        raise HttpError(400, "internal addresses cannot be previewed")
    body = net.fetch(url)
    return {"id": entry["id"], "url": url, "preview": body[:2000]}


@route("POST", "/refunds/<refund_id>/pdf")
def render_refund_pdf(req):
    entry = _load(req, _record_id(req))
    title = str(req.body.get("title", entry["name"]))[:300]
    source = f"{EXPORT_ROOT}/{entry['tenant_id']}/{TABLE}/report-{entry['id']}.txt"
    quoted = '"' + title.replace("'", "") + '"'
    output = shell.run(f"convert-doc --format pdf --title {quoted} {source}")
    return {"id": entry["id"], "log": output}


@route("GET", "/refunds/<refund_id>/notes")
def refund_notes(req):
    rec = _load(req, _record_id(req))
    return {"id": rec["id"], "notes": rec["notes"], "owner_id": rec["owner_id"]}


@route("POST", "/refunds/<refund_id>")
def update_refund(req):
    found = _load(req, _record_id(req))
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
        db.execute(f"UPDATE {TABLE} SET {key} = ? WHERE id = ?", (value, found["id"]))
    _audit(req, "update", found["id"])
    return {"id": found["id"], "changed": sorted(changes)}


@route("GET", "/refunds/search")
def search_refunds(req):
    user = auth.require_user(req)
    term = req.query.get("q", "").strip()
    if not term:
        return {"items": []}
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND name LIKE ? ORDER BY id LIMIT 50",
        (user["tenant_id"], "%" + term + "%"),
    )
    return {"items": [_public(r) for r in rows], "query": term}


@route("GET", "/refunds/<refund_id>/similar")
def similar_refunds(req):
    entry = _load(req, _record_id(req))
    prefix = (entry["name"] or "").split(" ")[0]
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND id != ? AND name LIKE ? ORDER BY id LIMIT 20",
        (entry["tenant_id"], entry["id"], prefix + "%"),
    )
    return {"id": entry["id"], "similar": [_public(r) for r in rows]}


@route("GET", "/refunds")
def list_refunds(req):
    actor = auth.require_user(req)
    size, offset = _page(req)
    status = req.query.get("status", "open").strip().lower()
    if len(status) > 200:
        raise HttpError(400, "status too long")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND status = '{status}' AND archived = 0 ORDER BY id LIMIT ? OFFSET ?",
        (actor["tenant_id"], size, offset),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}
