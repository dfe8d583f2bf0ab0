"""Reference solver: fill the left corner of the narrowest pit of a skyline with each distinct
unused piece in each orientation that fits the gap there; backtrack on failure.

Every perfect tiling has a piece whose bottom-left corner is that corner, so this search is
complete, and trying each distinct size once (not each copy) removes symmetric branches."""

import json
import sys
from collections import Counter


def read(path: str) -> list[tuple[int, int, list[tuple[int, int]]]]:
    puzzles: list[tuple[int, int, list[tuple[int, int]]]] = []
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "puzzle":
            puzzles.append((int(parts[1]), int(parts[3]), []))
        else:
            puzzles[-1][2].append((int(parts[0]), int(parts[1])))
    return puzzles


def solve(side: int, pieces: list[tuple[int, int]]) -> list[list[int]]:
    sizes = Counter(tuple(sorted(p)) for p in pieces)
    heights = [0] * side  # skyline: filled height of each column
    placed: list[tuple[int, int, int, int]] = []

    def fillable(gap: int) -> bool:
        """Some unused pieces, standing side by side, span the gap exactly."""
        reach = 1
        for (a, b), n in sizes.items():
            for _ in range(n):
                reach |= (reach << a) | (reach << b)
        return bool(reach >> gap & 1)

    def narrowest_pit() -> tuple[int, int, int]:
        """The narrowest run of equal columns lower than both neighbours (or walls): its left
        corner must be the corner of some piece, so filling it first keeps the search complete."""
        best = (0, side + 1, 0)
        x = 0
        while x < side:
            end = x
            while end < side and heights[end] == heights[x]:
                end += 1
            left_ok = x == 0 or heights[x - 1] > heights[x]
            right_ok = end == side or heights[end] > heights[x]
            if left_ok and right_ok and heights[x] < side and end - x < best[1]:
                best = (x, end - x, heights[x])
            x = end
        return best

    def search() -> bool:
        if min(heights) == side:
            return True
        x, gap, low = narrowest_pit()
        if not fillable(gap):
            return False
        smallest = min(min(size) for size, n in sizes.items() if n)
        for size in sorted(sizes, reverse=True):
            if not sizes[size]:
                continue
            for w, h in {size, size[::-1]}:
                if w > gap or low + h > side:
                    continue
                if 0 < gap - w < smallest or 0 < side - low - h < smallest:
                    continue
                sizes[size] -= 1
                for i in range(x, x + w):
                    heights[i] += h
                placed.append((x, low, w, h))
                if search():
                    return True
                placed.pop()
                for i in range(x, x + w):
                    heights[i] -= h
                sizes[size] += 1
        return False

    if not search():
        raise SystemExit(f"no tiling for a square of side {side}")
    # Hand each placement back to one input piece of that size, in input order.
    free: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
    for x, y, w, h in placed:
        free.setdefault(tuple(sorted((w, h))), []).append((x, y, w, h))
    answer = []
    for w, h in pieces:
        x, y, pw, ph = free[tuple(sorted((w, h)))].pop()
        answer.append([x, y, 0 if (pw, ph) == (w, h) else 1])
    return answer


def main() -> None:
    puzzles = read(sys.argv[1])
    out = {str(number): solve(side, pieces) for number, side, pieces in puzzles}
    with open(sys.argv[2], "w") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
