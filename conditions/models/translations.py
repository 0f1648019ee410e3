"""Translations of content, each with its own review.

Design (own, not django-parler or django-modeltranslation): one ContentTranslation row per item
(the working copy of an article, comparison or questionnaire) and language, holding two JSON
maps of text keyed by stable keys ("summary", "section.12.body", "question.age.text",
"answer.age.under-1", "outcome.see-gp.title"):
- `texts`: the working translation, what the translator edits (never shown to patients);
- `live_texts`: the approved translation, written only by `publish()` after a reviewer who reads
  that language approved it. Patient views read `live_texts` only.
This is the same working-copy / live-copy promise as Reviewable (models/review.py) for one
language at a time. Why not a library: modeltranslation adds a column per language to every
table (a migration per offered language, and the working copy's columns would be copied to the
live copy by publish() with no review of their own); parler keeps one row per object and
language but also has no state or reviewer per translation, and its rows would have to be
copied between working and live copies too. Neither gives "each translation has its own review,
its own reviewer and dates, and goes out of date when its source changes", which is the point.
Keys of parts use what survives publishing: question keys, answer codes and outcome slugs; for
article sections, FAQs, care advice and comparison rows, the working row's id (a live row's
`source`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conditions import content
from conditions.models.fields import contributors_field, staff_member
from conditions.models.review import (
    EXAMPLE_ACCOUNTS_GROUP,
    ReviewEvent,
    ReviewWorkflow,
    Status,
    can_review,
)

HTML = "|html"  # live_texts[key + HTML]: a Markdown text rendered on approval


def offered_languages() -> dict[str, str]:
    """Languages content can be translated into: the offered ones except the source language."""
    source = primary(settings.LANGUAGE_CODE)
    return {code: str(name) for code, name in settings.LANGUAGES if primary(code) != source}


def primary(code: str | None) -> str:
    return (code or "").split("-")[0].lower()


def is_source_language(code: str | None) -> bool:
    return not code or primary(code) == primary(settings.LANGUAGE_CODE)


# PostgreSQL's built-in text search configurations (`\dF`); others (Polish, Urdu) use 'simple'.
PG_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def search_config(language: str) -> str:
    return PG_CONFIGS.get(primary(language), "simple")


@dataclass(frozen=True)
class Text:
    """One translatable text of an item: its key, what it is, the English, Markdown or not."""

    key: str
    label: str
    english: str
    markdown: bool = False


def _rid(item, row) -> int:
    return row.source_id if item.is_live else row.pk


def translatable_texts(item) -> list[Text]:
    """Every text of `item` (a working or a live copy) a translation must give, in page order.
    Empty English texts are left out: there is nothing to translate."""
    from conditions.models import Condition, Questionnaire, TreatmentComparison

    texts: list[Text] = []

    def add(key, label, english, markdown=False):
        if (english or "").strip():
            texts.append(Text(key, str(label), english, markdown))

    if isinstance(item, Condition):
        add("name", _("Name"), item.name)
        add("summary", _("Summary"), item.summary)
        add("also_known_as", _("Also known as (one per line)"), item.also_known_as)
        for s in item.sections.order_by("order", "pk"):
            n = _rid(item, s)
            add(f"section.{n}.heading", gettext("Section “%s”: heading") % s.heading, s.heading)
            add(f"section.{n}.part_title", gettext("Section “%s”: part") % s.heading, s.part_title)
            add(f"section.{n}.body", gettext("Section “%s”: text") % s.heading, s.body, True)
        for f in item.faqs.order_by("order", "pk"):
            n = _rid(item, f)
            add(f"faq.{n}.question", _("Question"), f.question)
            add(f"faq.{n}.answer", gettext("Answer to “%s”") % f.question, f.answer, True)
        for a in item.care_advice.order_by("pk"):
            n = _rid(item, a)
            level = a.get_level_display()
            add(f"care.{n}.signs", gettext("When to get help (%s): signs") % level, a.signs, True)
            add(f"care.{n}.action", gettext("When to get help (%s): what to do") % level, a.action)
    elif isinstance(item, TreatmentComparison):
        add("intro", _("Introduction"), item.intro)
        for r in item.rows.select_related("treatment").order_by("order", "pk"):
            n = _rid(item, r)
            option = r.treatment
            tid = option.source_id if option.is_live else option.pk
            add(f"option.{tid}.name", gettext("Option “%s”: name") % option.name, option.name)
            add(
                f"option.{tid}.who_does_it",
                gettext("Option “%s”: who does it") % option.name,
                option.who_does_it,
            )
            for field in ("involves", "effectiveness", "pain", "downtime", "risks", "reason"):
                label = f"{r.treatment.name}: {r._meta.get_field(field).verbose_name}"
                add(f"row.{n}.{field}", label, getattr(r, field))
    elif isinstance(item, Questionnaire):
        add("title", _("Title"), item.title)
        add("intro", _("Introduction"), item.intro)
        for q in item.questions.prefetch_related("options").order_by("order", "pk"):
            add(f"question.{q.key}.text", gettext("Question “%s”") % q.key, q.text)
            add(f"question.{q.key}.help_text", gettext("Help for “%s”") % q.key, q.help_text)
            add(f"question.{q.key}.error_text", gettext("Error for “%s”") % q.key, q.error_text)
            add(f"question.{q.key}.unit", gettext("Unit for “%s”") % q.key, q.unit)
            for o in q.options.all():
                add(f"answer.{q.key}.{o.code}", gettext("Answer “%s”") % o.code, o.text)
        for o in item.outcomes.order_by("-priority", "pk"):
            add(f"outcome.{o.slug}.title", gettext("Outcome “%s”: title") % o.slug, o.title)
            add(
                f"outcome.{o.slug}.explanation",
                gettext("Outcome “%s”: what this means") % o.slug,
                o.explanation,
            )
            add(
                f"outcome.{o.slug}.next_steps",
                gettext("Outcome “%s”: what to do next") % o.slug,
                o.next_steps,
                True,
            )
    return texts


def digest(texts: list[Text]) -> str:
    data = json.dumps([(t.key, t.english) for t in texts], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


class ReviewerProfile(models.Model):
    """What the workflow knows about a person beyond their account: the languages they read
    well enough to approve a translation in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    languages = models.CharField(
        _("reads these languages"),
        max_length=100,
        blank=True,
        help_text=_(
            "Language codes, separated by spaces (for example “pl ur”). A clinical reviewer "
            "approves translations only into these."
        ),
    )

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self) -> str:
        return f"{self.user}: {self.languages or '-'}"

    def clean(self):
        unknown = sorted(set(self.codes()) - set(offered_languages()))
        if unknown:
            raise ValidationError(
                {"languages": gettext("Not an offered language: %s") % ", ".join(unknown)}
            )

    def codes(self) -> list[str]:
        return [primary(c) for c in self.languages.replace(",", " ").split()]


