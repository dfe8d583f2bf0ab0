"""Accuracy, macro-F1 and log-loss on the held-out tickets."""

import math


def accuracy(ys, probs):
    return sum(argmax(p) == y for y, p in zip(ys, probs)) / len(ys)


def argmax(p):
    return max(range(len(p)), key=lambda c: (p[c], -c))


def macro_f1(ys, probs, k):
    """Mean over the k classes of each class's F1 (0 when it has no true positive)."""
    preds = [argmax(p) for p in probs]
    total = 0.0
    for c in range(k):
        tp = sum(1 for y, q in zip(ys, preds) if y == c and q == c)
        fp = sum(1 for y, q in zip(ys, preds) if y != c and q == c)
        fn = sum(1 for y, q in zip(ys, preds) if y == c and q != c)
        total += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return total / k


def log_loss(ys, probs):
    """Unweighted mean of -ln p(true class), probabilities clipped at 1e-15."""
    return sum(-math.log(max(p[y], 1e-15)) for y, p in zip(ys, probs)) / len(ys)
