#!/usr/bin/env python3
"""Scorer for the log_forensics tasks: compares the `key: value` lines of submission.txt with
the generator's ground truth (answers.json, written by generate.py). Each question is worth the
same; times count within 2 seconds; when the truth lists exfiltrated records, the score is half
the questions and half the F1 of the submitted record ids."""

import json
import os
import re
from datetime import datetime, UTC
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_BYTES = 2_000_000


def read_submission() -> str | None:
    """submission.txt in the work directory, else the harness's copy of the submit tool's answer."""
    for candidate in ("submission.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file() and path.stat().st_size <= MAX_BYTES:
            text = path.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                return text
    return None


def parse(text: str) -> dict[str, str]:
    answers: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            answers.setdefault(key.strip().lower(), value.strip().strip("`'\""))
    return answers


def as_time(value: str) -> float | None:
    value = value.strip().replace(" ", "T").replace("Z", "+00:00")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


def same(key: str, got: str, want: object) -> bool:
    if key.endswith("_utc"):
        a, b = as_time(got), as_time(str(want))
        return a is not None and b is not None and abs(a - b) <= 2
    if key == "exfil_bytes":
        return got.replace(",", "").strip() == str(want)
    if key == "app02_sudo_binary":
        return got in (str(want), str(want).rsplit("/", 1)[-1])
    if key == "app02_unit":
        return got in (str(want), str(want).removesuffix(".service"))
    if key == "tunnel_domains":
        return {d.strip().lower().rstrip(".") for d in got.split(",")} == set(str(want).split(","))
    return got.rstrip("/") == str(want).rstrip("/") if key != "webshell" else got == str(want)


def f1(got: str, want: list[int]) -> float:
    ids = {int(x) for x in re.findall(r"\d+", got)}
    if not ids:
        return 0.0
    hit = len(ids & set(want))
    return 2 * hit / (len(ids) + len(want))


def main() -> None:
    truth = json.loads((HERE / "answers.json").read_text())
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    answers = parse(text)
    questions = [k for k in sorted(truth) if k != "records"]
    right = 0
    for key in questions:
        ok = key in answers and same(key, answers[key], truth[key])
        right += ok
        print(f"{key}: {'right' if ok else 'missing' if key not in answers else 'wrong'}")
    score = right / len(questions)
    if "records" in truth:
        rec = f1(answers.get("records", ""), truth["records"])
        print(f"records: F1 {rec:.3f} over {len(truth['records'])} exfiltrated")
        score = 0.5 * score + 0.5 * rec
    print(round(score, 4))


main()
