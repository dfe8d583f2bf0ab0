"""Seeded customer records for dedupe-contacts-budget: people with one to four records each,
written with the variations the matching rules forgive (case, spaces, gmail dots and +tags,
phone punctuation and country prefixes, name order and punctuation, postcode spacing) and the
ones they do not (short phone numbers, one-word names, missing fields), plus households that
share a phone, which chain several people into one group."""

import random

FIRST = [
    "anna", "ben", "chloé", "dmitri", "eva", "farid", "grete", "hugo", "ines", "jonas", "kai",
    "lena", "marek", "nora", "oskar", "priya", "quinn", "rosa", "søren", "tomás", "ulla",
    "vera", "wim", "xenia", "yusuf", "zoë", "straße", "ólafur", "li", "mei",
]
LAST = [
    "adams", "berg", "costa", "dubois", "eriksen", "fischer", "garcía", "horvat", "ivanova",
    "jansen", "kowalski", "larsen", "müller", "novak", "o'brien", "petrov", "quist", "rossi",
    "schmidt", "tanaka", "umar", "vogel", "weiß", "xu", "yilmaz", "zimmermann", "nguyen",
    "smith-jones", "de vries", "van dam",
]
DOMAINS = ["gmail.com", "googlemail.com", "example.org", "mail.test", "post.example", "firm.test"]


def _email(rng: random.Random, first: str, last: str) -> str:
    local = rng.choice([first + "." + last, first + last, first[0] + last, last + str(rng.randint(1, 99))])
    local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch == "."))
    return local + "@" + rng.choice(DOMAINS)


def _vary_email(rng: random.Random, email: str) -> str:
    local, _, domain = email.partition("@")
    roll = rng.random()
    if roll < 0.25:
        local = local.upper()
    elif roll < 0.45 and domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "") if "." in local else local[:1] + "." + local[1:]
        domain = rng.choice(["gmail.com", "googlemail.com", "GMail.com"])
    elif roll < 0.6:
        local = local + "+" + rng.choice(["shop", "news", "x1", ""])
    elif roll < 0.7:
        return " " + email + " "
    elif roll < 0.8:
        return ""
    elif roll < 0.85:
        return local + "@@" + domain
    return local + "@" + domain


def _phone(rng: random.Random) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(9))


def _vary_phone(rng: random.Random, digits: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        return "+44 " + digits[:3] + " " + digits[3:6] + " " + digits[6:]
    if roll < 0.35:
        return "0" + digits[:4] + "-" + digits[4:]
    if roll < 0.5:
        return "(" + digits[:3] + ") " + digits[3:]
    if roll < 0.6:
        return digits[1:]
    if roll < 0.72:
        return ""
    if roll < 0.76:
        return "ext " + digits[:5]
    return digits


def _vary_name(rng: random.Random, first: str, last: str) -> str:
    roll = rng.random()
    if roll < 0.25:
        return last.upper() + ", " + first.title()
    if roll < 0.4:
        return first.title() + "  " + last.title() + "."
    if roll < 0.5:
        return first.title()
    if roll < 0.58:
        return (first + " " + last).replace("ß", "SS").upper()
    return first.title() + " " + last.title()


def _postcode(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUWXYZ"
    return rng.choice(letters) + rng.choice(letters) + str(rng.randint(1, 9)) + " " + str(rng.randint(1, 9)) + rng.choice(letters) + rng.choice(letters)


def _vary_postcode(rng: random.Random, code: str) -> str:
    roll = rng.random()
    if roll < 0.3:
        return code.replace(" ", "").lower()
    if roll < 0.4:
        return ""
    if roll < 0.5:
        return " " + code.replace(" ", "  ")
    return code


def make_records(seed: int, n: int, household_rate: float = 0.04) -> list[dict]:
    """n records in a shuffled order with unique shuffled ids."""
    rng = random.Random(seed)
    records: list[dict] = []
    shared_phones: list[str] = []
    while len(records) < n:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = _email(rng, first, last)
        if shared_phones and rng.random() < household_rate:
            phone = rng.choice(shared_phones)
        else:
            phone = _phone(rng)
            if rng.random() < household_rate:
                shared_phones.append(phone)
        code = _postcode(rng)
        copies = rng.choices([1, 2, 3, 4], weights=[60, 25, 10, 5])[0]
        for _ in range(copies):
            records.append(
                {
                    "name": _vary_name(rng, first, last),
                    "email": _vary_email(rng, email),
                    "phone": _vary_phone(rng, phone),
                    "postcode": _vary_postcode(rng, code),
                }
            )
    records = records[:n]
    rng.shuffle(records)
    ids = rng.sample(range(1, 10 * n + 10), n)
    return [{"id": i, **r} for i, r in zip(ids, records)]
