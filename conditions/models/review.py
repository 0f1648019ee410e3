"""The one editorial workflow shared by articles, treatment comparisons and questionnaires.

Mechanism: a working copy and a live copy of every item, in the same table.
- The working copy (`is_live=False`) is what the admin lists and edits, with all its parts
  (sections, rows, questions, outcomes ...). Every edit, by anyone, lands here.
- The live copy (`is_live=True`) is what patients see. Only `publish()` writes it: it copies
  the working copy and its parts over the live copy in one transaction. Patient views reach
  content only through `published()`, which returns live copies.
Why a working copy rather than Wagtail-style serialised revisions: the clinicians edit through
the Django admin with inlines, which saves model rows directly; a working copy lets the admin
work unchanged while no saved row is ever one a patient sees. Approved versions are kept as
JSON snapshots (ReviewEvent) for the history and for reverting, which makes a new draft.

The state machine (states, transitions, who may do each, the publish rules, the review
interval, the version check) is written here once; the admin base (conditions/admin/review.py)
only calls it.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conditions.models.fields import contributors_field, staff_member

PUBLISH_PERMISSION = "conditions.publish_condition"
# Accounts that exist only to show the portal (the demo loader's). What they approve is
# labelled "example content, awaiting this clinic's review" on patient pages.
EXAMPLE_ACCOUNTS_GROUP = "Example accounts"
REVIEW_INTERVAL_DAYS = 365  # the editorial statement promises a review every 12 months


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


def can_review(user) -> bool:
    """Clinical reviewers (the publish permission) approve, send back, take offline, archive."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def person_name(user) -> str:
    """How a member of staff is named on pages, in the admin and in messages."""
    return user.get_full_name() or user.get_username()


def second_reviewer_required() -> bool:
    return getattr(settings, "PORTAL_SECOND_REVIEWER", True)


def latest_review_due(last_reviewed: datetime.date) -> datetime.date:
    """The latest allowed next-review date: 12 months after the last review."""
    try:
        return last_reviewed.replace(year=last_reviewed.year + 1)
    except ValueError:  # 29 February
        return last_reviewed + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)


def review_date_problems(last_reviewed, next_review_due, today=None) -> dict[str, str]:
    """The review-date rules, by field: last reviewed never in the future; next review after
    it and at most 12 months later."""
    today = today or timezone.localdate()
    problems = {}
    if last_reviewed and last_reviewed > today:
        problems["last_reviewed"] = gettext("The last review date cannot be in the future.")
    if last_reviewed and next_review_due:
        if next_review_due <= last_reviewed:
            problems["next_review_due"] = gettext(
                "The next review date must be after the last review date."
            )
        elif next_review_due > latest_review_due(last_reviewed):
            problems["next_review_due"] = gettext(
                "Set the next review within 12 months of the last review."
            )
    return problems


# -- parts: what an item's graph holds -------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """A kind of row that belongs to an item: `parent` is its FK to the item or to an earlier
    part; `path` is the lookup from the row to the item (e.g. "question__questionnaire")."""

    model: type
    parent: str
    path: str
    label: str = ""


class ReviewPart(models.Model):
    """Abstract base for the rows an item owns. On a live copy, `source` names the working
    copy's row it was copied from, so publishing updates rows in place (keeping their ids, and
    so the links to them) instead of recreating them."""

    source = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


def _json_value(field, obj):
    value = field.value_from_object(obj)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "name") and isinstance(field, models.FileField):
        return value.name or ""
    return value


def _display_value(field, obj) -> str:
    """A field's value as a person reads it (choices by label, links by name)."""
    if field.is_relation and (field.many_to_one or field.one_to_one):
        target = getattr(obj, field.name)
        return "" if target is None else str(target)
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    value = field.value_from_object(obj)
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, models.FileField):
        return value.name or ""
    return str(value)


# -- the queryset ----------------------------------------------------------------------------
class ReviewQuerySet(models.QuerySet):
    def published(self):
        """The only way patient views reach content: live copies that are online."""
        return self.filter(is_live=True, status=Status.PUBLISHED)

    def working_copies(self):
        """What the editors list and change (never shown to patients)."""
        return self.filter(is_live=False)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.published().filter(next_review_due__lt=today)

    def due_for_review(self, within_days: int | None = None, today: datetime.date | None = None):
        """Published items whose review is overdue or due within `within_days` days."""
        today = today or timezone.localdate()
        days = settings.REVIEW_DUE_SOON_DAYS if within_days is None else within_days
        return self.published().filter(next_review_due__lte=today + datetime.timedelta(days=days))


