"""Reference solution: reassemble the TCP stream by sequence number (duplicates and overlaps
written into one buffer), then walk the frames, checking Fletcher-16 and skipping bad frames by
their declared length, up to BYE."""

import json
from pathlib import Path

buf: dict[int, int] = {}
for line in Path("segments.txt").read_text().splitlines():
    if line.startswith("#") or not line.strip():
        continue
    _, seq, _, data = line.split()
    for i, byte in enumerate(bytes.fromhex(data)):
        buf[int(seq) + i] = byte
start = min(buf)
stream = bytes(buf[start + i] for i in range(len(buf)))
assert max(buf) - start + 1 == len(buf), "hole in the stream"


def fletcher16(data: bytes) -> int:
    a = b = 0
    for byte in data:
        a = (a + byte) % 255
        b = (b + a) % 255
    return b << 8 | a


ans = {"device_name": None, "readings_frames": 0, "discarded_frames": 0}
s7, cal, last = 0, [], None
pos = 0
while pos < len(stream):
    assert stream[pos : pos + 2] == b"\x5a\xa5"
    ftype, n = stream[pos + 3], int.from_bytes(stream[pos + 4 : pos + 6], "big")
    body = stream[pos + 8 : pos + 8 + n]
    ok = fletcher16(stream[pos : pos + 8 + n]) == int.from_bytes(stream[pos + 8 + n : pos + 10 + n], "big")
    pos += 10 + n
    if not ok:
        ans["discarded_frames"] += 1
        continue
    if ftype == 1:
        ans["device_name"] = body[5 : 5 + body[4]].decode()
    elif ftype == 2:
        ans["readings_frames"] += 1
        for k in range(body[4]):
            s, _, v, fl = body[5 + 5 * k], body[6 + 5 * k], body[7 + 5 * k : 9 + 5 * k], body[9 + 5 * k]
            value = int.from_bytes(v, "big", signed=True)
            if fl & 0x80:
                continue
            if s == 7:
                s7 += value
            if fl & 2 and not fl & 1:
                cal.append(value)
    elif ftype == 3:
        last = body[:2].hex().upper()
    elif ftype == 0x7F:
        break
ans.update(sensor_7_sum=f"{s7 / 100:.2f}", calibrated_max=f"{max(cal) / 100:.2f}", last_event_code=last)
Path("submission.txt").write_text(json.dumps(ans) + "\n")
