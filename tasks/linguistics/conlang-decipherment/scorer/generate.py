"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

A constructed language is drawn from the seed: 380 roots (98 animate nouns, 130 inanimate
nouns, 53 adjectives, 30 intransitive, 56 transitive and 13 ditransitive verbs) with random
forms of one vowel-harmony class each (back a o u, front e y i), a prefix-free set so that
words segment uniquely. The grammar (fixed here, hidden from the agent):

- Suffix vowels harmonise with the last vowel before them: A = a/e, U = u/i, O = o/y.
- Nouns belong to one of three arbitrary classes (drawn per noun). Nouns: root, plural -lAr,
  -rOm or -tAs by class, then case: agent unmarked; patient -Un (-n after a vowel) when
  animate, unmarked when inanimate (differential object marking); recipient -gA; location
  -dA; instrument -mUs. -gA and -dA become -kA and -tA after p, t, k, s.
- Adjectives precede their noun and agree with its class and number: nothing or -Ut (class 1
  singular, plural), -Ur or -Urt (class 2), -Us or -Ust (class 3). A suffix's initial U drops
  after a vowel.
- Verbs: root, progressive -kUl, then past -dU (-tU after p t k s), present nothing, future
  -sOk, then agreement with the agent: 1sg -Um, 2sg -Un (-m, -n after a vowel), 3sg nothing,
  1pl -mUz, 2pl -nUz, 3pl -lAr. Four verbs have a suppletive stem in the simple past (which
  then takes no -dU). Pronoun agents are dropped (known only from the agreement).
- Word order: affirmative [LOC] S IO O INS V; negated: the particle nu, then V S IO O INS
  [LOC].

