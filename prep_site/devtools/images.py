"""Real PNG images made in code, for tests and benchmarks."""

import random
import struct
import zlib


def png(*, size: int = 0) -> bytes:
    """A real PNG: one pixel, or about ``size`` bytes of noise that does not
    compress (so that a package holding it is as large)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    width, height = (1024, max(1, size // 3072)) if size else (1, 1)
    noise = random.Random(size)
    rows = b"".join(b"\x00" + noise.randbytes(3 * width) for _ in range(height)) if size else None
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(rows, level=0) if size else zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
