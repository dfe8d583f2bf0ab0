"""The graders' replay harness, run by score.py in a child process:

    python3 -I harness.py SOURCE_DIR INPUTS_JSON MARKER

SOURCE_DIR holds the graders' spk.py and sanheap.py; INPUTS_JSON a list of hex strings. Each
input is parsed by spk.load_bundle on the checking heap; prints MARKER + a JSON list with, per
input, [kind or null, reporting function or null, functions that recursed]."""

import collections
import json
import sys
import traceback

source, inputs_path, marker = sys.argv[1:4]
sys.path.insert(0, source)
import sanheap  # noqa: E402

sys.modules["heap"] = sanheap
import spk  # noqa: E402

SPK_FILE = spk.__file__


def spk_frames(tb):
    return [f.name for f in traceback.extract_tb(tb) if f.filename == SPK_FILE and not f.name.startswith("_")]


def run(data):
    try:
        spk.load_bundle(data)
    except sanheap.SanitizerError as exc:
        frames = spk_frames(exc.__traceback__)
        return [exc.kind, frames[-1] if frames else None, []]
    except RecursionError as exc:
        counts = collections.Counter(spk_frames(exc.__traceback__))
        return ["unbounded-recursion", None, sorted(f for f, n in counts.items() if n >= 20)]
    except spk.FormatError:
        return [None, None, []]
    except Exception as exc:  # anything else is a crash the checking heap did not classify
        return ["crash:" + type(exc).__name__, None, []]
    return [None, None, []]


sys.setrecursionlimit(700)
out = []
for text in json.load(open(inputs_path, encoding="utf-8")):
    out.append(run(bytes.fromhex(text)))
print(marker + json.dumps(out))
