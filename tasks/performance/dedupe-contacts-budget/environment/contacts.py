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


def normalise_phone(phone):
    digits = ""
    for ch in phone:
        if ch in "0123456789":
            digits += ch
    if len(digits) < 9:
        return ""
    return digits[-9:]


def normalise_name(name):
    cleaned = ""
    for ch in name.casefold():
        cleaned += ch if ch.isalnum() else " "
    return " ".join(sorted(cleaned.split()))


def normalise_postcode(postcode):
    return "".join(postcode.split()).upper()


def same_person(a, b):
    email_a = normalise_email(a["email"])
    email_b = normalise_email(b["email"])
    if email_a and email_a == email_b:
        return True
    phone_a = normalise_phone(a["phone"])
    phone_b = normalise_phone(b["phone"])
    if phone_a and phone_a == phone_b:
        return True
    name_a = normalise_name(a["name"])
    name_b = normalise_name(b["name"])
    code_a = normalise_postcode(a["postcode"])
    code_b = normalise_postcode(b["postcode"])
    if " " in name_a and name_a == name_b and code_a and code_a == code_b:
        return True
    return False


def group_duplicates(records):
    """Returns the groups of two or more records that belong to the same person, as lists of
    ids: each list in ascending order, the lists ordered by size (largest first) and then by
    their smallest id."""
    links = []
    for i in range(len(records)):
        for j in range(i + 1, len(records)):
            if same_person(records[i], records[j]):
                links.append((records[i]["id"], records[j]["id"]))
    groups = [{record["id"]} for record in records]
    changed = True
    while changed:
        changed = False
        for a, b in links:
            group_a = next(group for group in groups if a in group)
            group_b = next(group for group in groups if b in group)
            if group_a is not group_b:
                group_a |= group_b
                groups.remove(group_b)
                changed = True
    result = [sorted(group) for group in groups if len(group) >= 2]
    result.sort(key=lambda group: (-len(group), group[0]))
    return result
