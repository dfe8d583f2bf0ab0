#!/usr/bin/env python3
"""Scorer for relay-config-migration: compares migrated/<host>.json in the work directory with
expected.json (made by generate.py through migrate.py), key by key for every host. The score is
half the fraction of (host, key) pairs that match plus half the fraction of hosts with every key
right, so a rule that is wrong on even two hosts keeps the score under the threshold."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def canonical(key: str, value: object) -> object:
    """Routes are a set (longest-prefix matching); everything else compares as is."""
    if key == "routes" and isinstance(value, list):
        try:
            return sorted(value, key=lambda r: json.dumps(r, sort_keys=True))
        except TypeError:
            return value
    return value


def main() -> None:
    expected = json.loads((HERE / "expected.json").read_text())
    total = passed = hosts_right = 0
    for host, want in sorted(expected.items()):
        path = Path("migrated") / f"{host}.json"
        got: object = None
        try:
            got = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            got = None
        wrong = []
        for key, value in want.items():
            total += 1
            if isinstance(got, dict) and key in got and canonical(key, got[key]) == canonical(key, value):
                passed += 1
            else:
                wrong.append(key)
        hosts_right += not wrong
        print(f"{host}: {len(want) - len(wrong)}/{len(want)}" + (f" (wrong: {', '.join(wrong)})" if wrong else ""))
    keys, hosts = passed / total, hosts_right / len(expected)
    print(f"keys right {keys:.3f}, hosts entirely right {hosts:.3f}")
    print(round(0.5 * keys + 0.5 * hosts, 4))


main()
