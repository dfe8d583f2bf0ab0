"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes routines.py (environment: three functions over a list of records) and truth.json (scorer:
the name of the one whose running time grows quadratically). The seed picks one quadratic body
from a pool of subtle ones (membership in a list, pop(0), insert(0, ...), slicing a shrinking
list) and two decoys from a pool of linear or n log n bodies that look heavier than they are
(nested loops over a fixed alphabet, sort then sweep, a deque used as a queue, a two-pointer
window), then shuffles
their order.
"""

import json
import random
import sys
from pathlib import Path

SEED = 40_417

QUADRATIC = {
    "distinct_tags": '''
def distinct_tags(records):
    """Tags in first-seen order, each once, lower-cased."""
    seen = []
    for record in records:
        tag = record["tag"].strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen
''',
    "drain_backlog": '''
def drain_backlog(records):
    """Processes the records oldest first and returns the running totals per step."""
    backlog = list(records)
    totals = []
    total = 0
    while backlog:
        record = backlog.pop(0)
        total += record["amount"]
        totals.append(total)
    return totals
''',
    "newest_first": '''
def newest_first(records):
    """Record ids, newest first, skipping cancelled records."""
    order = []
    for record in records:
        if record["status"] != "cancelled":
            order.insert(0, record["id"])
    return order
''',
    "tail_sums": '''
def tail_sums(records):
    """For every position, the amount of the records from that position to the end."""
    rest = [record["amount"] for record in records]
    sums = []
    while rest:
        sums.append(sum(rest))
        rest = rest[1:]
    return sums
''',
}

DECOYS = {
    "letter_histogram": '''
def letter_histogram(records):
    """How often each letter a-z opens a customer name."""
    counts = {}
    for record in records:
        name = record["name"].lower()
        for letter in "abcdefghijklmnopqrstuvwxyz":
            for other in "abcdefghijklmnopqrstuvwxyz":
                if letter == other and name.startswith(letter):
                    counts[letter] = counts.get(letter, 0) + 1
    return counts
''',
    "merge_overlaps": '''
def merge_overlaps(records):
    """Merges the [start, end) spans of the records into disjoint spans."""
    spans = sorted((record["start"], record["end"]) for record in records)
    merged = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        j = i + 1
        while j < len(spans) and spans[j][0] <= end:
            end = max(end, spans[j][1])
            j += 1
        merged.append((start, end))
        i = j
    return merged
''',
    "round_robin": '''
def round_robin(records):
    """Serves the records' owners in turn, one unit of work at a time."""
    from collections import deque

    queue = deque((record["id"], record["units"]) for record in records)
    served = []
    while queue:
        owner, units = queue.popleft()
        served.append(owner)
        if units > 1:
            queue.append((owner, units - 1))
    return served
''',
    "longest_distinct_run": '''
def longest_distinct_run(records):
    """Length of the longest stretch of consecutive records with no customer twice."""
    inside = set()
    best = 0
    left = 0
    for right, record in enumerate(records):
        while record["customer"] in inside:
            inside.discard(records[left]["customer"])
            left += 1
        inside.add(record["customer"])
        best = max(best, right - left + 1)
    return best
''',
}


def main(outdir: str) -> None:
    """Write routines.py and the truth."""
    rng = random.Random(SEED)
    quadratic = rng.choice(sorted(QUADRATIC))
    decoys = rng.sample(sorted(DECOYS), 2)
    names = [quadratic, *decoys]
    rng.shuffle(names)
    bodies = [QUADRATIC.get(name) or DECOYS[name] for name in names]
    header = (
        '"""Three routines from the nightly batch. Each takes a list of records (dicts) and returns\n'
        'a new value; none modifies its input."""\n'
    )
    out = Path(outdir)
    (out / "routines.py").write_text(header + "\n".join(bodies))
    (out / "truth.json").write_text(json.dumps({"quadratic": quadratic, "others": decoys}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
