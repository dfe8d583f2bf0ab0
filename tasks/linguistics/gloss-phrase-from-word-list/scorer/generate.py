"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes glossary.tsv (environment: 40 English words with their translations into Velari, a made-up
language, one pair a line) and truth.json (scorer: the word-by-word Velari translation of the
five-word English phrase in instructions.md). The glossary holds near-miss decoys for every word of
the phrase (a plural, a comparative, a homophone, a related verb form), so a hasty lookup picks a
wrong word; Velari words are drawn from random syllables and are all distinct.
"""

import json
import random
import sys
from pathlib import Path

SEED = 52_083
PHRASE = ["old", "woman", "sees", "red", "bird"]
DECOYS = ["older", "women", "saw", "see", "read", "reed", "birds", "bard", "wolf", "word"]
FILLER = [
    "river", "stone", "bread", "house", "moon", "fire", "green", "child", "eats", "walks",
    "small", "tree", "water", "boat", "sings", "night", "salt", "field", "horse", "blue",
    "mother", "hears", "door", "cold", "sheep",
]
ONSETS = ["k", "t", "v", "s", "m", "n", "r", "l", "d", "z", "th", "b"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
CODAS = ["", "", "n", "r", "s", "l", "k"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(rng.randint(2, 3)))


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    english = PHRASE + DECOYS + FILLER
    assert len(english) == len(set(english)) == 40
    velari: dict[str, str] = {}
    used: set[str] = set()
    for en in english:
        w = word(rng)
        while w in used:
            w = word(rng)
        used.add(w)
        velari[en] = w
    order = english[:]
    rng.shuffle(order)
    lines = ["english\tvelari"] + [f"{en}\t{velari[en]}" for en in order]
    out = Path(outdir)
    (out / "glossary.tsv").write_text("\n".join(lines) + "\n")
    answer = " ".join(velari[en] for en in PHRASE)
    (out / "truth.json").write_text(json.dumps({"phrase": " ".join(PHRASE), "answer": answer}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
