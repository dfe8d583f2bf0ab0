#!/usr/bin/env python3
"""Scorer for lossy-link-transport: runs the agent's transport.py through netsim.py on the
hidden scenarios in a child process (isolated mode, with a time limit), then gives each
scenario 1.0 when the transfer succeeded within both bounds (finish tick and packets sent),
0.5 when it succeeded outside them, 0.0 otherwise. The score is the mean."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 420


def main() -> None:
    scenarios = json.loads((HERE / "hidden_scenarios.json").read_text())
    if not Path("transport.py").is_file():
        print("no transport.py in the work directory")
        print(0.0)
        return
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(HERE / "netsim.py"), str(Path("transport.py").resolve()), str(HERE / "hidden_scenarios.json")],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        stdout = done.stdout
    except subprocess.TimeoutExpired as exc:
        print(f"the simulation did not finish within {TIMEOUT_S} s")
        stdout = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    results: dict[str, dict] = {}
    for line in stdout.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if isinstance(r, dict) and isinstance(r.get("name"), str):
            results[r["name"]] = r
    total = 0.0
    for sc in scenarios:
        r = results.get(sc["name"])
        bounds = sc["bounds"]
        if r is None or r.get("ok") is not True or not isinstance(r.get("finish_tick"), int):
            credit, why = 0.0, (r or {}).get("reason", "no result (crash or time-out)")
        elif r["finish_tick"] <= bounds["finish_tick"] and r.get("data_packets", 10**9) <= bounds["data_packets"]:
            credit, why = 1.0, f"finished at tick {r['finish_tick']}, {r['data_packets']} packets"
        else:
            credit, why = 0.5, (
                f"correct but outside the bounds: tick {r['finish_tick']} (bound {bounds['finish_tick']}), "
                f"{r.get('data_packets')} packets (bound {bounds['data_packets']})"
            )
        total += credit
        print(f"{sc['name']}: {credit} {str(why)[:200]}")
    print(round(total / len(scenarios), 4))


main()
