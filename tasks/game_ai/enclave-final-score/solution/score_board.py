"""Reference answer: flood-fill the empty regions and the stone groups of board.txt and apply
Enclave's scoring (territory, stones, smothered groups scoring for the opponent)."""

from pathlib import Path

board = [line.strip() for line in Path("board.txt").read_text().splitlines() if line.strip()]
H, W = len(board), len(board[0])


def flood(y: int, x: int, seen: set[tuple[int, int]]) -> tuple[list[tuple[int, int]], set[str]]:
    kind, stack, group, border = board[y][x], [(y, x)], [], set()
    seen.add((y, x))
    while stack:
        cy, cx = stack.pop()
        group.append((cy, cx))
        for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
            if 0 <= ny < H and 0 <= nx < W:
                if board[ny][nx] == kind and (ny, nx) not in seen:
                    seen.add((ny, nx))
                    stack.append((ny, nx))
                elif board[ny][nx] != kind:
                    border.add(board[ny][nx])
    return group, border


points = {"X": 0, "O": 0}
seen: set[tuple[int, int]] = set()
for y in range(H):
    for x in range(W):
        if (y, x) in seen:
            continue
        group, border = flood(y, x, seen)
        kind = board[y][x]
        if kind == ".":
            if len(border) == 1:
                points[border.pop()] += len(group)
        elif "." in border:
            points[kind] += len(group)
        else:
            points["O" if kind == "X" else "X"] += len(group)
margin = points["X"] - points["O"]
answer = "draw" if margin == 0 else f"{'X' if margin > 0 else 'O'} {abs(margin)}"
Path("submission.txt").write_text(answer + "\n")
print(points, answer)
