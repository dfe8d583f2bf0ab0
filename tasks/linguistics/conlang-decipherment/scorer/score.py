#!/usr/bin/env python3
"""Scorer for conlang-decipherment: 300 sentences to translate into meaning frames
(translations.json, each frame right or wrong as a whole, after normalising case, spaces and
absent roles) and 60 frames to express in the language (renderings.json, exact sentence after
normalising case and spaces). Score: the fraction of the 360 items right."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROLES = ("agent", "patient", "recipient", "location", "instrument")


def text(value: object) -> object:
    return " ".join(value.lower().split()) if isinstance(value, str) else value


def norm_arg(arg: object) -> object:
    if arg is None:
        return None
    if not isinstance(arg, dict):
        return ("bad",)
    if "pronoun" in arg and arg.get("pronoun") is not None:
        return ("pronoun", text(arg.get("pronoun")))
    return ("noun", text(arg.get("lemma")), text(arg.get("number")), text(arg.get("modifier")))


def norm_frame(frame: object) -> object:
    if not isinstance(frame, dict):
        return None
    negated = frame.get("negated")
    return (
        text(frame.get("predicate")),
        text(frame.get("tense")),
        text(frame.get("aspect")),
        negated if isinstance(negated, bool) else None,
        tuple(norm_arg(frame.get(role)) for role in ROLES),
    )


def load(name: str) -> dict:
    path = Path(name)
    if not path.is_file():
        print(f"{name} is missing")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError as exc:
        print(f"{name} is not valid JSON: {exc}")
        return {}
    if not isinstance(data, dict):
        print(f"{name} is not a JSON object")
        return {}
    return data


def main() -> None:
    want_frames = json.loads((HERE / "translations.json").read_text(encoding="utf-8"))
    want_sentences = json.loads((HERE / "renderings.json").read_text(encoding="utf-8"))
    got_frames = load("translations.json")
    got_sentences = load("renderings.json")
    frames_ok = sum(
        1 for key, frame in want_frames.items() if norm_frame(got_frames.get(key)) == norm_frame(frame)
    )
    sentences_ok = sum(
        1
        for key, sentence in want_sentences.items()
        if isinstance(got_sentences.get(key), str) and text(got_sentences[key]) == text(sentence)
    )
    print(f"translations: {frames_ok} of {len(want_frames)} frames right")
    print(f"renderings: {sentences_ok} of {len(want_sentences)} sentences right")
    total = len(want_frames) + len(want_sentences)
    print(f"{(frames_ok + sentences_ok) / total:.4f}")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001 - a broken answer scores 0, never crashes the scorer
        print(f"scoring failed: {exc}")
        print("0.0")