Writes corpus.tsv (4,000 sentences; 70% carry a noisy bag of English tags of the scene they
describe: each content lemma kept with probability 0.85, one to three distractors added),
glossed.json (40 sentences with their meaning frames), wordlist.tsv (50 roots with their
meanings), test_sentences.tsv (300 sentences to translate), render_frames.json (60 frames to
express in the language), and the answers translations.json and renderings.json (scorer; the
reference solution copies them).
"""

import json
import random
import sys
from pathlib import Path

SEED = 7_302_611
N_CORPUS = 4000
N_GLOSSED = 40
N_WORDLIST = 50
N_TEST = 300
N_RENDER = 60
MIN_ATTESTED = 6

ANIMATE = """man woman child boy girl king queen soldier farmer fisher hunter trader sailor
priest judge thief guard cook baker smith weaver potter healer teacher student singer dancer
shepherd miller brewer carpenter mason scribe merchant beggar widow orphan bride groom elder
chief servant slave stranger neighbour friend enemy brother sister mother father uncle aunt
cousin grandmother grandfather nephew niece husband wife prince princess dog cat horse cow
goat sheep pig wolf bear fox deer rabbit mouse rat lion tiger eagle hawk owl crow duck goose
hen rooster snake frog fish whale monkey camel donkey mule ox bull lamb calf""".split()

INANIMATE = """stone tree river house road bridge boat cart knife axe spear sword shield bow
arrow rope net basket pot cup bowl plate spoon jar bottle bag box chest bed chair table door
window roof wall tower gate well field garden forest hill mountain valley lake island shore
cave market temple palace village city harbour mill barn stable fence ladder hammer saw
needle thread cloth coat hat shoe ring necklace coin letter book map lamp candle fire torch
bell drum flute harp mirror comb brush broom bucket wheel sail oar anchor flag tent blanket
pillow bread cheese apple pear grape honey milk wine salt meat egg rice bean onion carrot
cabbage flower leaf branch root seed feather bone horn shell key lock chain cage plough
sickle shovel spade oven kettle barrel""".split()

ADJECTIVES = """big small old young red black white green blue yellow tall short heavy light
strong weak rich poor happy sad angry quiet loud clever foolish brave cowardly kind cruel
beautiful ugly clean dirty wet dry hot cold sharp blunt new broken empty full sick healthy
hungry tired fast slow wild tame sweet bitter""".split()

INTRANSITIVE = """sleep run walk fall sing dance laugh cry swim fly sit stand wait work
shout whisper pray rest hide arrive leave return jump climb dream breathe shiver smile
tremble wander""".split()

TRANSITIVE = """see hear eat drink carry take hold find lose break build buy sell steal wash
boil open close push pull throw catch hit kick chase hunt feed follow meet help love hate
fear watch call kill bury burn cut dig fill paint repair conceal protect count choose
visit greet touch smell taste bite draw mend weigh""".split()

DITRANSITIVE = """give send show lend offer bring teach deliver promise pass hand owe
pay""".split()

BACK, FRONT = "aou", "eyi"
TO_FRONT = {"a": "e", "o": "y", "u": "i"}
ARCHI = {"A": ("a", "e"), "U": ("u", "i"), "O": ("o", "y")}
VOWELS = set(BACK + FRONT)
ONSETS = list("ptksbdgmnlrvz")
CODAS = list("ptksmnlr")
VOICELESS = set("ptks")
PRONOUNS = ["1sg", "2sg", "3sg", "1pl", "2pl", "3pl"]
AGR = {"1sg": "Um", "2sg": "Un", "3sg": "", "1pl": "mUz", "2pl": "nUz", "3pl": "lAr"}
SUPPLETIVE = ["walk", "eat", "see", "give"]
PLURAL = {1: "lAr", 2: "rOm", 3: "tAs"}
ADJ_AGR = {(1, False): "", (1, True): "Ut", (2, False): "Ur", (2, True): "Urt", (3, False): "Us", (3, True): "Ust"}
ROLES = ["agent", "patient", "recipient", "location", "instrument"]


def is_front(text: str) -> bool:
    for ch in reversed(text):
        if ch in VOWELS:
            return ch in FRONT
    return False


def attach(stem: str, suffix: str) -> str:
    """Add a suffix template to a stem with harmony, vowel drop and devoicing."""
    if not suffix:
        return stem
    if suffix[0] == "U" and stem[-1] in VOWELS:
        suffix = suffix[1:]
    if suffix[0] in "dg" and stem[-1] in VOICELESS:
        suffix = {"d": "t", "g": "k"}[suffix[0]] + suffix[1:]
    front = is_front(stem)
    out = "".join(ARCHI[ch][front] if ch in ARCHI else ch for ch in suffix)
    return stem + out


def make_forms(rng: random.Random, count: int, taken: list[str]) -> list[str]:
    shapes = ["CVCV"] * 7 + ["CVCVC"] * 4 + ["CVC"] * 2 + ["CVCCV"] * 3 + ["VCV"] + ["CVCVCV"] * 3
    forms = list(taken)
    new: list[str] = []
    while len(new) < count:
        vowels = BACK if rng.random() < 0.5 else FRONT
        shape = rng.choice(shapes)
        word = ""
        for i, slot in enumerate(shape):
            if slot == "V":
                word += rng.choice(vowels)
            elif i + 1 < len(shape) and shape[i + 1] == "C":
                word += rng.choice(CODAS)
            elif i == len(shape) - 1:
                word += rng.choice(CODAS)
            else:
                word += rng.choice(ONSETS)
        if any(word.startswith(f) or f.startswith(word) for f in forms):
            continue
        forms.append(word)
        new.append(word)
    return new


def build_language(rng: random.Random) -> dict[str, object]:
    lemmas = ANIMATE + INANIMATE + ADJECTIVES + INTRANSITIVE + TRANSITIVE + DITRANSITIVE
    forms = make_forms(rng, len(lemmas) + len(SUPPLETIVE), ["nu"])
    root = dict(zip(lemmas, forms))
    past = dict(zip(SUPPLETIVE, forms[len(lemmas):]))
    weight = {lemma: rng.uniform(0.4, 2.0) for lemma in lemmas}
    noun_class = {lemma: rng.choice((1, 2, 3)) for lemma in ANIMATE + INANIMATE}
    return {"root": root, "past": past, "weight": weight, "class": noun_class}


def pick(rng: random.Random, pool: list[str], weight: dict[str, float], avoid: list[str]) -> str:
    while True:
        lemma = rng.choices(pool, weights=[weight[p] for p in pool])[0]
        if lemma not in avoid:
            return lemma


def noun_arg(rng: random.Random, pool: list[str], lang: dict, used: list[str]) -> dict:
    lemma = pick(rng, pool, lang["weight"], used)
    used.append(lemma)
    modifier = pick(rng, ADJECTIVES, lang["weight"], []) if rng.random() < 0.3 else None
    return {"lemma": lemma, "number": "pl" if rng.random() < 0.35 else "sg", "modifier": modifier}


def sample_frame(rng: random.Random, lang: dict) -> dict:
    kind = rng.choices(["intr", "tr", "ditr"], weights=[30, 55, 15])[0]
    pool = {"intr": INTRANSITIVE, "tr": TRANSITIVE, "ditr": DITRANSITIVE}[kind]
    frame: dict = {
        "predicate": pick(rng, pool, lang["weight"], []),
        "tense": rng.choice(["past", "present", "future"]),
        "aspect": "progressive" if rng.random() < 0.3 else "simple",
        "negated": rng.random() < 0.2,
    }
    used: list[str] = []
    if rng.random() < 0.25:
        frame["agent"] = {"pronoun": rng.choice(PRONOUNS)}
    else:
        frame["agent"] = noun_arg(rng, ANIMATE, lang, used)
    frame["patient"] = frame["recipient"] = frame["location"] = frame["instrument"] = None
    if kind != "intr":
        frame["patient"] = noun_arg(rng, ANIMATE if rng.random() < 0.35 else INANIMATE, lang, used)
    if kind == "ditr":
        frame["recipient"] = noun_arg(rng, ANIMATE, lang, used)
    if rng.random() < 0.3:
        frame["location"] = noun_arg(rng, INANIMATE, lang, used)
    if kind != "intr" and rng.random() < 0.2:
        frame["instrument"] = noun_arg(rng, INANIMATE, lang, used)
    return frame


ANIMATE_SET = frozenset(ANIMATE)


def render_np(arg: dict, role: str, lang: dict) -> list[str]:
    root = lang["root"]
    words = []
    plural = arg["number"] == "pl"
    cls = lang["class"][arg["lemma"]]
    if arg["modifier"] is not None:
        words.append(attach(root[arg["modifier"]], ADJ_AGR[cls, plural]))
    noun = root[arg["lemma"]]
    if plural:
        noun = attach(noun, PLURAL[cls])
    case = {"agent": "", "recipient": "gA", "location": "dA", "instrument": "mUs"}.get(role)
    if role == "patient":
        case = "Un" if arg["lemma"] in ANIMATE_SET else ""
    words.append(attach(noun, case or ""))
    return words


def render(frame: dict, lang: dict) -> str:
    agent = frame["agent"]
    person = agent.get("pronoun") or ("3pl" if agent["number"] == "pl" else "3sg")
    verb = frame["predicate"]
    if frame["tense"] == "past" and frame["aspect"] == "simple" and verb in lang["past"]:
        stem = lang["past"][verb]
    else:
        stem = lang["root"][verb]
        if frame["aspect"] == "progressive":
            stem = attach(stem, "kUl")
        stem = attach(stem, {"past": "dU", "present": "", "future": "sOk"}[frame["tense"]])
    verb_form = attach(stem, AGR[person])
    parts: dict[str, list[str]] = {}
    for role in ROLES:
        arg = frame[role]
        if arg is None or "pronoun" in arg:
            parts[role] = []
        else:
            parts[role] = render_np(arg, role, lang)
    core = parts["agent"] + parts["recipient"] + parts["patient"] + parts["instrument"]
    if frame["negated"]:
        words = ["nu", verb_form] + core + parts["location"]
    else:
        words = parts["location"] + core + [verb_form]
    return " ".join(words)


def content_lemmas(frame: dict) -> list[str]:
    out = [frame["predicate"]]
    for role in ROLES:
        arg = frame[role]
        if arg and "lemma" in arg:
            out.append(arg["lemma"])
            if arg["modifier"]:
                out.append(arg["modifier"])
    return out


def covers_everything(frames: list[dict], lang: dict) -> bool:
    seen = set()
    for f in frames:
        seen.update({("tense", f["tense"]), ("aspect", f["aspect"]), ("neg", f["negated"])})
        agent = f["agent"]
        seen.add(("pron", agent.get("pronoun")))
        for role in ROLES:
            arg = f[role]
            if arg and "lemma" in arg:
                seen.add(("role", role))
                seen.add(("num", arg["number"]))
                seen.add(("mod", arg["modifier"] is not None))
                seen.add(("class", lang["class"][arg["lemma"]], arg["number"]))
                if arg["modifier"] is not None:
                    seen.add(("adj", lang["class"][arg["lemma"]], arg["number"]))
                if role == "patient":
                    seen.add(("anim", arg["lemma"] in ANIMATE_SET))
        if f["predicate"] in SUPPLETIVE and f["tense"] == "past" and f["aspect"] == "simple":
            seen.add(("supp", True))
    need = 3 + 2 + 2 + 7 + 5 + 2 + 2 + 2 + 6 + 6
    return len(seen) >= need


def generate(out: Path) -> None:
    rng = random.Random(SEED)
    lang = build_language(rng)
    meaning: dict[str, str] = {}

    def unique_frame(extra_check=None) -> tuple[dict, str]:
        while True:
            frame = sample_frame(rng, lang)
            sentence = render(frame, lang)
            if sentence in meaning:
                continue
            if extra_check is not None and not extra_check(frame):
                continue
            meaning[sentence] = json.dumps(frame, sort_keys=True)
            return frame, sentence

    corpus = [unique_frame() for _ in range(N_CORPUS)]
    tagged = []
    attested: dict[str, int] = {}
    lemmas = list(lang["root"])
    lines = ["id\tsentence\ttags"]
    for i, (frame, sentence) in enumerate(corpus):
        tags: list[str] = []
        if rng.random() < 0.7:
            for lemma in content_lemmas(frame):
                attested[lemma] = attested.get(lemma, 0) + 1
                if rng.random() < 0.85:
                    tags.append(lemma)
            tags += [rng.choice(lemmas) for _ in range(rng.randint(1, 3))]
            rng.shuffle(tags)
            tagged.append(i)
        lines.append(f"C{i + 1:04d}\t{sentence}\t{','.join(tags)}")
    (out / "corpus.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    supp_seen = {
        f["predicate"]
        for f, _ in corpus
        if f["predicate"] in SUPPLETIVE and f["tense"] == "past" and f["aspect"] == "simple"
    }
    assert supp_seen == set(SUPPLETIVE)

    def well_attested(frame: dict) -> bool:
        return all(attested.get(lemma, 0) >= MIN_ATTESTED for lemma in content_lemmas(frame))

    while True:
        glossed = [unique_frame(well_attested) for _ in range(N_GLOSSED)]
        if covers_everything([f for f, _ in glossed], lang):
            break
        for _, sentence in glossed:
            meaning.pop(sentence)
    (out / "glossed.json").write_text(
        json.dumps(
            [{"id": f"G{i + 1:02d}", "sentence": s, "frame": f} for i, (f, s) in enumerate(glossed)],
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    listed = rng.sample(sorted(lemma for lemma in lemmas if attested.get(lemma, 0) >= MIN_ATTESTED), N_WORDLIST)
    (out / "wordlist.tsv").write_text(
        "form\tmeaning\n" + "".join(f"{lang['root'][m]}\t{m}\n" for m in sorted(listed, key=lang["root"].get)),
        encoding="utf-8",
    )
    tests = [unique_frame(well_attested) for _ in range(N_TEST)]
    renders = [unique_frame(well_attested) for _ in range(N_RENDER)]
    (out / "test_sentences.tsv").write_text(
        "id\tsentence\n" + "".join(f"T{i + 1:03d}\t{s}\n" for i, (_, s) in enumerate(tests)), encoding="utf-8"
    )
    (out / "render_frames.json").write_text(
        json.dumps([{"id": f"R{i + 1:02d}", "frame": f} for i, (f, _) in enumerate(renders)], indent=1) + "\n",
        encoding="utf-8",
    )
    (out / "translations.json").write_text(
        json.dumps({f"T{i + 1:03d}": f for i, (f, _) in enumerate(tests)}, indent=1) + "\n", encoding="utf-8"
    )
    (out / "renderings.json").write_text(
        json.dumps({f"R{i + 1:02d}": s for i, (_, s) in enumerate(renders)}, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    generate(Path(sys.argv[1]))
