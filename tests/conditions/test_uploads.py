"""Pictures clinicians upload: the bytes must be a JPEG, PNG or WebP of sensible size."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conditions.uploads import MAX_BYTES, MAX_SIDE, validate_image_upload


def picture(fmt: str, size=(4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(buffer, fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")  # the browser's word


def refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        validate_image_upload(upload(name, content))
    return " ".join(error.value.messages)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims another size (a decompression bomb's trick)."""
    data = bytearray(picture("PNG", (1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.jpg", "JPEG"), ("a.JPEG", "JPEG"), ("a.png", "PNG"), ("a.webp", "WEBP")]
)
def test_real_jpeg_png_and_webp_pictures_are_accepted(name, fmt):
    file = upload(name, picture(fmt))
    validate_image_upload(file)
    assert file.tell() == 0  # left ready to be saved


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "draw.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "Upload a JPEG, PNG or WebP picture",
        ),
        ("page.jpg", b"<html><script>alert(1)</script></html>", "not a picture we can use"),
        ("script.png", b"<script>alert(document.cookie)</script>", "not a picture we can use"),
        ("empty.png", b"", "not a picture we can use"),
        ("cut-short.png", picture("PNG", (40, 40))[:60], "not a picture we can use"),
        ("anim.gif", picture("GIF"), "Upload a JPEG, PNG or WebP picture"),
        ("anim.png", picture("GIF"), "this file is GIF"),
        ("bitmap.jpg", picture("BMP"), "this file is BMP"),
        ("photo.png", picture("JPEG"), "ends in .png but the picture is a JPEG"),
        ("no-extension", picture("PNG"), "Upload a JPEG, PNG or WebP picture"),
        ("wide.png", picture("PNG", (MAX_SIDE + 1, 1)), "at most 6000 pixels"),
        ("bomb.png", png_claiming(7000, 7000), "at most 6000 pixels"),
        ("huge-bomb.png", png_claiming(40000, 40000), "not a picture we can use"),
    ],
)
def test_anything_else_is_refused_with_a_message_saying_what_to_do(name, content, message):
    assert message in refused(name, content)


def test_a_file_over_5_mb_is_refused_before_it_is_even_opened():
    content = picture("PNG") + b"\0" * MAX_BYTES
    assert "Use one of 5 MB or less" in refused("big.png", content)


@pytest.mark.django_db
def test_the_article_picture_form_runs_the_checks_and_keeps_nothing_refused(settings, tmp_path):
    from conditions.models import ConditionImage
    from tests.factories import ConditionFactory

    settings.MEDIA_ROOT = tmp_path
    condition = ConditionFactory()
    bad = ConditionImage(
        condition=condition, image=upload("page.jpg", b"<html></html>"), alt_text="A spot"
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "image" in error.value.message_dict
    good = ConditionImage(
        condition=condition,
        image=upload("spot.png", picture("PNG")),
        alt_text="A spot",
        origin=ConditionImage.Origin.ILLUSTRATION,
        skin_tone=ConditionImage.SkinTone.NOT_SKIN,
        credit="Drawn for this clinic",
    )
    good.full_clean()
    good.save()
    assert (tmp_path / good.image.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.rglob("page*")) == []
