"""Many-time pad: for each column pick the keystream byte that makes the column's characters look
most like English text; then fix the few columns covered by few messages from the words."""

from pathlib import Path

lines = [bytes.fromhex(l.split(":")[1]) for l in Path("outbox.txt").read_text().split()]
width = max(map(len, lines))


def weight(c: int) -> float:
    if c == 32:
        return 3.0
    if 97 <= c <= 122:
        return 2.0 if chr(c) in "etaoinshrdlu" else 1.0
    if 65 <= c <= 90:
        return 0.3
    if chr(c) in ".,;:'":
        return 0.2
    return -10.0


key = []
for col in range(width):
    cells = [l[col] for l in lines if len(l) > col]
    key.append(max(range(256), key=lambda k: sum(weight(c ^ k) for c in cells)))
# A person reads two statistically decrypted lines, recognises the sentences and types them in
# full: that pins down every keystream byte (together the two lines cover every column).
CRIBS = {
    1: "The van for the river branch is late again, so Noor brings the alarm codes before noon.",
    9: "Kwame and Noor swap shifts; three parcels go to the airport office after six as planned.",
}
for row, crib in CRIBS.items():
    for col, ch in enumerate(crib.encode()):
        key[col] = lines[row][col] ^ ch
plain = [bytes(c ^ k for c, k in zip(l, key)).decode("latin-1") for l in lines]
Path("plaintexts.txt").write_text("\n".join(plain) + "\n")
