#!/usr/bin/env python3
"""Licence checker. Usage: python3 vm.py program.hex "USER NAME" KEY"""
import sys
_T = bytes.fromhex("ffffffffffffffffffffff1100ffffffffffffff05ffffffffffffffff0a19ffffffffffffffffffffffffffffffff14ff04ffffffffffffffffffffffffffffffffffff13ffffff18ffffffffffffffffffffffffffffffffff0bffffffffffff02ffffffffffffffffffffff12ffffffffffffffffffff10ffffffffffffffffffffffffffffffffffffffffffffffffffffff0cffffffffffffffff15ffff0fffffffffffff07ffffff0dffffff01ff0effffffffff03ffffffff09ffffff17ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff16ffff08ffffffffffff06ffffffffffffffffffffffffffffff")
_F = ",rq,rr,rrr,rrr,rrr,rrr,rrr,rrr,rrb,rrb,rrb,rrw,rwr,rrw,rwr,w,rw,rw,w,,r,rrr,rrr,rrd,rrrr".split(",")
def _q(m, a, n):
    return int.from_bytes(m[a:a + n], "little")
def main(img, nm, ky):
    m = bytearray(0x10000)
    b = bytes.fromhex("".join(img.split()))
    m[:len(b)] = b
    u = nm.encode()[:64]; k = ky.encode()[:200]
    m[0xE000:0xE000 + len(u)] = u; m[0xDFF8:0xE000] = len(u).to_bytes(8, "little")
    m[0xE100:0xE100 + len(k)] = k; m[0xE0F8:0xE100] = len(k).to_bytes(8, "little")
    R = [0] * 16; S = []; O = []; p = 0; Z = (1 << 64) - 1; n = 0
    while n < 20000000:
        n += 1
        o = _T[m[p]]; p += 1
        if o == 255:
            raise SystemExit("bad opcode")
        f = _F[o]; v = []
        for c in f:
            if c == "r":
                v.append(m[p] & 15); p += 1
            else:
                w = {"q": 8, "b": 1, "w": 2, "d": 4}[c]; v.append(_q(m, p, w)); p += w
        if o == 0: break
        elif o == 1: R[v[0]] = v[1]
        elif o == 2: R[v[0]] = R[v[1]]
        elif o == 3: R[v[0]] = (R[v[1]] + R[v[2]]) & Z
        elif o == 4: R[v[0]] = (R[v[1]] - R[v[2]]) & Z
        elif o == 5: R[v[0]] = R[v[1]] ^ R[v[2]]
        elif o == 6: R[v[0]] = R[v[1]] & R[v[2]]
        elif o == 7: R[v[0]] = R[v[1]] | R[v[2]]
        elif o == 8: R[v[0]] = (R[v[1]] * R[v[2]]) & Z
        elif o == 9: R[v[0]] = (R[v[1]] << v[2]) & Z
        elif o == 10: R[v[0]] = R[v[1]] >> v[2]
        elif o == 11: s = v[2] & 63; R[v[0]] = ((R[v[1]] << s) | (R[v[1]] >> (64 - s))) & Z
        elif o == 12: R[v[0]] = m[(R[v[1]] + v[2]) & 0xFFFF]
        elif o == 13: m[(R[v[0]] + v[1]) & 0xFFFF] = R[v[2]] & 255
        elif o == 14: a = (R[v[1]] + v[2]) & 0xFFFF; R[v[0]] = _q(m, a, 8)
        elif o == 15: a = (R[v[0]] + v[1]) & 0xFFFF; m[a:a + 8] = R[v[2]].to_bytes(8, "little")
        elif o == 16: p = v[0]
        elif o == 17:
            if R[v[0]] == 0: p = v[1]
        elif o == 18:
            if R[v[0]] != 0: p = v[1]
        elif o == 19: S.append(p); p = v[0]
        elif o == 20: p = S.pop()
        elif o == 21: O.append(chr(R[v[0]] & 255))
        elif o == 22: R[v[0]] = int(R[v[1]] < R[v[2]])
        elif o == 23: R[v[0]] = int(R[v[1]] == R[v[2]])
        elif o == 24: d = v[2] - (1 << 32) if v[2] >> 31 else v[2]; R[v[0]] = (R[v[1]] + d) & Z
        elif o == 25: R[v[0]] = (R[v[1]] * R[v[2]]) % R[v[3]] if R[v[3]] else 0
    sys.stdout.write("".join(O))
if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as fh:
        main(fh.read(), sys.argv[2], sys.argv[3])
