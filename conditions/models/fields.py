"""Fields that several models declare alike."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def staff_member(verbose_name, *, on_delete=models.PROTECT, **options) -> models.ForeignKey:
    """Who did something to an item (wrote, reviewed, resolved, signed off): optional, and with
    no reverse accessor on the user, since nothing asks a user for what they did."""
    options = {"null": True, "blank": True, **options}
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=on_delete,
        related_name="+",
        **options,
    )


def contributors_field() -> models.ManyToManyField:
    """Everyone who has changed an item since its last approval (kept by the workflow)."""
    return models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed since the last approval by"),
        blank=True,
        editable=False,
        related_name="+",
    )
