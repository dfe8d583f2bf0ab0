"""Loading the ticket export and the customer-level train/test split."""

import csv
import zlib
from pathlib import Path

CLASSES = ["account", "billing", "shipping", "technical"]


def load(data_dir):
    """Rows of tickets.csv as dicts, in file order."""
    with open(Path(data_dir) / "tickets.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def bucket(row):
    """CRC-32 of the UTF-8 customer id, modulo 5: 0 is the test set, 1-4 the training folds."""
    return zlib.crc32(row["customer_id"].encode("utf-8")) % 5


def is_test(row):
    return bucket(row) == 0


def first_folds(train, m):
    """Training tickets of folds 1..m (the learning curve's subsets)."""
    return [r for r in train if 1 <= bucket(r) <= m]


def split(rows):
    train = [r for r in rows if not is_test(r)]
    test = [r for r in rows if is_test(r)]
    return train, test


def labels(rows):
    return [CLASSES.index(r["queue"]) for r in rows]
