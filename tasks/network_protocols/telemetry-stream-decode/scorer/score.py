#!/usr/bin/env python3
"""Scorer for telemetry-stream-decode: one sixth per answer that equals truth.json (made by
generate.py). Numbers may be given as numbers or strings; decimals are compared at two places."""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_submission() -> str | None:
    """submission.txt in the work directory, else $HORIZON_SUBMISSION_FILE; None when empty."""
    for candidate in ("submission.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                return text
    return None


def same(key: str, got: object, want: object) -> bool:
    if isinstance(got, bool) or got is None:
        return False
    if key in ("readings_frames", "discarded_frames"):
        try:
            return int(str(got).strip()) == want
        except ValueError:
            return False
    if key in ("sensor_7_sum", "calibrated_max"):
        try:
            return f"{float(str(got).strip()):.2f}" == want
        except ValueError:
            return False
    if key == "last_event_code":
        return str(got).strip().upper().removeprefix("0X").zfill(4) == want
    return str(got).strip() == want


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        answer = json.loads(text)
    except ValueError:
        print("submission.txt is not JSON")
        print(0.0)
        return
    if not isinstance(answer, dict):
        print("submission.txt is not a JSON object")
        print(0.0)
        return
    right = 0
    for key, want in truth.items():
        ok = same(key, answer.get(key), want)
        right += ok
        print(f"{key}: {'correct' if ok else 'wrong'}")
    print(round(right / len(truth), 4))


main()