class WorkingCopyManager(models.Manager):
    """`Model.objects`: the working copies, what editors and scripts mean by "the article".
    `published()` (and the review-date filters built on it) reach the live copies instead:
    the patient views' only door. `Model.all_copies` (the default manager) holds both."""

    def get_queryset(self):
        return super().get_queryset().filter(is_live=False)

    def _all(self):
        return self.model.all_copies.all()

    def published(self):
        return self._all().published()

    def overdue(self, today=None):
        return self._all().overdue(today=today)

    def due_for_review(self, within_days=None, today=None):
        return self._all().due_for_review(within_days=within_days, today=today)


# -- the workflow both an item and a translation of one follow -------------------------------
class VersionedOnSave:
    """A model whose `version` rises on every save, so that an edit made from an older version
    is refused (conditions/admin/review.py VersionedForm)."""

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)


class ReviewWorkflow(VersionedOnSave):
    """The steps a content item and a translation of one share: a version raised on every
    save, edits that make a draft, submit, the approval rules, send back, the history. Each
    says in `approval_words()` how its approval problems read, in `REOPENED_BY_EDIT` which
    states an edit makes a draft again, and in `was_approved()` whether it has been approved
    before."""

    REOPENED_BY_EDIT: tuple = (Status.PUBLISHED,)

    def reviewer_name(self) -> str:
        return person_name(self.reviewer) if self.reviewer_id else ""

    def was_approved(self) -> bool:
        raise NotImplementedError

    def changed_by(self) -> set[int]:
        """Who changed this draft since it was last approved (the author, before the first)."""
        people = set(self.contributors.values_list("pk", flat=True)) if self.pk else set()
        if not self.was_approved() and self.author_id:
            people.add(self.author_id)
        return people

    def record_change(self, by=None) -> None:
        """Save an edit: a draft again when its status is one of `REOPENED_BY_EDIT`, with `by`
        among those who changed it since its approval."""
        if self.status in self.REOPENED_BY_EDIT:
            self.status = Status.DRAFT
        self.save()
        if by is not None and getattr(by, "pk", None):
            self.contributors.add(by)

    def submit_for_review(self, by=None) -> None:
        """Send the draft for review; the one who submits it becomes its author if it has
        none."""
        if self.status != Status.DRAFT:
            raise ValidationError(gettext("Only a draft with changes can be submitted for review."))
        self.status = Status.IN_REVIEW
        if by is not None and not self.author_id:
            self.author = by
        self.save()
        self.log(ReviewEvent.Action.SUBMITTED, by)

    def approval_words(self) -> dict[str, str]:
        """The approval problems in this kind's own words: `unchecked`, `changed`,
        `own_change`."""
        raise NotImplementedError

    def approval_problems(self, by, attested: bool, seen_version: int | None) -> list[str]:
        """Why `by` may not approve this now: the shared rules, then its own publish
        problems."""
        words = self.approval_words()
        problems = []
        if self.status not in (Status.DRAFT, Status.IN_REVIEW):
            problems.append(gettext("There are no changes to approve."))
        if not attested:
            problems.append(words["unchecked"])
        if seen_version is not None and seen_version != self.version:
            problems.append(words["changed"])
        if second_reviewer_required() and by is not None and by.pk in self.changed_by():
            problems.append(words["own_change"])
        return problems + self.publish_problems()

    def lock_for_approval(self, rows, by, attested: bool, seen_version: int | None) -> None:
        """Inside the approval's transaction: lock this row in `rows` (a save or a second
        approval waits until this one is done), read it again, and refuse with every reason it
        may not be approved."""
        rows.select_for_update().filter(pk=self.pk).exists()
        self.refresh_from_db()
        problems = self.approval_problems(by, attested, seen_version)
        if problems:
            raise ValidationError(problems)

    def send_back(self, by, comment: str) -> None:
        """A reviewer returns a draft in review to its author, saying what needs changing."""
        if not can_review(by):
            raise PermissionDenied
        if not (comment or "").strip():
            raise ValidationError(gettext("Say what needs changing."))
        if self.status != Status.IN_REVIEW:
            raise ValidationError(gettext("Only a draft in review can be sent back."))
        self.status = Status.DRAFT
        self.save()
        self.log(ReviewEvent.Action.SENT_BACK, by, comment=comment)

    def log(self, action, by, comment: str = "", snapshot=None) -> ReviewEvent:
        """One line of this item's review history."""
        return ReviewEvent.objects.create(
            content_type=ContentType.objects.get_for_model(self),
            object_id=self.pk,
            action=action,
            by=by if getattr(by, "pk", None) else None,
            comment=comment,
            snapshot=snapshot,
        )


