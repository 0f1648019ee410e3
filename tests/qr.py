"""Decode the QR codes our pages draw, to check where they really lead.

The SVG that segno draws is one path of horizontal runs ("M4 4.5h7m2 0h1..."); it is turned back
into a module grid, rendered as an image and read by zxing-cpp, an independent decoder.
"""

from __future__ import annotations

import re

import zxingcpp
from PIL import Image

_SVG = re.compile(r'<svg\b[^>]*viewBox="0 0 (\d+) (\d+)"[^>]*>.*?</svg>', re.S)
_DARK_PATH = re.compile(r'<path\b[^>]*stroke="#000"[^>]*\bd="([^"]+)"')
_TOKEN = re.compile(r"([MmHhVv])\s*(-?[\d.]+)(?:[ ,]+(-?[\d.]+))?")


def svg_modules(svg: str) -> list[list[bool]]:
    match = _SVG.search(svg)
    assert match, "no QR code SVG found"
    width, height = int(match.group(1)), int(match.group(2))
    grid = [[False] * width for _ in range(height)]
    path = _DARK_PATH.search(match.group(0))
    assert path, "QR code SVG has no dark path"
    x = y = 0.0
    for command, a, b in _TOKEN.findall(path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command in "hH":
            end = x + float(a) if command == "h" else float(a)
            for column in range(int(round(min(x, end))), int(round(max(x, end)))):
                grid[int(y)][column] = True
            x = end
        else:
            raise AssertionError(f"unexpected path command {command}")
    return grid


def decode_svg_qr(svg: str, scale: int = 8) -> str:
    """The text a phone would read from the first QR code SVG in `svg`."""
    grid = svg_modules(svg)
    size = len(grid)
    image = Image.new("L", (size * scale, size * scale), 255)
    pixels = image.load()
    for row, cells in enumerate(grid):
        for column, dark in enumerate(cells):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[column * scale + dx, row * scale + dy] = 0
    results = zxingcpp.read_barcodes(image)
    assert results, "the QR code could not be decoded"
    return results[0].text


def decode_png_qr(png: bytes) -> str:
    """The text in a screenshot of a QR code."""
    import io

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "the QR code in the screenshot could not be decoded"
    return results[0].text
