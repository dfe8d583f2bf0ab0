"""Three routines from the nightly batch. Each takes a list of records (dicts) and returns
a new value; none modifies its input."""

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