# -- the item --------------------------------------------------------------------------------
class Reviewable(ReviewWorkflow, models.Model):
    """Abstract base: the working copy / live copy pair, its workflow state and review dates."""

    # Fields that describe the workflow, not the content: never compared or restored.
    WORKFLOW_FIELDS = frozenset(
        {
            "id",
            "is_live",
            "live",
            "status",
            "author",
            "reviewer",
            "last_reviewed",
            "next_review_due",
            "published_at",
            "updated_at",
            "version",
            "self_reviewed",
            "is_example",
            "provenance",
        }
    )
    # Derived from the content on save: copied to the live copy, never compared.
    DERIVED_FIELDS: frozenset = frozenset()
    # Fields unique among working copies (and among live copies).
    UNIQUE_FIELDS: tuple = ()
    REOPENED_BY_EDIT = (Status.PUBLISHED, Status.ARCHIVED)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    is_live = models.BooleanField(_("live copy"), default=False, editable=False, db_index=True)
    live = models.OneToOneField(
        "self",
        verbose_name=_("live copy"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="working_copy",
    )
    author = staff_member(_("author"))
    reviewer = staff_member(
        _("clinical reviewer"),
        editable=False,
        help_text=_("The clinician who approved the live version."),
    )
    contributors = contributors_field()
    self_reviewed = models.BooleanField(
        _("approved by its own author"),
        default=False,
        editable=False,
        help_text=_("Only possible where the clinic has turned off the second-reviewer rule."),
    )
    is_example = models.BooleanField(
        _("example content"),
        default=False,
        editable=False,
        help_text=_("Demonstration content, awaiting this clinic's own review."),
    )
    # Brought in from another clinic's content pack (conditions/packs): that clinic's review, kept
    # as where the text came from. It is not this clinic's review: patients never see it.
    # Nullable with no default, so that on SQLite the column is added in place: remaking the
    # table would drop the search index's triggers on conditions_condition.
    provenance = models.JSONField(
        _("reviewed elsewhere (provenance)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The source clinic's review of an imported item: not this clinic's review, and "
            "never shown to patients."
        ),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True, editable=False)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every save; a stale edit is refused.")
    )

    all_copies = ReviewQuerySet.as_manager()  # first: the default manager (relations, admin)
    objects = WorkingCopyManager.from_queryset(ReviewQuerySet)()

    class Meta:
        abstract = True

    # -- the graph: subclasses name their parts and their links to other items -------------
    @classmethod
    def review_parts(cls) -> list[Part]:
        return []

    # -- status ------------------------------------------------------------------------------
    @property
    def is_published(self) -> bool:
        """Patients can see this item (for a working copy: its live copy is online)."""
        if self.is_live:
            return self.status == Status.PUBLISHED
        return self.live_id is not None and self.live.status == Status.PUBLISHED

    def status_label(self) -> str:
        """One phrase for the editor: what patients see and where the draft stands."""
        if self.is_live:
            return str(self.get_status_display())
        live = self.is_published
        if self.status == Status.ARCHIVED:
            return gettext("Archived")
        if self.status == Status.PUBLISHED:
            return gettext("Published")
        if live:
            return (
                gettext("Published; changes in review")
                if self.status == Status.IN_REVIEW
                else gettext("Published; changes in draft")
            )
        if self.live_id:
            return (
                gettext("Offline; in review")
                if self.status == Status.IN_REVIEW
                else gettext("Offline; draft")
            )
        return str(self.get_status_display())

    @property
    def is_overdue(self) -> bool:
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    def working(self):
        """The working copy of this item (itself, unless this is the live copy)."""
        if not self.is_live:
            return self
        return type(self).all_copies.filter(live=self).first()

    # -- rules -------------------------------------------------------------------------------
    def clean(self):
        super().clean()
        # A draft never reviewed: its next review counts from today.
        errors = review_date_problems(
            self.last_reviewed or timezone.localdate(), self.next_review_due
        )
        for name in self.UNIQUE_FIELDS:
            value = getattr(self, name)
            others = type(self).all_copies.working_copies().filter(**{name: value})
            if value and others.exclude(pk=self.pk).exists():
                label = self._meta.get_field(name).verbose_name
                errors[name] = gettext("Another item already uses this %(field)s.") % {
                    "field": label
                }
        if errors:
            raise ValidationError(errors)

    def publish_problems(self) -> list[str]:
        """What stops this draft being published, in plain words (empty: nothing). Subclasses
        add their own content rules."""
        problems = []
        if self.next_review_due:
            today = timezone.localdate()
            date_problems = review_date_problems(today, self.next_review_due, today)
            if self.next_review_due <= today:
                problems.append(
                    gettext("The next review date has passed: set one in the next 12 months.")
                )
            elif "next_review_due" in date_problems:
                problems.append(date_problems["next_review_due"])
        for name in self.UNIQUE_FIELDS:
            value = getattr(self, name)
            taken = type(self).all_copies.filter(is_live=True, **{name: value})
            if self.live_id:
                taken = taken.exclude(pk=self.live_id)
            if taken.exists():
                problems.append(
                    gettext("A live page already uses the %(field)s “%(value)s”.")
                    % {"field": self._meta.get_field(name).verbose_name, "value": value}
                )
        return problems

    def was_approved(self) -> bool:
        return self.live_id is not None

    # -- workflow ----------------------------------------------------------------------------
    def _require_working_copy(self):
        if self.is_live:
            raise ValidationError(gettext("Change the working copy, never the live copy."))

    @property
    def provenance_text(self) -> str:
        """'Reviewed at X by Y on 1 November 2026', for an item imported from a content pack."""
        if not self.provenance:
            return ""
        review = self.provenance
        parts = [gettext("Imported from a content pack")]
        if review.get("reviewed_at"):
            parts.append(gettext("reviewed at %s") % review["reviewed_at"])
        if review.get("reviewed_by"):
            parts.append(gettext("by %s") % review["reviewed_by"])
        if review.get("reviewed_on"):
            day = datetime.date.fromisoformat(review["reviewed_on"])
            parts.append(gettext("on %s") % f"{day.day} {day:%B %Y}")
        if len(parts) == 1:
            parts.append(gettext("not reviewed at its source"))
        return ", ".join(parts[:2]) + (" " + " ".join(parts[2:]) if parts[2:] else "")

    def record_change(self, by=None) -> None:
        """Every edit of this item or its parts ends here: the item becomes a draft (the live
        copy is untouched), the editor is noted for the four-eyes rule, the version rises."""
        self._require_working_copy()
        super().record_change(by)
        self.after_copy()

    def submit_for_review(self, by=None) -> None:
        self._require_working_copy()
        if by is not None and not by.has_perm(
            f"{self._meta.app_label}.change_{self._meta.model_name}"
        ):
            raise PermissionDenied
        super().submit_for_review(by)
        from conditions import notifications

        notifications.draft_submitted(self, by)

    def approval_words(self) -> dict[str, str]:
        return {
            "unchecked": gettext("Confirm that you have checked this against its references."),
            "changed": gettext(
                "It changed while you were reviewing it: look at the changes again, then approve."
            ),
            "own_change": gettext(
                "You changed this draft, so another clinical reviewer must approve it "
                "(the four-eyes rule)."
            ),
        }

    def publish(self, by, *, attested: bool = False, seen_version: int | None = None):
        """Approve the draft: copy it over the live copy, name `by` as the reviewer with
        today's date. Refuses, with every reason, unless all the rules hold. Returns the live
        copy."""
        self._require_working_copy()
        if not can_review(by):
            raise PermissionDenied
        from conditions import notifications

        with transaction.atomic():
            self.lock_for_approval(type(self).all_copies, by, attested, seen_version)
            addresses = notifications.people_to_tell(self, by)
            today = timezone.localdate()
            self.self_reviewed = by.pk in self.changed_by()
            self.is_example = by.groups.filter(name=EXAMPLE_ACCOUNTS_GROUP).exists()
            self.reviewer = by
            self.last_reviewed = today
            # A date in the past or over 12 months ahead was refused by approval_problems().
            if not self.next_review_due:
                self.next_review_due = latest_review_due(today)
            self.status = Status.PUBLISHED
            self.published_at = self.published_at or timezone.now()
            snapshot = self.snapshot()
            live = self._copy_to_live()
            self.live = live
            self.save()
            self._give_waiting_links(live)
            self.contributors.clear()
            self.log(ReviewEvent.Action.APPROVED, by, snapshot=snapshot)
            from conditions.models.translations import ContentTranslation

            # Approved translations whose English just changed are marked out of date.
            ContentTranslation.source_published(self)
        notifications.draft_decided(self, by, approved=True, addresses=addresses)
        return live

    def _give_waiting_links(self, live) -> None:
        """Links to this item that approved items were waiting for. A live copy links only to
        what is live (live_counterpart), so an item approved while this one was not live yet
        (an article linking to a look-alike approved after it, a questionnaire approved before
        its article) went live without the link. Where that item's working copy is unchanged
        since its approval (published: what is live is what was approved, link included), its
        live copy gets the link now. An item with changes in progress gets it when approved.
        The same for the parts of an item (a questionnaire's outcomes name their articles)."""
        for relation in type(self)._meta.related_objects:
            model = relation.related_model
            if not relation.many_to_many:
                continue
            name = relation.field.name
            if issubclass(model, Reviewable):
                # Only where the link is missing: add() signals a change even when it adds
                # nothing, and a change purges the item's pages from the shared cache.
                waiting = (
                    model.all_copies.filter(
                        **{name: self}, is_live=False, status=Status.PUBLISHED, live__isnull=False
                    )
                    .exclude(**{f"live__{name}": live})
                    .select_related("live")
                )
                for item in waiting:
                    getattr(item.live, name).add(live)
            elif issubclass(model, ReviewPart):
                owner = next(
                    (
                        f.name
                        for f in model._meta.concrete_fields
                        if f.many_to_one and issubclass(f.related_model, Reviewable)
                    ),
                    None,
                )
                if owner is None:  # no item of its own to be unchanged since approval
                    continue
                rows = model.objects.filter(
                    **{name: self, f"{owner}__is_live": False, f"{owner}__status": Status.PUBLISHED}
                )
                for copy in model.objects.filter(source__in=rows).exclude(**{name: live}):
                    getattr(copy, name).add(live)

    def send_back(self, by, comment: str) -> None:
        self._require_working_copy()
        super().send_back(by, comment)
        from conditions import notifications

        notifications.draft_decided(self, by, approved=False, comment=comment)

    def take_offline(self, by, reason: str) -> None:
        """The safety lever: patients stop seeing the live page at once. The draft stays."""
        self._require_working_copy()
        if not can_review(by):
            raise PermissionDenied
        if not (reason or "").strip():
            raise ValidationError(gettext("Give the reason for taking it offline."))
        if not self.is_published:
            raise ValidationError(gettext("It is not live."))
        with transaction.atomic():
            live = self.live
            live.status = Status.ARCHIVED
            live.save()
            if self.status == Status.PUBLISHED:
                self.status = Status.DRAFT
            self.save()
            self.log(ReviewEvent.Action.TAKEN_OFFLINE, by, comment=reason)

    def archive(self, by, reason: str = "") -> None:
        """Retire the item: offline for patients and out of the editors' way."""
        self._require_working_copy()
        if not can_review(by):
            raise PermissionDenied
        with transaction.atomic():
            if self.live_id:
                live = type(self).all_copies.get(pk=self.live_id)
                live.status = Status.ARCHIVED
                live.save()  # signals: caches and search indexes follow
            self.status = Status.ARCHIVED
            self.save()
            self.log(ReviewEvent.Action.ARCHIVED, by, comment=reason)

    def revert_to(self, event: ReviewEvent, by) -> None:
        """Make a new draft from an approved version; it is approved like any draft."""
        self._require_working_copy()
        if event.object_id != self.pk or event.content_type != ContentType.objects.get_for_model(
            self
        ):
            raise ValidationError(gettext("That version belongs to something else."))
        if not event.snapshot:
            raise ValidationError(gettext("That step has no saved version."))
        with transaction.atomic():
            self.apply_snapshot(event.snapshot)
            self.record_change(by)
            self.log(
                ReviewEvent.Action.REVERTED,
                by,
                comment=gettext("Draft made from the version approved on %(date)s")
                % {"date": timezone.localtime(event.at).strftime("%d %b %Y %H:%M")},
            )

    def events(self):
        return ReviewEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(self), object_id=self.pk
        ).select_related("by")

    # -- the graph: copy, snapshot, restore, compare --------------------------------------------
    @classmethod
    def _content_fields(cls, model, skip=()):
        return [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in skip and f.name != "source"
        ]

    def after_copy(self) -> None:
        """Hook: recompute derived values after parts changed (articles: search text)."""

    def _copy_to_live(self):
        """Write this working copy and its parts over the live copy (created if needed)."""
        model = type(self)
        live = model.all_copies.get(pk=self.live_id) if self.live_id else model(is_live=True)
        for field in self._content_fields(model, skip={"is_live", "live", "version"}):
            setattr(live, field.attname, getattr(self, field.attname))
        live.is_live = True
        live.status = Status.PUBLISHED
        self._map_links(live, self)
        live.save()
        for field in model._meta.many_to_many:
            if field.name == "contributors":
                continue
            targets = [self.live_counterpart(t, live) for t in getattr(self, field.name).all()]
            getattr(live, field.name).set([t for t in targets if t is not None])
        # Live rows whose working row is gone go first: a new working row may take the same
        # unique place (a care advice level, a code), and its copy would collide with them.
        for part in reversed(self.review_parts()):
            kept = part.model.objects.filter(**{part.path: self}).values("pk")
            for row in part.model.objects.filter(**{part.path: live}).exclude(source__in=kept):
                row.delete()
        mapping = {}
        for part in self.review_parts():
            self._copy_part_rows(part, live, mapping)
        self.after_live_copy(live, mapping)
        live.after_copy()
        return live

    def after_live_copy(self, live, mapping) -> None:
        """Hook: tidy what the live copy owns beyond its parts (comparisons: treatments)."""

    def _map_links(self, live, source) -> None:
        """FKs from the item itself to other items point at their live copies."""
        for field in type(self)._meta.concrete_fields:
            if (
                field.is_relation
                and field.concrete
                and not field.many_to_many
                and field.name not in self.WORKFLOW_FIELDS
            ):
                target = getattr(source, field.name)
                if target is not None and isinstance(target, Reviewable):
                    setattr(live, field.name, self.live_counterpart(target, live))

    def _copy_part_rows(self, part: Part, live, mapping) -> None:
        model = part.model
        existing = {r.source_id: r for r in model.objects.filter(**{part.path: live})}
        done = mapping.setdefault(model, {})
        for row in model.objects.filter(**{part.path: self}).order_by("pk"):
            copy = existing.pop(row.pk, None) or model(source_id=row.pk)
            for field in self._content_fields(model):
                value = getattr(row, field.attname)
                if field.is_relation and field.many_to_one and value is not None:
                    related = field.related_model
                    if isinstance(self, related) or related is type(self):
                        value = live.pk
                    elif related in mapping:
                        value = mapping[related].get(value)
                    else:
                        target = self.live_counterpart(getattr(row, field.name), live)
                        value = target.pk if target is not None else None
                setattr(copy, field.attname, value)
            copy.source_id = row.pk
            copy.save()
            done[row.pk] = copy.pk
            for field in model._meta.many_to_many:
                targets = [self.live_counterpart(t, live) for t in getattr(row, field.name).all()]
                getattr(copy, field.name).set([t for t in targets if t is not None])

    def live_counterpart(self, obj, live_root):
        """What a link from this item's live copy to `obj` points at: the live copy of another
        item, or the live copy of a part of another item; None when that is not live."""
        if isinstance(obj, Reviewable):
            if obj.is_live:
                return obj
            return type(obj).all_copies.filter(pk=obj.live_id).first() if obj.live_id else None
        if isinstance(obj, ReviewPart):
            return type(obj).objects.filter(source=obj).exclude(source=None).last()
        return obj

    def snapshot(self) -> dict:
        """This working copy's content as JSON: fields, links and parts, for history and
        reverting."""
        model = type(self)
        fields = {
            f.attname: _json_value(f, self)
            for f in self._content_fields(model, skip=self.WORKFLOW_FIELDS | self.DERIVED_FIELDS)
        }
        m2m = {
            f.name: sorted(getattr(self, f.name).values_list("pk", flat=True))
            for f in model._meta.many_to_many
            if f.name != "contributors"
        }
        parts = {}
        for part in self.review_parts():
            rows = []
            for row in part.model.objects.filter(**{part.path: self}).order_by("pk"):
                data = {"id": row.pk}
                for f in self._content_fields(part.model):
                    data[f.attname] = _json_value(f, row)
                for f in part.model._meta.many_to_many:
                    data[f.name] = sorted(getattr(row, f.name).values_list("pk", flat=True))
                rows.append(data)
            parts[part.model._meta.label] = rows
        return json.loads(json.dumps({"fields": fields, "m2m": m2m, "parts": parts}, default=str))

    def apply_snapshot(self, snapshot: dict) -> None:
        """Make this working copy hold a snapshot's content (rows kept where they still exist)."""
        model = type(self)
        for f in self._content_fields(model, skip=self.WORKFLOW_FIELDS | self.DERIVED_FIELDS):
            if f.attname in snapshot["fields"]:
                setattr(self, f.attname, f.to_python(snapshot["fields"][f.attname]))
        self.save()
        for f in model._meta.many_to_many:
            if f.name in snapshot.get("m2m", {}):
                existing = f.related_model._default_manager.filter(pk__in=snapshot["m2m"][f.name])
                getattr(self, f.name).set(existing)
        mapping: dict = {}
        for part in self.review_parts():
            rows = snapshot["parts"].get(part.model._meta.label, [])
            current = {r.pk: r for r in part.model.objects.filter(**{part.path: self})}
            done = mapping.setdefault(part.model, {})
            for data in rows:
                row = current.pop(data["id"], None) or part.model()
                for f in self._content_fields(part.model):
                    if f.attname not in data:
                        continue
                    value = data[f.attname]
                    if f.is_relation and f.many_to_one and value is not None:
                        if f.related_model is model:
                            value = self.pk
                        elif f.related_model in mapping:
                            value = mapping[f.related_model].get(value)
                        elif not f.related_model._default_manager.filter(pk=value).exists():
                            value = None
                    else:
                        value = f.to_python(value)
                    setattr(row, f.attname, value)
                row.save()
                done[data["id"]] = row.pk
                for f in part.model._meta.many_to_many:
                    if f.name in data:
                        getattr(row, f.name).set(
                            f.related_model._default_manager.filter(pk__in=data[f.name])
                        )
            for row in current.values():
                if part.model.objects.filter(pk=row.pk).exists():
                    row.delete()
        self.after_copy()

    def readable(self) -> dict:
        """The content as a person reads it, for comparing versions: {"fields": {label:
        text}, "parts": {kind: {identity: (title, {label: text})}}}. A live copy's parts are
        identified by the working rows they came from, so both sides line up."""
        model = type(self)
        skip = self.WORKFLOW_FIELDS | self.DERIVED_FIELDS
        fields = {}
        for f in self._content_fields(model, skip=skip):
            fields[str(f.verbose_name)] = _display_value(f, self)
        for f in model._meta.many_to_many:
            if f.name != "contributors":
                names = sorted(str(t) for t in getattr(self, f.name).all())
                fields[str(f.verbose_name)] = ", ".join(names)
        parts = {}
        for part in self.review_parts():
            rows = {}
            for row in part.model.objects.filter(**{part.path: self}).order_by("pk"):
                identity = row.source_id if self.is_live else row.pk
                values = {}
                for f in self._content_fields(part.model, skip=self._part_skip(part)):
                    values[str(f.verbose_name)] = _display_value(f, row)
                for f in part.model._meta.many_to_many:
                    values[str(f.verbose_name)] = ", ".join(
                        sorted(str(t) for t in getattr(row, f.name).all())
                    )
                self.readable_part(row, values)
                rows[identity] = (str(row), values)
            parts[part.label or str(part.model._meta.verbose_name_plural)] = rows
        return {"fields": fields, "parts": parts}

    def readable_part(self, row, values: dict) -> None:
        """Hook: add what a part shows from elsewhere (a comparison row: its treatment)."""

    @staticmethod
    def _part_skip(part: Part) -> set:
        derived = {
            f.name
            for f in part.model._meta.concrete_fields
            if f.name.endswith("_html") or (not f.editable and f.name.endswith("_text"))
        }
        return {part.parent, *derived}


