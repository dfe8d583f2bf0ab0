"""The manual-memory heap the SPK reader was ported onto (it mirrors the C library it came
from, allocator included, so the port behaves byte for byte like the original).

Like C's malloc, nothing here checks that an access stays inside an allocation: addresses are
offsets into one arena, malloc does not clear memory and reuses freed blocks first, and free
trusts its argument. Only an access outside the arena itself fails (IndexError, the
equivalent of a segmentation fault)."""

ARENA_BYTES = 1 << 22


class Heap:
    def __init__(self, size=ARENA_BYTES):
        self.mem = bytearray(size)
        self.top = 16  # address 0 is never handed out
        self.sizes = {}
        self.free_list = []

    def malloc(self, n):
        n = max(1, int(n))
        for i, (addr, size) in enumerate(self.free_list):
            if size >= n:
                del self.free_list[i]
                self.sizes[addr] = size
                return addr
        addr = self.top
        self.top += (n + 15) & ~15
        if self.top > len(self.mem):
            raise MemoryError("arena exhausted")
        self.sizes[addr] = n
        return addr

    def calloc(self, n):
        addr = self.malloc(n)
        self.memset(addr, 0, max(1, int(n)))
        return addr

    def free(self, addr):
        self.free_list.append((addr, self.sizes.get(addr, 16)))

    def _check(self, addr, n):
        if addr < 0 or addr + n > len(self.mem):
            raise IndexError(f"access outside the arena at {addr:#x}")

    def load8(self, addr):
        self._check(addr, 1)
        return self.mem[addr]

    def load16(self, addr):
        self._check(addr, 2)
        return self.mem[addr] | self.mem[addr + 1] << 8

    def load32(self, addr):
        self._check(addr, 4)
        return int.from_bytes(self.mem[addr:addr + 4], "little")

    def store8(self, addr, value):
        self._check(addr, 1)
        self.mem[addr] = value & 0xFF

    def store16(self, addr, value):
        self._check(addr, 2)
        self.mem[addr:addr + 2] = (value & 0xFFFF).to_bytes(2, "little")

    def store32(self, addr, value):
        self._check(addr, 4)
        self.mem[addr:addr + 4] = (value & 0xFFFFFFFF).to_bytes(4, "little")

    def read(self, addr, n):
        self._check(addr, n)
        return bytes(self.mem[addr:addr + n])

    def write(self, addr, data):
        self._check(addr, len(data))
        self.mem[addr:addr + len(data)] = data

    def memcpy(self, dst, src, n):
        self.write(dst, self.read(src, n))

    def memset(self, dst, value, n):
        self.write(dst, bytes([value & 0xFF]) * n)
