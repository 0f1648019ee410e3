"""The one review workflow shared by articles, treatment comparisons and questionnaires.

Status vocabulary, the rules for publishing and the optimistic-concurrency version live
here, so the admin, the importer and the demo loader cannot skip them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """The only way patient views reach content."""
        return self.filter(status=Status.PUBLISHED)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.published().filter(next_review_due__lt=today)

    def due_for_review(self, within_days: int | None = None, today: datetime.date | None = None):
        """Published items whose review is overdue or due within `within_days` days."""
        today = today or timezone.localdate()
        days = settings.REVIEW_DUE_SOON_DAYS if within_days is None else within_days
        return self.published().filter(next_review_due__lte=today + datetime.timedelta(days=days))


class Reviewable(models.Model):
    """Abstract base: author, clinical reviewer, status, review dates, edit version."""

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinical reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The named clinician who checked this content."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every save; a stale edit is refused.")
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    # -- status helpers -------------------------------------------------------------------
    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_overdue(self) -> bool:
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    def reviewer_name(self) -> str:
        if not self.reviewer_id:
            return ""
        return self.reviewer.get_full_name() or self.reviewer.get_username()

    # -- rules ----------------------------------------------------------------------------
    def publish_problems(self) -> list[str]:
        """Everything that stops this item being published, in plain words (empty: fine)."""
        problems = []
        if not self.reviewer_id:
            problems.append(str(_("Choose the clinical reviewer.")))
        if not self.last_reviewed:
            problems.append(str(_("Enter the date it was last reviewed.")))
        if not self.next_review_due:
            problems.append(str(_("Enter the date the next review is due.")))
        elif self.last_reviewed and self.next_review_due <= self.last_reviewed:
            problems.append(str(_("The next review date must be after the last review date.")))
        return problems

    def clean(self):
        super().clean()
        if self.status == Status.PUBLISHED and self.pk:
            problems = self.publish_problems()
            if problems:
                raise ValidationError(problems)

    # -- workflow (the admin calls these) --------------------------------------------------
    def submit_for_review(self, by=None) -> None:
        if self.status not in (Status.DRAFT, Status.ARCHIVED):
            raise ValidationError(_("Only drafts can be submitted for review."))
        self.status = Status.IN_REVIEW
        if by is not None and not self.author_id:
            self.author = by
        self.save()

    def publish(self, by=None) -> None:
        """Publish; refuses with every missing item listed. `by` becomes the reviewer if unset."""
        if by is not None and not self.reviewer_id:
            self.reviewer = by
        problems = self.publish_problems()
        if problems:
            raise ValidationError(problems)
        self.status = Status.PUBLISHED
        if not self.published_at:
            self.published_at = timezone.now()
        self.save()

    def unpublish(self, by=None) -> None:
        self.status = Status.DRAFT
        self.save()

    def archive(self, by=None) -> None:
        self.status = Status.ARCHIVED
        self.save()
