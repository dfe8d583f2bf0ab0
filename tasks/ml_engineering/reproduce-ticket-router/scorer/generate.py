"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes tickets.csv and report.md (environment: the ticket export and the methods note with its
results table) and hidden_tickets.csv and expected.json (scorer: another export from the same
process and the correct pipeline's results on it). The correct results come from the reference
pipeline in ../solution/repro (this generator runs from a checkout of the task folder, never in
the sandbox). Tickets: customers with 1-6 tickets each; the queue drives the words (class words,
shared words, other classes' words), the order amount, the account age and the channel. Texts mix
case and contain tokens with underscores, apostrophes, digits and single letters, so tokenisers
that differ from the described one give different features.
"""

import csv
import io
import json
import math
import random
import sys
import tempfile
from pathlib import Path

SEED = 31_415
HERE = Path(__file__).resolve().parent
QUEUES = ["account", "billing", "shipping", "technical"]
WORDS = {
    "account": "login password reset locked username email_change profile verify 2fa sign_in "
               "can't access security closed reactivate acct_locked",
    "billing": "invoice charged twice refund payment card vat receipt subscription price "
               "overcharged billing_cycle credit won't discount",
    "shipping": "parcel delivery courier tracking late address arrived damaged box dispatch "
                "order_id warehouse returns label",
    "technical": "error crash app 404 timeout bug update install slow server sync api "
                 "screen can't loading",
}
SHARED = ("please help hi hello thanks thank you my the a i x is not it and to of on for with "
          "since yesterday today urgent again still issue problem question asap").split()
CHANNEL_P = {"account": [0.5, 0.3, 0.2], "billing": [0.2, 0.6, 0.2], "shipping": [0.4, 0.4, 0.2],
             "technical": [0.3, 0.2, 0.5]}
AMOUNT_MU = {"account": 2.5, "billing": 4.2, "shipping": 3.6, "technical": 3.0}
AGE_MU = {"account": 120, "billing": 600, "shipping": 400, "technical": 500}


def ticket(rng: random.Random, tid: int, cid: str) -> dict:
    queue = rng.choices(QUEUES, [0.18, 0.34, 0.28, 0.20])[0]
    own = WORDS[queue].split()
    words = []
    for _ in range(rng.randint(5, 13)):
        r = rng.random()
        if r < 0.3:
            words.append(rng.choice(own))
        elif r < 0.45:
            words.append(rng.choice(WORDS[rng.choice(QUEUES)].split()))
        else:
            words.append(rng.choice(SHARED))
    words = [w.upper() if rng.random() < 0.08 else (w.capitalize() if rng.random() < 0.15 else w) for w in words]
    text = " ".join(words) + rng.choice(["", ".", "!", "?", " !!"])
    return {
        "ticket_id": f"T{tid:05d}",
        "customer_id": cid,
        "channel": rng.choices(["chat", "email", "phone"], CHANNEL_P[queue])[0],
        "amount": f"{math.exp(rng.gauss(AMOUNT_MU[queue], 1.0)):.2f}",
        "account_age_days": max(1, int(rng.gauss(AGE_MU[queue], 250))),
        "text": text,
        "queue": queue,
    }


def export(rng: random.Random, customers: int, first: int) -> list[dict]:
    rows = []
    for c in range(customers):
        cid = f"CU{first + c:05d}-{rng.choice('ABCDEFGH')}"
        for _ in range(rng.randint(1, 6)):
            rows.append(ticket(rng, first * 10 + len(rows), cid))
    rng.shuffle(rows)
    return rows


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def run_reference(text: str) -> dict:
    sys.dont_write_bytecode = True  # leave the task folder as it is
    sys.path.insert(0, str(HERE.parent / "solution" / "repro"))
    import run  # the reference pipeline

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "tickets.csv").write_text(text, encoding="utf-8")
        out = Path(tmp) / "out.json"
        run.main(tmp, str(out))
        return json.loads(out.read_text())


def diagnostics(rows: list[dict]) -> dict:
    import data
    import features
    import model

    train, test = data.split(rows)
    ys = data.labels(train)
    sample = sorted(test, key=lambda r: r["ticket_id"])[0]
    return {
        "n_train": len(train), "n_test": len(test),
        "test_customers": len({r["customer_id"] for r in test}),
        "weights": [round(w, 4) for w in model.class_weights(ys, 4)],
        "sample_id": sample["ticket_id"], "sample_text": sample["text"],
        "sample_features": len(features.tokens(sample["text"])),
        "sample_buckets": len(features.hashed(sample["text"])),
        "means": [round(m, 4) for m in features.Scaler(train).means],
        "stds": [round(s, 4) for s in features.Scaler(train).stds],
    }


REPORT = """# Routing support tickets to queues: methods and results

This note documents the queue-routing baseline whose numbers we quote in the planning
document. It was produced by a notebook that has since been lost; the `repro/` package in this
directory was written later from memory, and it does not give the same numbers. The description
below is authoritative.

## Data

`tickets.csv`: one row per support ticket with `ticket_id`, `customer_id`, `channel` (chat,
email or phone), `amount` (value of the customer's last order), `account_age_days`, the free
`text` of the ticket, and the `queue` it was routed to by an agent (the label: account,
billing, shipping or technical). Classes are indexed in alphabetical order
(account = 0, billing = 1, shipping = 2, technical = 3).

**Split.** We hold out whole customers: a ticket is in the test set when the CRC-32 checksum
(as in zlib) of its customer id, encoded as UTF-8, is 0 modulo 5; everything else is training
data. This gives {n_train} training and {n_test} test tickets; the test tickets come from
{test_customers} customers.

## Features

Three blocks, concatenated in this order into a vector of 1,029 dimensions:

1. **Text** (1,024 dimensions). The text is lower-cased and split into tokens, which are the
   maximal runs of the characters `a`-`z` and `0`-`9`; tokens of a single character are dropped.
   The features are the remaining tokens plus the bigrams of consecutive remaining tokens
   (written as the two tokens joined by one space). Each feature is hashed with CRC-32 of its
   UTF-8 bytes: the bucket is the checksum modulo 1,024 and the sign is -1 when the checksum's
   most significant bit (bit 31) is set, +1 otherwise. The signed counts per bucket form a vector,
   which is divided by its Euclidean norm (an all-zero vector stays zero). Example: ticket
   {sample_id} (`{sample_text}`) has {sample_features} features, which land in {sample_buckets}
   buckets with a non-zero value.
2. **Numbers** (2 dimensions): ln(1 + amount) and account_age_days / 365, each standardised with
   the mean and the population standard deviation (dividing by n) of the training tickets. The
   training means are {means} and the standard deviations {stds}.
3. **Channel** (3 dimensions): one-hot over chat, email, phone in that order.

## Model and training

Multinomial logistic regression: a 4 x 1,029 weight matrix W and 4 biases, all starting at zero.
With class weights w_c, the objective is the weighted mean cross-entropy,
sum_i w(y_i) CE_i / sum_i w(y_i), plus (lambda / 2) times the sum of the squared entries of W
(the biases are not penalised), lambda = 0.01. Class weights are n / (4 n_c), with n_c the
number of training tickets of class c (n the number of training tickets):
{weights} for this split. The "unweighted" configuration uses w_c = 1.

Training is full-batch gradient descent on that objective for 100 iterations (t = 0 ... 99),
with step size 10 / sqrt(1 + t) at iteration t; every iteration uses the gradient at the current
parameters for all of W and the biases.

## Evaluation

On the test tickets: the predicted class is the one with the highest softmax probability (ties
go to the lowest class index); **accuracy**; **macro-F1**, the unweighted mean over the four
classes of each class's F1 = 2 TP / (2 TP + FP + FN) (0 for a class with no true positive);
**log-loss**, the plain (unweighted) mean over test tickets of -ln p(true class), with p clipped
below at 1e-15. We also report the training objective at the final parameters.

## Configurations and results

| configuration | features | class weights | accuracy | macro-F1 | log-loss | final objective |
|---|---|---|---|---|---|---|
{table}

## Learning curve

The training customers fall into four folds by the same checksum (CRC-32 modulo 5 equal to 1,
2, 3 or 4). For m = 1 ... 4 we train the "all" configuration (class weights on) on the training
tickets of folds 1 to m only, with the standardisation statistics and the class weights
recomputed on that subset, and evaluate on the same test set as above.

| folds | training tickets | accuracy | log-loss |
|---|---|---|---|
{curve}
"""
ROWS = [("text", "text", "yes"), ("meta", "numbers + channel", "yes"), ("all", "all three", "yes"),
        ("all-unweighted", "all three", "no")]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    out = Path(outdir)
    rows = export(rng, 480, 10_000)
    hidden = export(rng, 480, 50_000)
    text = to_csv(rows)
    (out / "tickets.csv").write_text(text, encoding="utf-8")
    (out / "hidden_tickets.csv").write_text(to_csv(hidden), encoding="utf-8")
    results = run_reference(text)
    expected = run_reference(to_csv(hidden))
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    parsed = list(csv.DictReader(io.StringIO(text)))
    table = "\n".join(
        f"| {name} | {feats} | {w} | {results[name]['accuracy']:.4f} | {results[name]['macro_f1']:.4f} | "
        f"{results[name]['log_loss']:.4f} | {results[name]['train_objective']:.4f} |"
        for name, feats, w in ROWS)
    curve = "\n".join(
        f"| 1-{m} | {results[f'curve-{m}']['n_train']} | {results[f'curve-{m}']['accuracy']:.4f} | "
        f"{results[f'curve-{m}']['log_loss']:.4f} |" for m in (1, 2, 3, 4))
    report = REPORT.format(table=table, curve=curve, **diagnostics(parsed))
    (out / "report.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