class ReviewEvent(models.Model):
    """One step of an item's review: who did what, when, with the comment or reason, and
    (for approvals) the approved content, from which a new draft can be made."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted for review")
        APPROVED = "approved", _("approved and published")
        SENT_BACK = "sent_back", _("sent back")
        TAKEN_OFFLINE = "offline", _("took it offline")
        ARCHIVED = "archived", _("archived")
        REVERTED = "reverted", _("made a draft from an earlier version")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField(db_index=True)
    item = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("step"), max_length=20, choices=Action.choices)
    by = staff_member(_("by"), on_delete=models.SET_NULL)
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        who = person_name(self.by) if self.by_id else "—"
        return f"{who} {self.get_action_display()}"


class ReviewComment(models.Model):
    """A note from a reviewer (or any editor) on a draft, for its author: never shown to
    patients (no patient view reads this table). It may name the field it is about, and is
    marked resolved when dealt with."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField(db_index=True)
    item = GenericForeignKey("content_type", "object_id")
    author = staff_member(_("by"), on_delete=models.SET_NULL, blank=False)
    text = models.TextField(_("comment"))
    field = models.CharField(_("about"), max_length=100, blank=True)
    created = models.DateTimeField(_("when"), default=timezone.now)
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_by = staff_member(_("resolved by"), on_delete=models.SET_NULL)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["resolved", "-created", "-pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.text[:60]

    @classmethod
    def on(cls, item):
        return cls.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk
        ).select_related("author", "resolved_by")


