"""Check a main-window screenshot taken by an installed taskboard: a real window, lights lit.

    python packaging/check_screenshot.py shot.png

Exits 0 when the PNG is a main window of plausible size that shows all three light colours
and Chinese text (many dark pixels in the table), 1 otherwise. Uses only the standard library,
so it runs on any Python 3 beside the installed program.
"""
from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

LIGHTS = {"绿灯": (0x1F, 0x9D, 0x55), "蓝灯": (0x2B, 0x6C, 0xD4), "红灯": (0xD9, 0x36, 0x36)}


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered RGB(A) rows of an 8-bit truecolour PNG."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unexpected PNG format (depth {depth}, colour type {colour})")
    bpp = 4 if colour == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    if bpp == 4:  # keep RGB, drop alpha
        rows = [bytes(b for i, b in enumerate(r) if i % 4 != 3) for r in rows]
    return width, height, rows


def check(path: Path) -> list[str]:
    width, height, rows = read_png(path)
    problems = []
    if width < 800 or height < 500:
        problems.append(f"window too small: {width}×{height}")
    counts = {word: 0 for word in LIGHTS}
    dark = 0
    for row in rows:
        for i in range(0, len(row), 3):
            px = row[i:i + 3]
            if max(px) < 90:
                dark += 1
            for word, colour in LIGHTS.items():
                if all(abs(px[k] - colour[k]) <= 12 for k in range(3)):
                    counts[word] += 1
    for word, n in counts.items():
        if n < 20:
            problems.append(f"{word} not visible ({n} pixels)")
    if dark < 2000:
        problems.append(f"almost no text drawn ({dark} dark pixels)")
    return problems


def main(argv: list[str]) -> int:
    problems = check(Path(argv[1]))
    for p in problems:
        print(f"screenshot: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
