"""Regenerates this task's data (deterministic, fixed seed).

    python3 generate.py OUTDIR            writes expected.json and fleet.sha256 (flat files)
    python3 generate.py OUTDIR ENVDIR     also lays the fleet out under ENVDIR/fleet/

Renders 24 hosts' relayd 1.x configurations (includes of shared and per-host fragments, globs,
${VAR} expansion from each host's `default` file, backslash continuations, trailing comments,
later definitions overriding earlier ones, redefined upstream blocks, unused upstreams) plus an
inventory with nested groups. expected.json is the 2.x configuration of every host, computed by
migrate.py (the reference migration, which also serves as the solution). fleet.sha256 pins every
file of the tree (`cd environment && sha256sum -c ../scorer/fleet.sha256`).
"""

import hashlib
import json
import random
import sys
import tempfile
from pathlib import Path

from migrate import migrate_fleet

SEED = 77_310

SHARED = {
    "base.conf": (
        "# Fleet-wide defaults for relayd 1.x (owned by platform team)\n"
        "worker_processes auto\nkeepalive_timeout 30s\nkeepalive_requests 1000   # dropped in 2.x\n"
        "server_tokens off\ngzip on\n"
    ),
    "tls-modern.conf": "ssl_protocols TLSv1.2 TLSv1.3\n",
    "tls-compat.conf": "# card terminals that cannot speak 1.2 yet\nssl_protocols TLSv1 TLSv1.1 TLSv1.2\n",
    "tls-mid.conf": "ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3\n",
    "upstreams-common.conf": (
        "<upstream auth>\n    balance leastconn\n    server 10.8.0.21:7000\n    server 10.8.0.22:7000\n"
        "</upstream>\n\n<upstream static>\n    server 10.8.1.5:8081 weight=2\n    server 10.8.1.6:8081\n"
        "    server 10.8.1.9:8081 backup\n</upstream>\n"
    ),
}


def hosts() -> list[tuple[str, str]]:
    out = [(f"edge-{i:02d}", "edge") for i in range(1, 13)]
    out += [(f"pos-{i:02d}", "pos") for i in range(1, 9)]
    out += [(f"api-{i:02d}", "api") for i in range(1, 5)]
    return out


def inventory(rng: random.Random, names: list[tuple[str, str]]) -> tuple[str, list[str]]:
    edges = [n for n, k in names if k == "edge"]
    west = sorted(rng.sample(edges, 6) + ["api-02"])
    east = sorted(n for n, k in names if n not in west and k != "pos")
    gen1 = ["pos-03", "pos-07"]
    pos = [n for n, k in names if k == "pos" and n not in gen1]
    text = ["# relayd fleet inventory", "", "[edge]", *edges, "", "[api]"]
    text += [n for n, k in names if k == "api"]
    text += ["", "[pos]", *pos, "", "[pos-gen1]  # first-generation tills", *gen1, ""]
    text += ["[legacy-pos:children]", "pos-gen1", "", "[retail:children]", "pos", "legacy-pos", ""]
    text += ["[dc-west]", *west, "", "[dc-east]", *east, "", "[all:vars]", "ansible_user=deploy", ""]
    return "\n".join(text), west


