"""Reference solution: six-frame scan. In each frame, walk codon by codon; the first ATG after
the previous in-frame stop (or the frame's start) opens an ORF, the next stop closes it; keep it
when it spans at least 300 nt including the stop. Reverse-strand coordinates are mapped back to
the forward strand."""

from pathlib import Path

STOPS = {"TAA", "TAG", "TGA"}
BASES = "TCAG"
AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODE = {
    a + b + c: AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(BASES)
    for j, b in enumerate(BASES)
    for k, c in enumerate(BASES)
}

lines = Path("fragment.fasta").read_text().splitlines()
seq = "".join(line.strip().upper() for line in lines if not line.startswith(">"))
n = len(seq)
rc = seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]
out = ["strand\tstart\tend\tprotein"]
for strand, s in (("+", seq), ("-", rc)):
    for frame in range(3):
        start = None
        for i in range(frame, n - 2, 3):
            codon = s[i : i + 3]
            if codon in STOPS:
                if start is not None and i + 3 - start >= 300:
                    protein = "".join(CODE[s[j : j + 3]] for j in range(start, i, 3))
                    lo, hi = (start + 1, i + 3) if strand == "+" else (n - i - 2, n - start)
                    out.append(f"{strand}\t{lo}\t{hi}\t{protein}")
                start = None
            elif codon == "ATG" and start is None:
                start = i
Path("orfs.tsv").write_text("\n".join(out) + "\n")
