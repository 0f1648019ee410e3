"""The site icons: /favicon.ico and /apple-touch-icon.png answer at the root (browsers ask
whatever the page says), and every page links the icons."""

from __future__ import annotations

import re
import struct

import pytest

from tests.portal.test_security_headers import header_problems

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_favicon_ico_is_a_real_icon_not_a_404(client):
    response = client.get("/favicon.ico", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    data = response.content
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 2
    sizes = []
    for n in range(count):
        width, height, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * n : 22 + 16 * n]
        )
        image = data[offset : offset + length]
        assert len(image) == length
        assert png_size(image) == (width, height)
        sizes.append(width)
    assert {16, 32} <= set(sizes)
    assert "max-age=86400" in response["Cache-Control"]
    assert header_problems(response) == []


def test_the_apple_touch_icon_is_a_180_px_png_at_the_root(client):
    response = client.get("/apple-touch-icon.png", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (180, 180)
    assert header_problems(response) == []


def test_the_icons_answer_head_and_refuse_post(client):
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize("path", ["/", "/kiosk/"])
def test_pages_link_the_icon_and_the_touch_icon(client, path):
    html = client.get(path, follow=True).content.decode()
    for rel, href in [
        ("icon", "/static/icons/favicon.ico"),
        ("icon", "/static/icons/favicon.svg"),
        ("apple-touch-icon", "/static/icons/apple-touch-icon.png"),
    ]:
        assert re.search(rf'<link rel="{rel}" href="{re.escape(href)}"', html), (rel, href)
