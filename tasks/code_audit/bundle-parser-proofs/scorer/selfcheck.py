"""Author's check (not used in scoring): each site's reference proof makes the checking heap
report the expected fault when that site alone is flawed, no proof faults on the all-safe
build, and random mutations of valid bundles never fault on the all-safe build.

    python3 selfcheck.py [FUZZ_ROUNDS]
"""

import random
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "solution"))
import generate  # noqa: E402
import make_proofs as mp  # noqa: E402


def load(source, tag):
    import importlib.util

    import sanheap

    sys.modules["heap"] = sanheap
    path = Path(tempfile.mkdtemp()) / "spk.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"spk_{tag}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, sanheap


def outcome(module, san, data):
    import traceback

    try:
        module.load_bundle(data)
    except san.SanitizerError as exc:
        frames = [f.name for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename == module.__file__ and not f.name.startswith("_")]
        return exc.kind, frames[-1] if frames else None
    except RecursionError:
        return "unbounded-recursion", None
    except module.FormatError:
        return None, None
    return None, None


def main(rounds):
    sys.setrecursionlimit(700)
    bad = 0
    safe, _ = generate.build({})
    safe_mod, san = load(safe, "safe")
    for (site, var), (functions, kind) in generate.SITES.items():
        key = site + (":" + var if site == "lz_match" else "")
        data = mp.PROOFS[key]()
        src, _ = generate.build({site: var})
        mod, _ = load(src, f"{site}_{var}")
        got = outcome(mod, san, data)
        ok = got[0] == kind and (got[1] in functions or kind == "unbounded-recursion")
        clean = outcome(safe_mod, san, data)
        print(f"{site}:{var or '-'} -> {got} {'ok' if ok else 'WRONG'}; safe build -> {clean}")
        bad += (not ok) + (clean[0] is not None)
    rng = random.Random(1)
    seeds = [mp.PROOFS[k]() for k in mp.PROOFS if k not in ("pixel_size", "nest_depth")]
    seeds.append(mp.bundle(mp.strs(b"ab", b"c"), mp.chunk(b"PALT", b"\x03" + bytes(9)),
                           mp.pixl(2, 2, 1, 2, b"\x01\x01\x02\x81\x01\x00", 1),
                           mp.chunk(b"META", b"\x01\x01k\x02\x00hi"), mp.chunk(b"INDX", b"\x03\x00a\x02\x00")))
    for n in range(rounds):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(16, len(data)) if len(data) > 16 else 0
            data[i] = rng.randrange(256)
        if rng.random() < 0.8 and len(data) > 16:  # repair checksums so mutations reach parsers
            data = bytearray(repair(bytes(data)))
        got = outcome(safe_mod, san, bytes(data))
        if got[0] is not None:
            print("FUZZ FAULT on the safe build:", got, bytes(data).hex())
            bad += 1
            break
    print(f"{bad} problems")
    return 1 if bad else 0


def repair(data):
    """Recompute the header and top-level chunk checksums where the layout still parses."""
    out = bytearray(data)
    out[8:12] = len(out).to_bytes(4, "little")
    pos = 16
    while pos + 8 <= len(out):
        size = int.from_bytes(out[pos + 4:pos + 8], "little")
        if pos + 12 + size > len(out):
            break
        out[pos + 8 + size:pos + 12 + size] = zlib.crc32(out[pos:pos + 4] + out[pos + 8:pos + 8 + size]).to_bytes(4, "little")
        pos += 12 + size
    out[12:16] = zlib.crc32(bytes(out[:12])).to_bytes(4, "little")
    return bytes(out)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
