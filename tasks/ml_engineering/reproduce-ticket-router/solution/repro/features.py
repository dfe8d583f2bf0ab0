"""Feature blocks: hashed text, standardised numbers, channel one-hot."""

import math
import re
import zlib

BUCKETS = 1024
CHANNELS = ["chat", "email", "phone"]


def tokens(text):
    """Lower-cased runs of a-z0-9, dropping one-character tokens; then adjacent bigrams."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def hashed(text):
    """Sparse {bucket: value}: signed feature hashing, then L2 normalisation."""
    vec = {}
    for feat in tokens(text):
        h = zlib.crc32(feat.encode("utf-8"))
        sign = -1.0 if h >> 31 else 1.0
        vec[h % BUCKETS] = vec.get(h % BUCKETS, 0.0) + sign
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items() if v} if norm else {}


def raw_numbers(row):
    return [math.log1p(float(row["amount"])), float(row["account_age_days"]) / 365.0]


class Scaler:
    """z-scores with the mean and population standard deviation of the rows it is fitted on."""

    def __init__(self, rows):
        cols = list(zip(*(raw_numbers(r) for r in rows)))
        self.means = [sum(c) / len(c) for c in cols]
        self.stds = [math.sqrt(sum((v - m) ** 2 for v in c) / len(c)) or 1.0 for c, m in zip(cols, self.means)]

    def __call__(self, row):
        return [(v - m) / s for v, m, s in zip(raw_numbers(row), self.means, self.stds)]


def build(rows, blocks, scaler):
    """Sparse feature dicts {index: value}: text buckets first, then numbers, then channels."""
    out = []
    for row in rows:
        x, offset = {}, 0
        if "text" in blocks:
            x.update(hashed(row["text"]))
        offset += BUCKETS
        if "numeric" in blocks:
            for j, v in enumerate(scaler(row)):
                x[offset + j] = v
        offset += 2
        if "channel" in blocks:
            x[offset + CHANNELS.index(row["channel"])] = 1.0
        out.append(x)
    return out


DIM = BUCKETS + 2 + len(CHANNELS)
