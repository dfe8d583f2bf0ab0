"""Reference answer: Newton's method on E - e sin E = M started at E = pi (safe for any e < 1
and 0 < M < pi), then written with 15 significant digits."""

import math
from pathlib import Path

values = {}
for line in Path("orbit.txt").read_text().splitlines():
    if "=" in line and not line.startswith("#"):
        key, value = line.split("=")
        values[key.strip()] = float(value)
e, m = values["eccentricity"], values["mean_anomaly_rad"]
big_e = math.pi
for _ in range(100):
    step = (big_e - e * math.sin(big_e) - m) / (1 - e * math.cos(big_e))
    big_e -= step
    if abs(step) < 1e-15:
        break
Path("submission.txt").write_text(f"{big_e:.15g}\n")
