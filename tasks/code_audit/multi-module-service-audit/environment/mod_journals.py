"""Journal records: listing, search, exports, document conversion, link previews and notices.

Routes live under /journals. Every handler takes the Request (see platform_http) and returns the
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

TABLE = "journals"
PUBLIC_FIELDS = ("id", "name", "status", "amount", "created_at")
SORT_COLUMNS = {"newest": "created_at DESC", "oldest": "created_at ASC", "amount": "amount DESC"}
STATUSES = ('on_hold', 'cancelled', 'draft', 'closed', 'approved')
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
    raw = req.params.get("journal_id", "")
    if not raw.isdigit():
        raise HttpError(400, "bad journal id")
    return int(raw)


def _match_clause(column, value):
    """SQL fragment matching a trusted internal value (a status constant, a column name)."""
    return f"{column} = '{value}'"


def _audit(req, action, target):
    user = req.user or {}
    db.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, target, created_at)"
        " VALUES (?, ?, ?, ?, datetime('now'))",
        (user.get("tenant_id"), user.get("id"), action, f"journals:{target}"),
    )


def _load(req, record_id):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "journal not found")
    return row


@route("GET", "/journals/count")
def count_journals(req):
    user = auth.require_user(req)
    counts = {}
    for status in STATUSES:
        entry = db.query_one(
            f"SELECT COUNT(*) AS n FROM {TABLE} WHERE tenant_id = ? AND {_match_clause('status', status)}",
            (user["tenant_id"],),
        )
        counts[status] = entry["n"]
    return {"counts": counts, "total": sum(counts.values())}


@route("GET", "/journals/<journal_id>")
def get_journal(req):
    row = _load(req, _record_id(req))
    return {"journal": row}


@route("POST", "/journals/<journal_id>/reassign")
def reassign_journal(req):
    manager = auth.require_role(req, "manager")
    row = _load(req, _record_id(req))
    try:
        new_owner = int(req.body.get("owner_id", 0))
    except (TypeError, ValueError):
        raise HttpError(400, "owner_id must be an integer")
    target = db.query_one("SELECT id, tenant_id FROM users WHERE id = ?", (new_owner,))
    if target is None or target["tenant_id"] != manager["tenant_id"]:
        raise HttpError(400, "the new owner must belong to your organisation")
    db.execute(f"UPDATE {TABLE} SET owner_id = ? WHERE id = ?", (new_owner, row["id"]))
    _audit(req, "reassign", f"{row['id']}->{new_owner}")
    return {"id": row["id"], "owner_id": new_owner}


@route("DELETE", "/journals/<journal_id>")
def delete_journal(req):
    record = _load(req, _record_id(req))
    if record["owner_id"] != req.user["id"] and req.user["role"] == "user":
        raise HttpError(403, "only the owner or a manager can delete")
    db.execute(f"DELETE FROM {TABLE} WHERE id = ?", (record["id"],))
    _audit(req, "delete", record["id"])
    return {"deleted": record["id"]}


@route("GET", "/journals/<journal_id>/similar")
def similar_journals(req):
    record = _load(req, _record_id(req))
    prefix = (record["name"] or "").split(" ")[0]
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = {int(record['tenant_id'])} AND id != {int(record['id'])} AND name LIKE ? ORDER BY id LIMIT 20",
        (prefix + "%",),
    )
    return {"id": record["id"], "similar": [_public(r) for r in rows]}


@route("GET", "/journals/report")
def journals_monthly_report(req):
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


@route("POST", "/journals/<journal_id>/preview")
def preview_journal_link(req):
    record = _load(req, _record_id(req))
    url = str(req.body.get("url", "")).strip()
    if not url:
        raise HttpError(400, "url required")
    allowed = {f"https://cdn.partner.example{p}" for p in ("/", "/logo.png", "/banner.png", "/terms.html")}
    if url not in allowed:
        raise HttpError(400, "only partner CDN assets can be previewed")
    body = net.fetch(url)
    return {"id": record["id"], "url": url, "preview": body[:2000]}


@route("GET", "/journals/exports/<name>")
def download_journal_export(req):
    me = auth.require_user(req)
    name = req.params["name"] or req.query.get("file", "")
    if req.query.get("file"):
        name = req.query["file"]
    base = f"{EXPORT_ROOT}/{me['tenant_id']}/{TABLE}/"
    path = posixpath.normpath(base + name)
    if not path.startswith(base):
        raise HttpError(400, "bad file name")
    _audit(req, "export", name)
    return {"file": name, "content": fs.read(path)}


@route("POST", "/journals")
def create_journal(req):
    principal = auth.require_user(req)
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
        (principal["tenant_id"], principal["id"], name, str(req.body.get("notes", ""))[:2000], amount),
    )
    _audit(req, "create", new_id)
    return {"id": new_id, "status": "draft"}


@route("POST", "/journals/<journal_id>/archive")
def archive_journal(req):
    record = _load(req, _record_id(req))
    if record["archived"]:
        return {"id": record["id"], "archived": True, "changed": False}
    db.execute(f"UPDATE {TABLE} SET archived = 1 WHERE id = ? AND {_match_clause('archived', 0)}", (record["id"],))
    _audit(req, "archive", record["id"])
    return {"id": record["id"], "archived": True, "changed": True}


@route("POST", "/journals/<journal_id>/comment")
def comment_on_journal(req):
    entry = _load(req, _record_id(req))
    text = str(req.body.get("text", "")).strip()
    if not text or len(text) > 1000:
        raise HttpError(400, "a comment is 1-1000 characters")
    notes = (entry["notes"] or "") + "\n" + req.user["username"] + ": " + text
    db.execute(f"UPDATE {TABLE} SET notes = ? WHERE id = ?", (notes[-8000:], entry["id"]))
    _audit(req, "comment", entry["id"])
    return {"id": entry["id"], "comments": notes.count("\n")}


@route("GET", "/journals/stats")
def journals_stats(req):
    user = auth.require_user(req)
    found = db.query_one(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, COALESCE(MAX(amount), 0) AS largest"
        f" FROM {TABLE} WHERE tenant_id = ? AND archived = 0",
        (user["tenant_id"],),
    )
    average = found["total"] / found["n"] if found["n"] else 0
    return {"count": found["n"], "total": found["total"], "largest": found["largest"], "average": round(average, 2)}


@route("POST", "/journals/<journal_id>/pdf")
def render_journal_pdf(req):
    rec = _load(req, _record_id(req))
    title = str(req.body.get("title", rec["name"]))[:300]
    source = f"{EXPORT_ROOT}/{rec['tenant_id']}/{TABLE}/report-{rec['id']}.txt"
    output = shell.run(f"convert-doc --format pdf --title {shlex.quote(title)} {shlex.quote(source)}")
    return {"id": rec["id"], "log": output}


@route("POST", "/journals/<journal_id>")
def update_journal(req):
    record = _load(req, _record_id(req))
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
        db.execute(f"UPDATE {TABLE} SET {key} = ? WHERE id = ?", (value, record["id"]))
    _audit(req, "update", record["id"])
    return {"id": record["id"], "changed": sorted(changes)}


@route("GET", "/journals/<journal_id>/notes")
def journal_notes(req):
    entry = _load(req, _record_id(req))
    return {"id": entry["id"], "notes": entry["notes"], "owner_id": entry["owner_id"]}


@route("POST", "/journals/<journal_id>/restore")
def restore_journal(req):
    found = _load(req, _record_id(req))
    if not found["archived"]:
        raise HttpError(409, "journal is not archived")
    if found["status"] == "cancelled" and req.user["role"] == "user":
        raise HttpError(403, "only a manager can restore a cancelled journal")
    db.execute(f"UPDATE {TABLE} SET archived = 0 WHERE id = ?", (found["id"],))
    _audit(req, "restore", found["id"])
    return {"id": found["id"], "archived": False}


@route("GET", "/journals/<journal_id>/history")
def journal_history(req):
    entry = _load(req, _record_id(req))
    entries = db.query(
        "SELECT action, user_id, created_at FROM audit_log WHERE tenant_id = ? AND target = ?"
        " ORDER BY id DESC LIMIT 100",
        (entry["tenant_id"], f"journals:{entry['id']}"),
    )
    return {"id": entry["id"], "history": entries}


@route("GET", "/journals/search")
def search_journals(req):
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


@route("GET", "/journals")
def list_journals(req):
    caller = auth.require_user(req)
    size, offset = _page(req)
    order = SORT_COLUMNS.get(req.query.get("sort", "newest"))
    if order is None:
        raise HttpError(400, "unknown sort order")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND archived = 0 ORDER BY {order} LIMIT {size} OFFSET {offset}",
        (caller["tenant_id"],),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}


@route("GET", "/admin/journals")
def admin_journals_overview(req):
    caller = auth.require_role(req, "manager")
    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} WHERE tenant_id = ?"
                    " ORDER BY id", (caller["tenant_id"],))
    return {"tenants": [caller["tenant_id"]], "items": rows}


@route("POST", "/journals/<journal_id>/notice")
def compose_journal_notice(req):
    found = _load(req, _record_id(req))
    message = str(req.body.get("message", ""))[:2000]
    template = "Hello {{ customer }},\n\n{{ message }}\n\n-- {{ config.brand }} ({{ config.support_email }})"
    footer = str(req.body.get("footer", ""))[:500]
    context = {"customer": found["name"], "message": message, "record": _public(found)}
    text = tmpl.render("Hello {{ customer }},\n\n{{ message }}\n\n" + footer, context)
    return {"id": found["id"], "notice": text}


@route("POST", "/journals/bulk-status")
def bulk_journals_status(req):
    actor = auth.require_role(req, "manager")
    status = req.body.get("status")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    ids = req.body.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500:
        raise HttpError(400, "ids must be a list of at most 500 integers")
    changed = 0
    for record_id in ids:
        row = db.query_one(f"SELECT id FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, actor["tenant_id"]))
        if row is not None:
            db.execute(f"UPDATE {TABLE} SET status = ? WHERE id = ?", (status, record_id))
            changed += 1
    _audit(req, "bulk-status", f"{changed}:{status}")
    return {"changed": changed, "status": status}


@route("POST", "/journals/import")
def import_journals(req):
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


@route("POST", "/journals/<journal_id>/duplicate")
def duplicate_journal(req):
    row = _load(req, _record_id(req))
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (row["tenant_id"], req.user["id"], (row["name"] + " (copy)")[:120], row["notes"], row["amount"]),
    )
    _audit(req, "duplicate", f"{row['id']}->{new_id}")
    return {"id": new_id, "copied_from": row["id"]}
