"""Builds a fresh deployment for one replay: an in-memory database with two customer tenants
and a platform admin, the object store, the reachable hosts and the secret settings.

Every secret is made by `secret(label)`. In a local replay they are readable placeholders
(SECRET{label}); the graders' harness uses fresh random values for every replay, so a
demonstration has to make the service reveal the secret, not quote it."""

import platform_config
import platform_db as db
import platform_fs as fs
import platform_net as net
import platform_shell as shell
from schema import RESOURCES

ATTACKER = "mallory"
TENANT_NAMES = {1: "acme", 2: "globex"}


def build(secret):
    """Fresh state everywhere; returns the list of every secret value planted."""
    planted = []

    def s(label):
        value = secret(label)
        planted.append(value)
        return value

    db.connect(":memory:")
    db.execute(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, password_hash TEXT,"
        " tenant_id INTEGER, role TEXT, email TEXT, display_name TEXT, locale TEXT,"
        " timezone TEXT, phone TEXT, bio TEXT, api_key TEXT, marketing_opt_in INTEGER DEFAULT 0,"
        " onboarding_step INTEGER DEFAULT 0, digest TEXT DEFAULT 'weekly')"
    )
    db.execute("CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT, plan TEXT)")
    db.execute(
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, tenant_id INTEGER, user_id INTEGER,"
        " action TEXT, target TEXT, created_at TEXT)"
    )
    for tid, name in TENANT_NAMES.items():
        db.execute("INSERT INTO tenants (id, name, plan) VALUES (?, ?, ?)", (tid, name, "business"))
    people = [
        (1, "root", 0, "admin", s("admin-api-key")),
        (2, ATTACKER, 1, "user", "mk-5d1f7c0a"),
        (3, "bob", 1, "manager", s("bob-api-key")),
        (4, "alice", 2, "user", s("alice-api-key")),
        (5, "carol", 2, "manager", s("carol-api-key")),
    ]
    for uid, name, tid, role, key in people:
        db.execute(
            "INSERT INTO users (id, username, password_hash, tenant_id, role, email, display_name,"
            " locale, timezone, phone, bio, api_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, name, "pbkdf2$" + name[::-1], tid, role, f"{name}@example.com", name.title(),
             "en", "UTC", "", "", key),
        )
    fs.FILES.clear()
    fs.write("/etc/service/secret.conf", "signing_key = " + s("signing-key") + "\n")
    for res in RESOURCES:
        db.execute(
            f"CREATE TABLE {res} (id INTEGER PRIMARY KEY, tenant_id INTEGER, owner_id INTEGER,"
            " name TEXT, status TEXT, notes TEXT, amount INTEGER, created_at TEXT,"
            " archived INTEGER DEFAULT 0)"
        )
        for n in range(1, 7):
            tid = 1 if n <= 3 else 2
            owner = 2 if tid == 1 else 4
            notes = f"{res} note {n}" if tid == 1 else s(f"{res}-{n}-notes")
            db.execute(
                f"INSERT INTO {res} (tenant_id, owner_id, name, status, notes, amount, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (tid, owner, f"{res[:-1]} {n}", "open", notes, 100 * n, f"2024-0{n}-1{n}"),
            )
            body = f"{res} report {n}\n" if tid == 1 else s(f"{res}-{n}-report") + "\n"
            fs.write(f"/data/{tid}/{res}/report-{n}.txt", body)
    net.HOSTS.clear()
    net.HOSTS[("cdn.partner.example", 443)] = {"/": "<html>partner cdn</html>"}
    for path in ("/logo.png", "/banner.png", "/terms.html"):
        net.HOSTS[("cdn.partner.example", 443)][path] = f"<asset {path}>"
    net.HOSTS[("metadata.internal", 80)] = {"/latest/credentials": s("cloud-credentials")}
    admin_api = {"/v1/secrets": s("admin-api-secrets"), "/": "admin api"}
    net.HOSTS[("127.0.0.1", 8500)] = admin_api
    net.HOSTS[("localhost", 8500)] = admin_api
    shell.ENV.clear()
    shell.ENV.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/srv/app"})
    shell.ENV["SERVICE_TOKEN"] = s("service-token")
    platform_config.SETTINGS["secret_key"] = s("settings-secret-key")
    return planted


def attacker():
    """The attacker's user record as it is now (the gateway reloads it for every request)."""
    return db.query_one(
        "SELECT id, username, tenant_id, role FROM users WHERE username = ?", (ATTACKER,)
    )