def reads(user, language: str) -> bool:
    profile = getattr(user, "reviewer_profile", None) if user is not None else None
    try:
        return profile is not None and primary(language) in profile.codes()
    except ReviewerProfile.DoesNotExist:
        return False


class TranslationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(approved_at__isnull=False)

    def out_of_date(self):
        return self.approved().filter(source_changed_at__isnull=False)


def translated_item(model: str) -> models.ForeignKey:
    """The working copy a translation belongs to (one of these is set, by `KINDS`)."""
    return models.ForeignKey(
        model,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="translations",
        limit_choices_to={"is_live": False},
    )


class ContentTranslation(ReviewWorkflow, models.Model):
    """One item's translation into one language: its working texts, its approved texts, and
    its own review (status, reviewer, dates)."""

    KINDS = ("condition", "comparison", "questionnaire")

    condition = translated_item("conditions.Condition")
    comparison = translated_item("conditions.TreatmentComparison")
    questionnaire = translated_item("conditions.Questionnaire")
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    texts = models.JSONField(_("translation (working)"), default=dict, blank=True)
    live_texts = models.JSONField(default=dict, blank=True, editable=False)
    # What search reads (from live_texts, on approval).
    live_name = models.CharField(max_length=200, blank=True, default="", editable=False)
    live_synonyms = models.TextField(blank=True, default="", editable=False)
    live_search_text = models.TextField(blank=True, default="", editable=False)
    author = staff_member(_("translator"))
    contributors = contributors_field()
    reviewer = staff_member(_("reviewer of this translation"), editable=False)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    is_example = models.BooleanField(_("demonstration translation"), default=False)
    source_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    source_changed_at = models.DateTimeField(
        _("English changed since approval"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = TranslationQuerySet.as_manager()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(condition__isnull=False, comparison=None, questionnaire=None)
                    | models.Q(condition=None, comparison__isnull=False, questionnaire=None)
                    | models.Q(condition=None, comparison=None, questionnaire__isnull=False)
                ),
                name="translation_of_one_item",
            ),
            models.UniqueConstraint(
                fields=["condition", "language"], name="one_translation_per_article_language"
            ),
            models.UniqueConstraint(
                fields=["comparison", "language"], name="one_translation_per_comparison_language"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "language"],
                name="one_translation_per_questionnaire_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.language_name})"

    # -- what it is ----------------------------------------------------------------------------
    @property
    def item(self):
        return self.condition or self.comparison or self.questionnaire

    @property
    def language_name(self) -> str:
        return offered_languages().get(self.language, self.language)

    def source(self):
        """The English it translates: the live copy when there is one, else the working copy."""
        item = self.item
        if item.live_id and item.live.status == Status.PUBLISHED:
            return item.live
        return item

    @property
    def is_out_of_date(self) -> bool:
        return self.source_changed_at is not None

    def notice_due(self, now=None) -> bool:
        """The English changed longer ago than the grace period: patients are told."""
        if self.source_changed_at is None:
            return False
        days = settings.PORTAL_TRANSLATION_GRACE_DAYS
        return (now or timezone.now()) >= self.source_changed_at + datetime.timedelta(days=days)

    def status_label(self) -> str:
        parts = []
        if self.approved_at:
            parts.append(gettext("Published"))
            if self.is_out_of_date:
                parts.append(gettext("out of date: the English changed"))
            if self.status != Status.PUBLISHED:
                parts.append(gettext("changes in %s") % self.get_status_display().lower())
        else:
            parts.append(str(self.get_status_display()))
        return "; ".join(parts)

    # -- rules ---------------------------------------------------------------------------------
    def clean(self):
        super().clean()
        if self.language not in offered_languages():
            raise ValidationError({"language": gettext("Choose a language the clinic offers.")})
        item = self.item
        if item is None:
            raise ValidationError(gettext("Choose what this translates."))
        if item.is_live:
            raise ValidationError(gettext("Translate the working copy, never the live copy."))

    def missing(self, texts: dict | None = None) -> list[Text]:
        """Source texts this translation does not give (checked against the live English)."""
        texts = self.texts if texts is None else texts
        return [
            t for t in translatable_texts(self.source()) if not (texts.get(t.key) or "").strip()
        ]

    def publish_problems(self) -> list[str]:
        problems = []
        item = self.item
        if not item.is_published:
            problems.append(gettext("Publish the English first: there is nothing to translate."))
        if self.questionnaire_id:
            from conditions import safety

            source = self.source()
            problems += safety.translation_problems(source.spec(), self.texts, self.language_name)
            for key in ("title", "intro"):
                if getattr(source, key).strip() and not (self.texts.get(key) or "").strip():
                    problems.append(
                        gettext("The questionnaire's %(field)s is not translated.")
                        % {"field": source._meta.get_field(key).verbose_name}
                    )
        else:
            missing = self.missing()
            if missing:
                problems.append(
                    gettext("Not yet translated: %s.") % "; ".join(t.label for t in missing[:10])
                    + (gettext(" (and %d more)") % (len(missing) - 10) if len(missing) > 10 else "")
                )
        return problems

    # -- workflow (the rest is ReviewWorkflow's) -----------------------------------------------
    def was_approved(self) -> bool:
        return self.approved_at is not None

    def approval_words(self) -> dict[str, str]:
        return {
            "unchecked": gettext("Confirm that you have checked this against the English."),
            "changed": gettext("It changed while you were reviewing it: look again, then approve."),
            "own_change": gettext(
                "You changed this translation, so another reviewer who reads %(language)s "
                "must approve it (the four-eyes rule)."
            )
            % {"language": self.language_name},
        }

    def publish(self, by, *, attested: bool = False, seen_version: int | None = None):
        """Approve the working texts: they become what patients read in this language, with
        `by` as this translation's reviewer. Only a clinical reviewer who reads the language."""
        if not can_review(by):
            raise PermissionDenied
        if not reads(by, self.language):
            raise PermissionDenied(
                gettext(
                    "Only a reviewer who reads %(language)s can approve this translation "
                    "(the languages are on the reviewer's profile)."
                )
                % {"language": self.language_name}
            )
        with transaction.atomic():
            self.lock_for_approval(type(self).objects, by, attested, seen_version)
            source = translatable_texts(self.source())
            markdown = {t.key for t in source if t.markdown}
            live = {}
            for key, value in self.texts.items():
                if not (value or "").strip():
                    continue
                live[key] = value
                if key in markdown:
                    # Sections and FAQ answers link their citations, as the English do.
                    cites = key.endswith(".body") or key.startswith("faq.")
                    live[key + HTML] = content.render_markdown(value, citations=cites)
            self.live_texts = live
            self.live_name = live.get("name", live.get("title", ""))
            self.live_synonyms = live.get("also_known_as", "")
            self.live_search_text = "\n".join(
                content.markdown_to_text(live[t.key]) if t.markdown else live[t.key]
                for t in source
                if t.key in live
            )
            self.source_digest = digest(source)
            self.source_changed_at = None
            self.is_example = by.groups.filter(name=EXAMPLE_ACCOUNTS_GROUP).exists()
            self.reviewer = by
            self.last_reviewed = timezone.localdate()
            self.approved_at = timezone.now()
            self.published_at = self.published_at or self.approved_at
            self.status = Status.PUBLISHED
            self.save()
            self.contributors.clear()
            self.log(ReviewEvent.Action.APPROVED, by, snapshot={"texts": self.texts})
        return self

    @classmethod
    def source_published(cls, item) -> None:
        """Called when the English `item` (a working copy) is approved: its approved
        translations whose English changed are marked out of date (from now)."""
        if item.is_live or not item.pk:
            return
        field = {
            "condition": "condition",
            "treatmentcomparison": "comparison",
            "questionnaire": "questionnaire",
        }.get(item._meta.model_name)
        if field is None:  # help cards and the like are not translated (yet)
            return
        approved = cls.objects.approved().filter(**{field: item}, source_changed_at=None)
        if not approved.exists():
            return
        new = digest(translatable_texts(item.live))
        approved.exclude(source_digest=new).update(
            source_changed_at=timezone.now(), updated_at=timezone.now()
        )
