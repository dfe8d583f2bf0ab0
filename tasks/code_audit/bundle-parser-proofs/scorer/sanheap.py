"""The graders' checking heap: the same interface as heap.py, but every access must lie inside
one live allocation (else out-of-bounds-read / out-of-bounds-write / use-after-free), every
byte read must have been written since it was allocated (else uninitialized-read; memcpy copies
the written-or-not state without reporting), free must get a live allocation's address (else
double-free or invalid-free), and freed memory is never reused. More than OP_BUDGET operations
in one parse report endless-loop."""

import bisect

OP_BUDGET = 500_000


class SanitizerError(Exception):
    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


class Heap:
    def __init__(self, size=None):
        self.top = 64
        self.blocks = {}  # addr -> [size, live, initbits bytearray]
        self.starts = []
        self.ops = 0

    def _tick(self):
        self.ops += 1
        if self.ops == OP_BUDGET:  # reported once; the clean-up that follows may still run
            raise SanitizerError("endless-loop")

    def malloc(self, n):
        self._tick()
        n = max(1, int(n))
        addr = self.top
        self.top += n + 64  # a red zone after every block
        self.blocks[addr] = [n, True, bytearray(n)]
        self.starts.append(addr)
        return addr

    def calloc(self, n):
        addr = self.malloc(n)
        self.blocks[addr][2] = bytearray(b"\x01" * self.blocks[addr][0])
        return addr

    def free(self, addr):
        self._tick()
        block = self.blocks.get(addr)
        if block is None:
            raise SanitizerError("invalid-free")
        if not block[1]:
            raise SanitizerError("double-free")
        block[1] = False

    def _find(self, addr, n, write):
        self._tick()
        i = bisect.bisect_right(self.starts, addr) - 1
        if i >= 0:
            start = self.starts[i]
            block = self.blocks[start]
            if addr + n <= start + block[0]:
                if not block[1]:
                    raise SanitizerError("use-after-free")
                return block, addr - start
            if addr < start + block[0] and not block[1]:
                raise SanitizerError("use-after-free")
        raise SanitizerError("out-of-bounds-write" if write else "out-of-bounds-read")

    def _get(self, addr, n):
        block, off = self._find(addr, n, False)
        if 0 in block[2][off:off + n]:
            raise SanitizerError("uninitialized-read")
        return block, off

    def _put(self, addr, data):
        block, off = self._find(addr, len(data), True)
        block[2][off:off + len(data)] = b"\x01" * len(data)
        block_data = self._data(block)
        block_data[off:off + len(data)] = data

    def _data(self, block):
        if len(block) < 4:
            block.append(bytearray(block[0]))
        return block[3]

    def load8(self, addr):
        block, off = self._get(addr, 1)
        return self._data(block)[off]

    def load16(self, addr):
        block, off = self._get(addr, 2)
        return int.from_bytes(self._data(block)[off:off + 2], "little")

    def load32(self, addr):
        block, off = self._get(addr, 4)
        return int.from_bytes(self._data(block)[off:off + 4], "little")

    def store8(self, addr, value):
        self._put(addr, bytes([value & 0xFF]))

    def store16(self, addr, value):
        self._put(addr, (value & 0xFFFF).to_bytes(2, "little"))

    def store32(self, addr, value):
        self._put(addr, (value & 0xFFFFFFFF).to_bytes(4, "little"))

    def read(self, addr, n):
        if n == 0:
            return b""
        block, off = self._get(addr, n)
        return bytes(self._data(block)[off:off + n])

    def write(self, addr, data):
        if data:
            self._put(addr, bytes(data))

    def memcpy(self, dst, src, n):
        if n <= 0:
            return
        sblock, soff = self._find(src, n, False)
        data = bytes(self._data(sblock)[soff:soff + n])
        init = bytes(sblock[2][soff:soff + n])
        dblock, doff = self._find(dst, n, True)
        self._data(dblock)[doff:doff + n] = data
        dblock[2][doff:doff + n] = init

    def memset(self, dst, value, n):
        if n > 0:
            self._put(dst, bytes([value & 0xFF]) * n)
