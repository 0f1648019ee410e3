"""The search safety net: a clinician-reviewed help card and the emergency words that show it.

UrgentHelp is one reviewed content item per clinic (heading, Markdown text, the phone numbers
for an emergency and for same-day help, its source) with EmergencyTerm rows as plain FK
children. A search that matches a term of the published card, or finds nothing at all, shows
the card above the results (conditions/views/search.py).

Patients reach it only through `UrgentHelp.objects.published()`, and only through
`UrgentHelp.objects.search_card()`, which caches the published card and its words under the
content generation (conditions/caching.py): one query when the cache is cold, none when warm.
Any save of either model bumps the generation, so a published change shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conditions import caching, content, search
from conditions.models.review import (
    Part,
    Reviewable,
    ReviewPart,
    ReviewQuerySet,
    WorkingCopyManager,
)

phone_number = RegexValidator(
    r"^\+?[0-9][0-9 ]{1,18}$", _("Digits and spaces only, for example 999 or 111.")
)


@dataclass(frozen=True)
class HelpCard:
    """What the search page shows: plain values, safe to cache and to share between servers."""

    heading: str = ""
    body_html: str = ""
    emergency_phone: str = "999"
    urgent_phone: str = "111"
    wordings: tuple[frozenset[str], ...] = field(default=())

    def matches(self, query: str) -> bool:
        return search.matches_emergency(query, self.wordings)

    @staticmethod
    def tel(number: str) -> str:
        return "tel:" + number.replace(" ", "")

    @property
    def emergency_tel(self) -> str:
        return self.tel(self.emergency_phone)

    @property
    def urgent_tel(self) -> str:
        return self.tel(self.urgent_phone)


# Shown on a search with no results when no card is published yet: the numbers only, no
# clinical wording (that is the reviewed card's job).
FALLBACK_CARD = HelpCard()


class UrgentHelpQuerySet(ReviewQuerySet):
    def search_card(self) -> HelpCard | None:
        """The published card with its words (None: none), kept in this process per content
        generation (caching.kept_for_generation): a search reads no more than the token.

        A cache that fails (Redis down) costs the query, never the card."""
        return caching.kept_for_generation("search:help-card", self._load_card)

    def _load_card(self) -> HelpCard | None:
        """One query: the newest published card, joined to its terms."""
        rows = (
            self.published()
            .order_by("-last_reviewed", "-pk", "terms__order", "terms__pk")
            .values_list(
                "pk",
                "heading",
                "body_html",
                "emergency_phone",
                "urgent_phone",
                "terms__phrase",
                "terms__variants",
            )
        )
        rows = list(rows)
        if not rows:
            return None
        first = rows[0][0]
        wordings = []
        for pk, *_card, phrase, variants in rows:
            if pk == first and phrase is not None:
                wordings.extend(search.emergency_wordings(phrase, variants))
        _pk, heading, body_html, emergency_phone, urgent_phone, *_term = rows[0]
        return HelpCard(
            heading=heading,
            body_html=body_html,
            emergency_phone=emergency_phone,
            urgent_phone=urgent_phone,
            wordings=tuple(dict.fromkeys(wordings)),
        )


class UrgentHelpManager(WorkingCopyManager):
    def search_card(self) -> HelpCard | None:
        return self._all().search_card()


class UrgentHelp(Reviewable):
    """The help card for emergency words in search; one per clinic, reviewed like an article."""

    heading = models.CharField(
        _("heading"),
        max_length=120,
        help_text=_("For example: These words can mean an emergency."),
    )
    body = models.TextField(
        _("text (Markdown)"),
        help_text=_("The signs that need help now and what to do, in plain words."),
    )
    body_html = models.TextField(editable=False, blank=True, default="")
    emergency_phone = models.CharField(
        _("emergency number"), max_length=20, default="999", validators=[phone_number]
    )
    urgent_phone = models.CharField(
        _("same-day help number"), max_length=20, default="111", validators=[phone_number]
    )
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(
        _("source web address"),
        max_length=500,
        blank=True,
        help_text=_("The public page the signs come from (for example the NHS page)."),
    )

    DERIVED_FIELDS = frozenset({"body_html"})

    history = HistoricalRecords()

    all_copies = UrgentHelpQuerySet.as_manager()
    objects = UrgentHelpManager.from_queryset(UrgentHelpQuerySet)()

    class Meta:
        ordering = ["-last_reviewed", "-pk"]
        verbose_name = _("urgent help card (search)")
        verbose_name_plural = _("urgent help cards (search)")

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs):
        self.body_html = content.render_markdown(self.body)
        super().save(*args, **kwargs)

    @classmethod
    def review_parts(cls) -> list[Part]:
        return [Part(EmergencyTerm, "urgent_help", "urgent_help")]

    def publish_problems(self) -> list[str]:
        problems = super().publish_problems()
        if not (self.heading or "").strip() or not (self.body or "").strip():
            problems.append(str(_("Write the heading and the text.")))
        if not self.source_url.lower().startswith(("https://", "http://")):
            problems.append(str(_("Give the public web address the signs come from.")))
        if self.pk is None or not self.terms.exists():
            problems.append(str(_("Add at least one emergency term.")))
        return problems


class EmergencyTerm(ReviewPart):
    """Words that show the card, with the other ways patients say them."""

    urgent_help = models.ForeignKey(UrgentHelp, on_delete=models.CASCADE, related_name="terms")
    order = models.PositiveIntegerField(_("order"), default=0)
    phrase = models.CharField(
        _("term"), max_length=120, help_text=_("For example: rash that does not fade.")
    )
    variants = models.TextField(
        _("other wordings"),
        blank=True,
        help_text=_(
            "One per line, for example: not fading rash. A search matches when it has every "
            "word of the term or of one wording, in any order. Case, accents, short words such "
            "as 'that', and endings such as -ing are ignored; \"doesn't\" counts as 'does not'."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("emergency term")
        verbose_name_plural = _("emergency terms")

    def __str__(self) -> str:
        return self.phrase
