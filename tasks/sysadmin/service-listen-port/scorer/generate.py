"""Regenerates this task's data (deterministic, fixed seed).

    python3 generate.py OUTDIR            writes truth.json and image.sha256 (flat files)
    python3 generate.py OUTDIR ENVDIR     also lays the machine image out under ENVDIR/image/

The image is a small /etc tree: about thirty services, each with a configuration file in its own
format (ini, key: value, nginx-like blocks, systemd socket units). The asked-for service has an
active port, a commented-out old port and a packaging leftover (.dpkg-old) with yet another port.
image.sha256 pins every file of the tree, so the committed environment can be checked with
`cd environment && sha256sum -c ../scorer/image.sha256`.
"""

import hashlib
import json
import random
import sys
from pathlib import Path

SEED = 40_417
TARGET = "quartermaster"
NAMES = [
    "amberline", "bellhop", "cinder", "driftwood", "emberlog", "fernwatch", "gantry", "harbormaster",
    "inkwell", "junco", "kestrel", "lanyard", "millrace", "nightjar", "oxbow", "pennant", "quillon",
    "rookery", "saltmarsh", "tidewater", "umber", "vesper", "wicket", "yardarm", "zephyrd",
]


def ini(rng: random.Random, name: str, port: int) -> str:
    return (
        f"# {name} daemon configuration\n[server]\nbind = 0.0.0.0\nport = {port}\n"
        f"workers = {rng.randint(2, 16)}\n\n[log]\nlevel = {rng.choice(['info', 'warn', 'debug'])}\n"
        f"path = /var/log/{name}/{name}.log\n"
    )


def kv(rng: random.Random, name: str, port: int) -> str:
    return (
        f"# {name}\nlisten_address: 127.0.0.1:{port}\nmax_connections: {rng.randint(50, 900)}\n"
        f"data_dir: /var/lib/{name}\nmetrics_port: {rng.randint(9100, 9199)}\n"
    )


def block(rng: random.Random, name: str, port: int) -> str:
    return (
        f"{name} {{\n    listen {port};\n    server_name {name}.internal;\n"
        f"    keepalive_timeout {rng.randint(5, 75)};\n}}\n"
    )


def socket(rng: random.Random, name: str, port: int) -> str:
    return (
        f"[Unit]\nDescription={name.title()} socket\n\n[Socket]\nListenStream={port}\n"
        f"Accept=no\n\n[Install]\nWantedBy=sockets.target\n"
    )


def build(rng: random.Random) -> tuple[dict[str, str], int]:
    used: set[int] = set()

    def port() -> int:
        while True:
            p = rng.randint(2000, 9999)
            if p not in used:
                used.add(p)
                return p

    files: dict[str, str] = {}
    for name in NAMES:
        style = rng.choice([ini, kv, block, socket])
        if style is socket:
            files[f"etc/systemd/system/{name}.socket"] = socket(rng, name, port())
        else:
            ext = {ini: "conf", kv: "yml", block: "conf"}[style]
            files[f"etc/{name}/{name}.{ext}"] = style(rng, name, port())
    active, old, leftover = port(), port(), port()
    files[f"etc/{TARGET}/{TARGET}.conf"] = (
        f"# {TARGET}: inventory and requisition service\n"
        "# Moved off the old port during the 2024 re-plan; do not reuse it.\n"
        f"[server]\nbind = 0.0.0.0\n# port = {old}\nport = {active}\nworkers = 8\n\n"
        f"[log]\nlevel = info\npath = /var/log/{TARGET}/{TARGET}.log\n"
    )
    files[f"etc/{TARGET}/{TARGET}.conf.dpkg-old"] = (
        f"# {TARGET}: inventory and requisition service\n[server]\nbind = 0.0.0.0\nport = {leftover}\n"
    )
    files[f"etc/systemd/system/{TARGET}.service"] = (
        f"[Unit]\nDescription=Quartermaster inventory service\nAfter=network.target\n\n[Service]\n"
        f"ExecStart=/usr/bin/{TARGET} --config /etc/{TARGET}/{TARGET}.conf\nUser={TARGET}\n"
        "Restart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n"
    )
    files["etc/hostname"] = "stores-02\n"
    files["etc/hosts"] = "127.0.0.1 localhost\n10.20.4.12 stores-02.internal stores-02\n"
    return files, active


def main(outdir: str, envdir: str | None = None) -> None:
    rng = random.Random(SEED)
    files, active = build(rng)
    out = Path(outdir)
    (out / "truth.json").write_text(json.dumps({"port": active}) + "\n")
    lines = [f"{hashlib.sha256(t.encode()).hexdigest()}  image/{p}" for p, t in sorted(files.items())]
    (out / "image.sha256").write_text("\n".join(lines) + "\n")
    if envdir:
        for rel, text in files.items():
            path = Path(envdir) / "image" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
