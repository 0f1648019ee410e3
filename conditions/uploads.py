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
