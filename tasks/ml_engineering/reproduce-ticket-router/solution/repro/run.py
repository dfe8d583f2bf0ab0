"""Runs the four configurations of the report: python3 repro/run.py DATA_DIR OUT_JSON."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # noqa: E402
import features  # noqa: E402
import metrics  # noqa: E402
import model  # noqa: E402

CONFIGS = {
    "text": (("text",), True),
    "meta": (("numeric", "channel"), True),
    "all": (("text", "numeric", "channel"), True),
    "all-unweighted": (("text", "numeric", "channel"), False),
}


def main(data_dir, out_path):
    rows = data.load(data_dir)
    train, test = data.split(rows)
    y_train, y_test = data.labels(train), data.labels(test)
    k = len(data.CLASSES)
    scaler = features.Scaler(train)
    results = {}
    for name, (blocks, weighted) in CONFIGS.items():
        x_train = features.build(train, blocks, scaler)
        x_test = features.build(test, blocks, scaler)
        weights = model.class_weights(y_train, k) if weighted else [1.0] * k
        W, b, objective = model.fit(x_train, y_train, k, features.DIM, weights)
        probs = model.predict_proba(W, b, x_test)
        results[name] = {
            "accuracy": round(metrics.accuracy(y_test, probs), 6),
            "macro_f1": round(metrics.macro_f1(y_test, probs, k), 6),
            "log_loss": round(metrics.log_loss(y_test, probs), 6),
            "train_objective": round(objective, 6),
        }
        print(name, results[name], flush=True)
    for m in (1, 2, 3, 4):
        part = data.first_folds(train, m)
        y_part = data.labels(part)
        part_scaler = features.Scaler(part)
        blocks = CONFIGS["all"][0]
        x_part = features.build(part, blocks, part_scaler)
        x_test = features.build(test, blocks, part_scaler)
        W, b, _ = model.fit(x_part, y_part, k, features.DIM, model.class_weights(y_part, k))
        probs = model.predict_proba(W, b, x_test)
        results[f"curve-{m}"] = {
            "n_train": len(part),
            "accuracy": round(metrics.accuracy(y_test, probs), 6),
            "log_loss": round(metrics.log_loss(y_test, probs), 6),
        }
        print(f"curve-{m}", results[f"curve-{m}"], flush=True)
    Path(out_path).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