class EditingSession(models.Model):
    """Who has an item's edit form open, since when, last seen when (the form's heartbeat).
    A warning for the next editor ("Grace Hopper has been editing this since 10:02"), not a
    lock: the version check on save stays the guard. In the database, not in one server's
    memory, so every app server sees it; rows older than EDITING_SESSION_MINUTES count as gone."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started = models.DateTimeField(default=timezone.now)
    seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="one_editing_session_per_user"
            )
        ]
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")

    def __str__(self) -> str:
        return f"{self.user} editing {self.content_type.model} {self.object_id}"

    @classmethod
    def _active_after(cls):
        minutes = getattr(settings, "EDITING_SESSION_MINUTES", 15)
        return timezone.now() - datetime.timedelta(minutes=minutes)

    @classmethod
    def touch(cls, item, user, restart: bool = False) -> None:
        """Note that `user` has the form open now (a fresh session when the last one expired
        or `restart`)."""
        content_type = ContentType.objects.get_for_model(item)
        now = timezone.now()
        session, created = cls.objects.get_or_create(
            content_type=content_type,
            object_id=item.pk,
            user=user,
            defaults={"started": now, "seen": now},
        )
        if not created:
            if restart or session.seen < cls._active_after():
                session.started = now
            session.seen = now
            session.save(update_fields=["started", "seen"])

    @classmethod
    def others(cls, item, user):
        """The other people with this item's form open now, earliest first."""
        return (
            cls.objects.filter(
                content_type=ContentType.objects.get_for_model(item),
                object_id=item.pk,
                seen__gte=cls._active_after(),
            )
            .exclude(user=user)
            .select_related("user")
            .order_by("started")
        )

    @classmethod
    def end(cls, item, user) -> None:
        cls.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk, user=user
        ).delete()
