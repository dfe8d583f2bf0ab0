"""Accuracy, macro-F1 and log-loss on the held-out tickets."""

import math


def accuracy(ys, probs):
    return sum(argmax(p) == y for y, p in zip(ys, probs)) / len(ys)


def argmax(p):
    return max(range(len(p)), key=lambda c: (p[c], -c))


def macro_f1(ys, probs, k):
    """Macro-averaged F1 over the k classes."""
    preds = [argmax(p) for p in probs]
    precision = recall = 0.0
    for c in range(k):
        tp = sum(1 for y, q in zip(ys, preds) if y == c and q == c)
        predicted = sum(1 for q in preds if q == c)
        actual = sum(1 for y in ys if y == c)
        precision += tp / predicted if predicted else 0.0
        recall += tp / actual if actual else 0.0
    precision, recall = precision / k, recall / k
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def log_loss(ys, probs, weights):
    """Mean of -ln p(true class), probabilities clipped at 1e-15."""
    total = sum(weights[y] for y in ys)
    return sum(-weights[y] * math.log(max(p[y], 1e-15)) for y, p in zip(ys, probs)) / total
