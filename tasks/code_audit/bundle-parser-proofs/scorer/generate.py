"""Regenerates this task's data: python3 generate.py OUTDIR writes spk.py and heap.py (for
environment/: the bundle reader and its heap) and truth.json (for scorer/: the planted bugs).
Deterministic (fixed seed). Needs spk_template.py and heap.py next to it.

spk_template.py marks every bug site as

    #@site NAME          the correct code
    #@bug [VARIANT]      a flawed version (one or more)
    #@end

The seed picks which sites get a flaw (at most one per (function, kind) pair, so every planted
bug has its own answer) and which variant; the markers are removed. SITES gives, for every
site and variant, the function where the graders' checking heap reports the fault (plus
other functions that may report the same fault, accepted as aliases) and the fault kind.
"""

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 16_0521
N_BUGS = 10

SITES = {
    ("chunk_bounds", ""): (["parse_chunks"], "out-of-bounds-read"),
    ("nest_depth", ""): (["parse_nest", "parse_chunks"], "unbounded-recursion"),
    ("meta_table", "sentinel"): (["parse_meta"], "out-of-bounds-write"),
    ("meta_value", ""): (["parse_meta"], "out-of-bounds-write"),
    ("strs_scan", "scan"): (["parse_strings"], "out-of-bounds-read"),
    ("strs_copy", ""): (["parse_strings"], "out-of-bounds-write"),
    ("strtab_index", ""): (["lookup_string"], "out-of-bounds-read"),
    ("palette_count", ""): (["parse_palette"], "out-of-bounds-read"),
    ("palette_index", ""): (["apply_palette"], "out-of-bounds-read"),
    ("pixel_size", "wrap"): (["parse_pixels"], "out-of-bounds-write"),
    ("pixel_alloc", ""): (["image_digest", "apply_palette"], "uninitialized-read"),
    ("rle_repeat", ""): (["decode_rle"], "out-of-bounds-write"),
    ("lz_match", "distance"): (["decode_lz"], "out-of-bounds-read"),
    ("lz_match", "length"): (["decode_lz"], "out-of-bounds-write"),
    ("blob_check", ""): (["cleanup"], "double-free"),
    ("transient_release", ""): (["parse_link"], "use-after-free"),
    ("link_range", ""): (["parse_link"], "out-of-bounds-read"),
    ("index_progress", ""): (["parse_index"], "endless-loop"),
}


def parse_template(text):
    """[(None, line) | (site, {variant: [lines]})] with '' as the safe variant."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = re.match(r"\s*#@site (\w+)$", lines[i])
        if not m:
            out.append((None, lines[i]))
            i += 1
            continue
        site, variants, current = m.group(1), {"safe": []}, "safe"
        i += 1
        while not re.match(r"\s*#@end$", lines[i]):
            b = re.match(r"\s*#@bug ?(\w*)$", lines[i])
            if b:
                current = b.group(1)
                variants[current] = []
            else:
                variants[current].append(lines[i])
            i += 1
        out.append((site, variants))
        i += 1
    return out


def choose(rng, sites):
    """{site: variant} for the planted bugs."""
    options = [(site, var) for (site, var) in SITES if site in sites]
    rng.shuffle(options)
    planted, used = {}, set()
    for site, var in options:
        functions, kind = SITES[site, var]
        key = (functions[0], kind)
        if site in planted or key in used or len(planted) >= N_BUGS:
            continue
        planted[site] = var
        used.add(key)
    return planted


def render(parsed, planted):
    lines = []
    for site, item in parsed:
        if site is None:
            lines.append(item)
        else:
            lines.extend(item[planted.get(site, "safe")])
    return "\n".join(lines)


def build(planted_override=None):
    parsed = parse_template((HERE / "spk_template.py").read_text())
    sites = {site for site, _ in parsed if site is not None}
    assert sites == {s for s, _ in SITES}, sites ^ {s for s, _ in SITES}
    planted = choose(random.Random(SEED), sites) if planted_override is None else planted_override
    truth = []
    for site, var in sorted(planted.items()):
        functions, kind = SITES[site, var]
        truth.append({"site": site, "variant": var, "function": functions[0], "aliases": functions[1:],
                      "kind": kind})
    return render(parsed, planted), truth


def main(outdir: str) -> None:
    source, truth = build()
    out = Path(outdir)
    (out / "spk.py").write_text(source)
    (out / "heap.py").write_text((HERE / "heap.py").read_text())
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
