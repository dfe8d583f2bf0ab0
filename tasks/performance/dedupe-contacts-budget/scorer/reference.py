"""Finds customer records that belong to the same person.

group_duplicates(records) is called by the nightly clean-up job. Each record is a dict with the
keys "id" (a unique int), "name", "email", "phone" and "postcode" (strings, possibly empty).
Two records belong to the same person when same_person() says so, and "belongs to the same
person" is transitive: if a matches b and b matches c, all three are one person even when a
and c do not match directly.
"""


def normalise_email(email):
    email = email.strip().lower()
    if "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
        domain = "gmail.com"
    if not local or not domain:
        return ""
    return local + "@" + domain


import re

_NOT_ALNUM = re.compile(r"[\W_]")


def normalise_phone(phone):
    digits = "".join(filter("0123456789".__contains__, phone))
    if len(digits) < 9:
        return ""
    return digits[-9:]


def normalise_name(name):
    return " ".join(sorted(_NOT_ALNUM.sub(" ", name.casefold()).split()))


def normalise_postcode(postcode):
    return "".join(postcode.split()).upper()


def group_duplicates(records):
    """Returns the groups of two or more records that belong to the same person, as lists of
    ids: each list in ascending order, the lists ordered by size (largest first) and then by
    their smallest id.

    same_person() holds exactly when two records share a non-empty normalised email, a
    non-empty normalised phone, or a normalised name of two or more words together with a
    non-empty normalised postcode. So every record is filed under up to three keys, records
    that share a key are joined in a union-find, and the groups are its components."""
    parent = {}
    first_with_key = {}
    for record in records:
        rid = record["id"]
        parent[rid] = rid
        keys = []
        email = normalise_email(record["email"])
        if email:
            keys.append(("e", email))
        phone = normalise_phone(record["phone"])
        if phone:
            keys.append(("p", phone))
        name = normalise_name(record["name"])
        code = normalise_postcode(record["postcode"])
        if " " in name and code:
            keys.append(("n", name, code))
        for key in keys:
            other = first_with_key.setdefault(key, rid)
            if other != rid:
                while parent[other] != other:
                    parent[other] = parent[parent[other]]
                    other = parent[other]
                root = rid
                while parent[root] != root:
                    root = parent[root]
                parent[root] = other
    groups = {}
    for record in records:
        root = record["id"]
        while parent[root] != root:
            parent[root] = parent[parent[root]]
            root = parent[root]
        groups.setdefault(root, []).append(record["id"])
    result = [sorted(group) for group in groups.values() if len(group) >= 2]
    result.sort(key=lambda group: (-len(group), group[0]))
    return result
