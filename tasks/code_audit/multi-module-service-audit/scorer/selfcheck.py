"""Author's check (not used in scoring): every reference demonstration reveals a secret through
its claimed handler, and every known payload fired at every non-planted handler reveals none.

    python3 selfcheck.py SEED N_RESOURCES N_ACCOUNT N_VULNS
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import webgen

CHILD = r'''
import json, sys, random
sys.path.insert(0, sys.argv[1])
import runner
http = runner.load_service()
import world
cases = json.load(open(sys.argv[2]))
out = []
for spec in cases:
    rng = random.Random(len(out))
    res = runner.replay(http, world, spec, lambda label: "S%016x" % rng.getrandbits(64))
    out.append([[r["handler"], r["leaked"], r["escalated"], r["status"], r["body"][:300]] for r in res])
print(json.dumps(out))
'''


def main(seed, n_res, n_acc, n_vulns):
    if seed < 0:
        import generate

        files, truth, exploits = generate.build_task()
    else:
        files, truth, exploits = webgen.build(seed, n_res, n_acc, n_vulns)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text)
        first = json.loads(files["schema.py"].split("RESOURCES = ")[1].replace("'", '"'))
        cases = []
        planted = {t["function"] for t in truth}
        nouns = [n for n in webgen.NOUNS if f"mod_{n[0]}.py" in files]
        accs = [a for a in webgen.ACCOUNT_MODULES if f"mod_{a}.py" in files]
        for e in exploits:
            cases.append(("ref", e["function"], e))
        for res, sing in nouns:
            for kind, variants in webgen.VULN_VARIANTS.items():
                if kind == "account":
                    continue
                for cls, var in variants:
                    reqs = webgen.exploit_for(kind, var, res, sing)
                    cases.append(("fire", f"{res}:{kind}:{var}", {"requests": reqs}))
        for acc in accs:
            for cls, var in webgen.VULN_VARIANTS["account"]:
                reqs = webgen.exploit_for("account", var, acc, acc)
                reqs[-1]["path"] = "/%s/4" % nouns[0][0]
                reqs[-1]["path"] = "/admin/%s" % nouns[0][0]
                cases.append(("fire", f"{acc}:account:{var}", {"requests": reqs}))
        for c in cases:
            for r in c[2]["requests"]:
                r["path"] = r["path"].replace("/__FIRST__/", "/%s/" % nouns[0][0])
        Path(tmp, "cases.json").write_text(json.dumps([c[2] for c in cases]))
        Path(tmp, "child.py").write_text(CHILD)
        done = subprocess.run([sys.executable, str(Path(tmp, "child.py")), tmp, str(Path(tmp, "cases.json"))],
                              capture_output=True, text=True, timeout=600)
        if done.returncode:
            print(done.stderr[-3000:])
            return 1
        results = json.loads(done.stdout)
    bad = 0
    for (mode, label, spec), res in zip(cases, results):
        leaks = [r[0] for r in res if r[1]]
        if mode == "ref":
            if not leaks:
                print("REFERENCE FAILS", label, res)
                bad += 1
        else:
            is_acc = ":account:" in label
            handler = res[0][0]
            leak_via = [h for h in leaks]
            if is_acc:
                esc = res[0][2]
                if esc and handler not in planted:
                    print("UNPLANTED ESCALATION", label, handler, res)
                    bad += 1
            else:
                for h in leak_via:
                    if h not in planted:
                        print("UNPLANTED LEAK", label, h, res)
                        bad += 1
    print(f"{len(truth)} planted, {len(cases)} cases, {bad} problems")
    lines = sum(t.count("\n") for t in files.values())
    print(f"{len(files)} files, {lines} lines, {sum(len(t) for t in files.values())} bytes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*map(int, (sys.argv[1:5] + ["0", "0", "0"])[:4])))
