"""What the portal keeps from patients: anonymous feedback, problem reports and counts.

Nothing here can name or follow a patient: no IP address, cookie, session, user agent or time
of day is stored (a date only), free text is scrubbed before it is saved (feedback/scrub.py) and
deleted after 90 days, and counts are only counts (see feedback/counting.py for searches).
Feedback and views are about the item editors work on: the working copy of an article, a
treatment comparison or a questionnaire (its result page), through a generic relation.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 500
FEEDBACK_RETENTION_DAYS = 90
COUNT_RETENTION_MONTHS = 13


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class AboutPage(models.Model):
    """Abstract: which content item (its working copy) a row is about."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class RecentQuerySet(models.QuerySet):
    def expired(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(created__lt=today - datetime.timedelta(days=FEEDBACK_RETENTION_DAYS))


class PageFeedback(AboutPage):
    """One "Was this page helpful?" answer, with the optional note after a "no"."""

    helpful = models.BooleanField(_("helpful"))
    note = models.TextField(
        _("what was missing or wrong"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Scrubbed of email addresses, phone and NHS numbers and dates."),
    )
    created = models.DateField(_("date"), default=timezone.localdate, db_index=True)

    objects = RecentQuerySet.as_manager()

    class Meta:
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created"])]

    def __str__(self) -> str:
        return f"{'Helpful' if self.helpful else 'Not helpful'}: {self.item}"


class ProblemReport(AboutPage):
    """ "Report a problem with this page": a kind, an optional note, and what editors did."""

    class Kind(models.TextChoices):
        WRONG = "wrong", _("Wrong information")
        BROKEN_LINK = "broken_link", _("A broken link")
        HARD = "hard", _("Hard to understand")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACTED_ON = "acted_on", _("Acted on")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(_("problem"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX_LENGTH)
    created = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.NEW, db_index=True
    )
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_at = models.DateTimeField(_("status set at"), null=True, blank=True)

    objects = RecentQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.item}"

    def set_status(self, status: str, by) -> None:
        """An editor decides: acted on or dismissed (or back to new), recorded with who and when."""
        if status not in self.State.values:
            raise ValueError(status)
        self.status = status
        self.status_by = by
        self.status_at = timezone.now()
        self.save(update_fields=["status", "status_by", "status_at"])


class CountQuerySet(models.QuerySet):
    def expired(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(day__lt=months_before(today, COUNT_RETENTION_MONTHS))


class PageViewDay(AboutPage):
    """How many times an item was read on a day (flushed from the cache counters)."""

    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        verbose_name = _("page views on a day")
        verbose_name_plural = _("page views per day")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "day"], name="one_view_count_per_item_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.views} views of {self.item} on {self.day}"


class SearchDay(models.Model):
    """Every search of a day, counted together (rare queries are counted only here)."""

    day = models.DateField(_("day"), unique=True)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    no_results = models.PositiveIntegerField(_("searches with no result"), default=0)
    opened = models.PositiveIntegerField(_("results opened"), default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        verbose_name = _("searches on a day")
        verbose_name_plural = _("searches per day")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.searches} searches on {self.day}"


class SearchTerm(models.Model):
    """A normalised query searched at least k times on one day, with its counts.

    A row appears only when the k-th search of that query on that day is made; until then the
    counts live in the cache under a keyed hash, never as text (feedback/counting.py).
    """

    day = models.DateField(_("day"))
    digest = models.CharField(max_length=64, editable=False)
    query = models.CharField(_("search words (normalised)"), max_length=100)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    no_results = models.PositiveIntegerField(_("with no result"), default=0)
    opened = models.PositiveIntegerField(_("results opened"), default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        verbose_name = _("counted search")
        verbose_name_plural = _("counted searches")
        ordering = ["-day", "-searches"]
        constraints = [
            models.UniqueConstraint(fields=["day", "digest"], name="one_search_count_per_day")
        ]
        indexes = [models.Index(fields=["query", "day"])]

    def __str__(self) -> str:
        return f"{self.query} ({self.day})"
