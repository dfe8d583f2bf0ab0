"""Multinomial logistic regression trained by full-batch gradient descent."""

import math

LAMBDA = 1e-2
ITERATIONS = 100
STEP = 10.0


def class_weights(ys, k):
    counts = [ys.count(c) for c in range(k)]
    return [len(ys) / (k * n) for n in counts]


def softmax(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = sum(e)
    return [v / s for v in e]


def scores(W, b, x):
    return [bc + sum(Wc[j] * v for j, v in x.items()) for Wc, bc in zip(W, b)]


def fit(xs, ys, k, dim, weights):
    """Minimise sum_i w_yi CE_i / sum_i w_yi + LAMBDA/2 ||W||^2 (bias not penalised)."""
    W = [[0.0] * dim for _ in range(k)]
    b = [0.0] * k
    total_w = sum(weights[y] for y in ys)
    for t in range(ITERATIONS):
        gW = [[LAMBDA * w for w in Wc] for Wc in W]
        gb = [0.0] * k
        for x, y in zip(xs, ys):
            p = softmax(scores(W, b, x))
            wy = weights[y] / total_w
            for c in range(k):
                g = wy * (p[c] - (1.0 if c == y else 0.0))
                gb[c] += g
                row = gW[c]
                for j, v in x.items():
                    row[j] += g * v
        lr = STEP / math.sqrt(1 + t)
        W = [[w - lr * g for w, g in zip(Wc, gc)] for Wc, gc in zip(W, gW)]
        b = [bc - lr * g for bc, g in zip(b, gb)]
    return W, b, objective(W, b, xs, ys, weights)


def objective(W, b, xs, ys, weights):
    """The training objective at the given parameters."""
    total_w = sum(weights[y] for y in ys)
    loss = 0.0
    for x, y in zip(xs, ys):
        p = softmax(scores(W, b, x))
        loss -= weights[y] / total_w * math.log(max(p[y], 1e-300))
    return loss + LAMBDA / 2 * sum(w * w for Wc in W for w in Wc)


def predict_proba(W, b, xs):
    return [softmax(scores(W, b, x)) for x in xs]