def host_files(rng: random.Random, name: str, kind: str) -> dict[str, str]:
    files: dict[str, str] = {}
    env = {"LOG_DIR": f"/var/log/relayd/{name}", "APP_PORT": str(rng.choice([8080, 8081, 9000]))}
    tls = kind != "api" or rng.random() < 0.5
    profile = {"edge": rng.choice(["modern", "mid"]), "pos": "compat", "api": "modern"}[kind]
    env["TLS_PROFILE"] = profile
    main = [f"# relayd.conf for {name}", "include @shared/base.conf"]
    if rng.random() < 0.7:
        main.append("include @shared/upstreams-common.conf")
        common = True
    else:
        common = False
    listen = [f"listen 0.0.0.0:80", f"listen [::]:80"] if kind != "pos" else ["listen ${APP_PORT}"]
    if tls:
        listen.append("listen 0.0.0.0:443 ssl")
        if rng.random() < 0.5:
            listen.append("listen [::]:443 ssl   # v6")
    if name == "edge-11" or (kind == "edge" and rng.random() < 0.3):
        listen.append("listen 0.0.0.0:8443 ssl")
    if name == "pos-04":
        listen.append("listen 127.0.0.1:8080")
    main += listen
    if rng.random() < 0.5:
        main.append(f"worker_processes {rng.choice([2, 4, 8])}")
    if rng.random() < 0.6:
        main.append(f"client_timeout {rng.choice(['45s', '2m', '30000ms', '120', '75s'])}")
    if rng.random() < 0.5:
        main.append(f"client_max_body {rng.choice(['8m', '512k', '16M', '2g', '65536'])}")
    main.append("access_log ${LOG_DIR}/access.log" if rng.random() < 0.7 else "access_log off")
    if tls:
        main.append("ssl_certificate /etc/ssl/relayd/${HOSTNAME}.crt \\")
        main.append("    # the key must match the certificate")
        main[-1] = "ssl_certificate_key /etc/ssl/private/${HOSTNAME}.key"
        main[-2] = "ssl_certificate \\\n    /etc/ssl/relayd/${HOSTNAME}.crt"
        main.append("include @shared/tls-${TLS_PROFILE}.conf")
    env["HOSTNAME"] = name
    main.append("include conf.d/*.conf")
    if rng.random() < 0.4:
        main.append(f"gzip {rng.choice(['off', 'no', 'yes'])}")
    files["relayd.conf"] = "\n".join(main) + "\n"

    up = []
    app_servers = [f"10.{rng.randint(10, 40)}.{rng.randint(0, 9)}.{rng.randint(2, 250)}" for _ in range(3)]
    up.append("<upstream app>")
    up.append(f"    balance {rng.choice(['roundrobin', 'leastconn', 'iphash'])}")
    for i, s in enumerate(app_servers):
        opts = []
        if rng.random() < 0.4:
            opts.append(f"weight={rng.randint(2, 5)}")
        if i == 2 and rng.random() < 0.5:
            opts.append("backup")
        line = f"    server {s}:${{APP_PORT}}"
        if opts and rng.random() < 0.5:
            line += " \\\n        " + " ".join(opts)
        elif opts:
            line += " " + " ".join(opts)
        up.append(line)
    up.append("</upstream>")
    up.append("")
    up.append("<upstream legacy>   # nothing routes here any more")
    up.append(f"    server 10.99.0.{rng.randint(2, 250)}:8000")
    up.append("</upstream>")
    files["conf.d/10-upstreams.conf"] = "\n".join(up) + "\n"

    routes = ["route / app", "route /api/ app"]
    if common:
        routes += ["route /login auth", "route /assets/ static"]
    if rng.random() < 0.5:
        routes.append("route /old/ legacy")
        routes.append("route /old/ app   # legacy pool retired")
    files["conf.d/20-routes.conf"] = "\n".join(routes) + "\n"

    local = [f"# local overrides on {name}"]
    if rng.random() < 0.5:
        local.append(f"client_timeout {rng.choice(['90s', '3m', '20s'])}")
    if rng.random() < 0.4:
        local.append(f"keepalive_timeout {rng.choice(['5s', '1m', '15000ms'])}")
    if rng.random() < 0.3:
        local.append("<upstream app>   # replaces the pool above during the migration window")
        local.append(f"    server 10.50.0.{rng.randint(2, 250)}:9000 weight=3")
        local.append("</upstream>")
    if rng.random() < 0.3:
        local.append("worker_processes auto")
    files["conf.d/90-local.conf"] = "\n".join(local) + "\n"
    if rng.random() < 0.4:
        files["conf.d/50-notes.conf.disabled"] = "worker_processes 64\nclient_timeout 1s\n"
    files["default"] = "# /etc/default/relayd\n" + "".join(f"{k}={v}\n" for k, v in env.items())
    return files


def build(rng: random.Random) -> dict[str, str]:
    names = hosts()
    files: dict[str, str] = {}
    inv, _ = inventory(rng, names)
    files["inventory.ini"] = inv
    for fname, text in SHARED.items():
        files[f"shared/{fname}"] = text
    for name, kind in names:
        for rel, text in host_files(rng, name, kind).items():
            files[f"hosts/{name}/{rel}"] = text
    return files


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def main(outdir: str, envdir: str | None = None) -> None:
    files = build(random.Random(SEED))
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), files)
        expected = migrate_fleet(Path(tmp))
    out = Path(outdir)
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    lines = [f"{hashlib.sha256(t.encode()).hexdigest()}  fleet/{p}" for p, t in sorted(files.items())]
    (out / "fleet.sha256").write_text("\n".join(lines) + "\n")
    if envdir:
        write_tree(Path(envdir) / "fleet", files)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
