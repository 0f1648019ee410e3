"""Checks on pictures clinicians upload: real JPEG, PNG or WebP content, a sensible size.

Why: an upload is served back to patients from our own origin. A file that is not really a
picture (an SVG with script, HTML named .jpg, a polyglot) or a huge or decompression-bomb image
must never get that far. The file's bytes decide what it is, not its name or the browser's word,
and the name's extension must agree with the bytes (the extension sets the Content-Type it is
served with).
"""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
MAX_PIXELS = MAX_SIDE * MAX_SIDE
# Pillow format name -> the extensions a file of that format may have.
ALLOWED_FORMATS = {
    "JPEG": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "WEBP": {".webp"},
}
ALLOWED_EXTENSIONS = set().union(*ALLOWED_FORMATS.values())


def validate_image_upload(file) -> None:
    """Raise ValidationError (with a message a clinician can act on) unless `file` is a JPEG,
    PNG or WebP picture of at most 5 MB and 6000 pixels a side, with a matching extension."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The picture is %(mb).1f MB. Use one of 5 MB or less.") % {"mb": size / 1_048_576}
        )
    extension = PurePath(getattr(file, "name", "") or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP picture (.jpg, .png or .webp)."))

    file.seek(0)
    try:
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if image_format in ALLOWED_FORMATS and width * height <= MAX_PIXELS:
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(
            _("This file is not a picture we can use. Upload a JPEG, PNG or WebP picture.")
        ) from exc
    finally:
        file.seek(0)

    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Only JPEG, PNG or WebP pictures can be used (this file is %(format)s).")
            % {"format": image_format or _("an unknown type")}
        )
    if extension not in ALLOWED_FORMATS[image_format]:
        raise ValidationError(
            _("The file name ends in %(ext)s but the picture is a %(format)s. Rename it to match.")
            % {"ext": extension, "format": image_format}
        )
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValidationError(
            _("The picture is %(w)s × %(h)s pixels. Make it at most %(max)s pixels on each side.")
            % {"w": width, "h": height, "max": MAX_SIDE}
        )


# -- what is stored: metadata stripped, resized renditions -------------------------------------
# A phone photo carries EXIF: the camera, the time and often the GPS position of the clinic or
# of the patient's home. Every stored picture is re-encoded from its pixels only, so none of
# that reaches the server's disk or a patient's browser.
RENDITION_WIDTHS = (480, 960)
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85, "method": 4},
}


def _encode(image, image_format: str) -> bytes:
    import io

    buffer = io.BytesIO()
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image_format in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    # Only pixels are written: no exif=, no pnginfo=, and nothing carried over from the
    # original's info (Pillow re-writes a JPEG comment, XMP or PNG text from it) except a
    # palette's transparency.
    image = image.copy()
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    image.save(buffer, image_format, **SAVE_OPTIONS[image_format])
    return buffer.getvalue()


def without_metadata(file) -> tuple[bytes, str]:
    """The picture in `file` re-encoded without EXIF, GPS, XMP or text chunks, turned upright
    first (the EXIF orientation is applied to the pixels, since the tag itself goes).
    Returns the bytes and the Pillow format. Call after validate_image_upload."""
    from PIL import Image, ImageOps

    file.seek(0)
    with Image.open(file) as opened:
        image_format = opened.format
        image = ImageOps.exif_transpose(opened)
        image.load()
    file.seek(0)
    return _encode(image, image_format), image_format


def renditions(data: bytes) -> dict[int, bytes]:
    """Smaller copies for the page, one per width in RENDITION_WIDTHS narrower than the picture."""
    import io

    from PIL import Image

    result = {}
    with Image.open(io.BytesIO(data)) as image:
        image_format = image.format
        image.load()
        for width in RENDITION_WIDTHS:
            if image.width <= width:
                continue
            height = max(1, round(image.height * width / image.width))
            result[width] = _encode(image.resize((width, height), Image.LANCZOS), image_format)
    return result


# -- holding an upload while the rest of the form is corrected ---------------------------------
# A browser never re-fills a file input, so a picture chosen on a form that comes back with an
# error elsewhere would be lost. Its clean copy waits in shared storage (every app server sees
# it) under a random name with a ".held" extension (neither the media view nor the proxy serve
# that), referred to by a signed token in a hidden field.
HOLDING_DIR = "holding"
HOLD_MAX_AGE = 24 * 60 * 60
_HOLD_SALT = "conditions.uploads.hold"


def hold(data: bytes, name: str) -> str:
    """Keep `data` (a clean picture called `name`) for a day; returns the token to post back."""
    import secrets

    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    _forget_old_holds()
    stored = default_storage.save(f"{HOLDING_DIR}/{secrets.token_hex(16)}.held", ContentFile(data))
    return signing.dumps({"path": stored, "name": PurePath(name).name}, salt=_HOLD_SALT)


def held(token: str):
    """The (name, bytes) a token refers to, or None when it is forged, expired or gone."""
    from django.core import signing
    from django.core.files.storage import default_storage

    try:
        value = signing.loads(token, salt=_HOLD_SALT, max_age=HOLD_MAX_AGE)
        path = value["path"]
        if not path.startswith(f"{HOLDING_DIR}/") or ".." in path:
            return None
        with default_storage.open(path, "rb") as file:
            return value["name"], file.read()
    except (signing.BadSignature, KeyError, TypeError, OSError):
        return None


def release(token: str) -> None:
    from django.core import signing
    from django.core.files.storage import default_storage

    try:
        path = signing.loads(token, salt=_HOLD_SALT)["path"]
    except (signing.BadSignature, KeyError, TypeError):
        return
    if path.startswith(f"{HOLDING_DIR}/") and ".." not in path:
        default_storage.delete(path)


def _forget_old_holds() -> None:
    import datetime

    from django.core.files.storage import default_storage
    from django.utils import timezone

    try:
        _dirs, files = default_storage.listdir(HOLDING_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - datetime.timedelta(seconds=HOLD_MAX_AGE)
    for name in files:
        path = f"{HOLDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
