"""Per-screen settings for the waiting-room kiosk."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from conditions.models.articles import Condition
from conditions.models.questionnaires import Questionnaire


class KioskProfile(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    welcome_text = models.TextField(_("welcome text"), blank=True)
    idle_seconds = models.PositiveIntegerField(
        _("idle time before the warning (seconds)"),
        default=90,
        validators=[MinValueValidator(20)],
    )
    warning_seconds = models.PositiveIntegerField(
        _("countdown on the warning (seconds)"),
        default=30,
        validators=[MinValueValidator(20)],
        help_text=_("At least 20 seconds (WCAG 2.2.1)."),
    )
    printer_available = models.BooleanField(_("a printer is attached"), default=False)
    in_use = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_(
            "A screen with no profile of its own shows the first profile in use. A profile "
            "imported from a content pack starts not in use, until someone here turns it on."
        ),
    )
    featured_conditions = models.ManyToManyField(
        Condition, verbose_name=_("featured conditions"), blank=True, related_name="+"
    )
    featured_questionnaires = models.ManyToManyField(
        Questionnaire, verbose_name=_("featured questionnaires"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("kiosk profile")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kiosk_start", args=[self.slug])
