"""The reference investigation: reads the evidence in the working directory and writes
submission.txt. It follows the trail an analyst would: webshell requests (base64 commands),
the upload that planted it, the commands' payloads, then process and login records host by
host (pid links, db01's clock correction) and, where present, the DNS tunnel."""

import base64
import glob
import hashlib
import re
import zlib
from datetime import datetime, timedelta, timezone, UTC
from pathlib import Path

MON = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
ACCESS = re.compile(
    r'^(\S+) - - \[(\d+)/(\w+)/(\d+):(\d+):(\d+):(\d+) ([+-]\d{4})\] "(\S+) (\S+) [^"]*" (\d+) (\d+)'
)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def access_log() -> list[tuple[datetime, str, str, str, int, int]]:
    rows = []
    for name in glob.glob("web01_access.log*"):
        for line in Path(name).read_text().splitlines():
            m = ACCESS.match(line)
            if not m:
                continue
            ip, d, mon, y, hh, mm, ss, z, method, path, st, size = m.groups()
            off = (1 if z[0] == "+" else -1) * timedelta(hours=int(z[1:3]), minutes=int(z[3:]))
            t = datetime(int(y), MON[mon], int(d), int(hh), int(mm), int(ss), tzinfo=timezone(off))
            rows.append((t, ip, method, path, int(st), int(size)))
    return sorted(rows)


def decode_cmd(path: str) -> str | None:
    if "?" not in path or "=" not in path:
        return None
    value = path.split("?", 1)[1].split("=", 1)[1]
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return text if text.isprintable() else None


def syslog_time(line: str, year: int, skew: float = 0.0) -> datetime:
    mon, day, clock = line.split()[:3]
    hh, mm, ss = map(int, clock.split(":"))
    return datetime(year, MON[mon], int(day), hh, mm, ss, tzinfo=UTC) + timedelta(seconds=skew)


def main() -> None:
    ans: dict[str, str] = {}
    rows = access_log()
    shell = [(t, ip, p) for t, ip, m, p, st, _ in rows if st == 200 and decode_cmd(p)]
    first, a2, first_path = shell[0]
    ans["webshell"] = first_path.split("?")[0]
    ans["first_command_utc"] = iso(first)
    cmds = [decode_cmd(p) or "" for _, _, p in shell]
    # the planting upload: a POST that succeeded from an address that had been probing (404s)
    probing = {ip for _, ip, _, _, st, _ in rows if st == 404}
    posts = [
        (t, ip, p) for t, ip, m, p, st, _ in rows if m == "POST" and st == 200 and ip in probing and t < first
    ]
    _, ans["entry_ip"], ans["entry_endpoint"] = posts[-1]
    for c in cmds:
        if m := re.search(r"/dev/tcp/([\d.]+)/(\d+)", c):
            ans["c2"] = f"{m[1]}:{m[2]}"
        if m := re.search(r"/home/([^/]+)/\.ssh/authorized_keys", c):
            ans["backdoor_account"] = m[1]
    shell_path = ans["webshell"]
    downloads = [
        (t, p, size)
        for t, ip, m, p, st, size in rows
        if ip == a2 and m == "GET" and st == 200 and not p.startswith(shell_path)
    ]
    if downloads:
        ans["exfil_bytes"] = str(downloads[-1][2])
    year = first.astimezone(UTC).year
    if not Path("app02_auth.log").exists():
        victim = ans["backdoor_account"]
        for line in Path("web01_auth.log").read_text().splitlines():
            if f"Accepted publickey for {victim} from" in line:
                ans["ssh_login_utc"] = iso(syslog_time(line, year))
                break
        write(ans)
        return
    # app02: the deploy session whose processes ran sudo -l; its sshd pid is their parent
    execs = [line.split(" ", 4) for line in Path("app02_exec.log").read_text().splitlines()]
    sudo_l = next(e for e in execs if e[4] == 'argv="sudo -l"')
    spid = sudo_l[2].split("=")[1]
    for line in Path("app02_auth.log").read_text().splitlines():
        if f"sshd[{spid}]: Accepted publickey for deploy" in line:
            ans["app02_login_utc"] = iso(syslog_time(line, year))
        if "deploy : TTY=pts" in line:
            ans["app02_sudo_binary"] = line.split("COMMAND=")[1].split()[0]
    for e in execs:
        if m := re.match(r'argv="systemctl enable --now (\S+)"', e[4]):
            ans["app02_unit"] = m[1]
    # db01: its clock was behind; chrony says by how much
    dblog = Path("db01_auth.log").read_text().splitlines()
    skew = next(float(re.search(r"wrong by ([-\d.]+)", x)[1]) for x in dblog if "System clock wrong by" in x)
    for line in dblog:
        if "Accepted password for backup from" in line:
            ans["db01_login_utc"] = iso(syslog_time(line, year, skew))
            break
    hist = Path("db01_backup.bash_history").read_text()
    ans["db01_persistence"] = re.search(r"@reboot (\S+)'", hist)[1]
    if "getaddrinfo" in hist:
        tunnel(hist, ans)
    write(ans)


def tunnel(hist: str, ans: dict[str, str]) -> None:
    """Replays backup's history on db01: each encoder script, each export, each run of a script on
    an export (the test run on a dummy file is left out), and decodes that run's queries."""
    mid = next(x.split()[2] for x in Path("inventory.txt").read_text().splitlines() if x.startswith("db01 "))
    queries = [x for name in glob.glob("ns01_queries.log*") for x in Path(name).read_text().splitlines()]
    entries = re.split(r"^#\d+\n", hist, flags=re.M)
    script, exports, domains, ids = "", set(), [], []
    for cmd in entries:
        if cmd.startswith("cat > /var/tmp/.s.py"):
            script = cmd
        elif m := re.search(r"to '([^']+)' csv", cmd):
            exports.add(m[1])
        elif (m := re.match(r"python3 \S+ (\S+) (\w+)", cmd)) and m[1] in exports:
            csv = decode(script, m[2], mid, queries, domains)
            ids += [line.split(",")[0] for line in csv.splitlines()[1:]]
    ans["tunnel_domains"] = ",".join(domains)
    ans["records"] = ",".join(ids)


def decode(script: str, sid: str, mid: str, queries: list[str], domains: list[str]) -> str:
    parts: dict[int, str] = {}
    if m := re.search(r"name = '%s\.%x\.%s\.([\w.-]+)'", script):
        pattern = rf"query: (?P<p>\w+)\.(?P<n>[0-9a-f]+)\.{sid}\.{re.escape(m[1])} "
        base, key, stride = 16, hashlib.sha256(mid.encode() + sid.encode()).digest(), 1
    else:
        m = re.search(r"name = '%d-%s\.%s\.([\w.-]+)'", script)
        assert m
        pattern = rf"query: (?P<n>\d+)-(?P<p>\w+)\.{sid}\.{re.escape(m[1])} "
        base, key, stride = 10, hashlib.sha256(sid.encode() + mid.encode()).digest(), 7
    domains.append(m[1])
    for line in queries:
        if q := re.search(pattern, line):
            parts[int(q["n"], base)] = q["p"]
    txt = "".join(parts[i] for i in range(len(parts))).upper()
    enc = base64.b32decode(txt + "=" * (-len(txt) % 8))
    return zlib.decompress(bytes(b ^ key[(stride * i) % 32] for i, b in enumerate(enc))).decode()


def write(ans: dict[str, str]) -> None:
    Path("submission.txt").write_text("".join(f"{k}: {v}\n" for k, v in ans.items()))


main()
