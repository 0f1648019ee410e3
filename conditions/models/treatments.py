"""Treatments and the per-condition treatment comparison (an Option Grid / IPDAS-style table)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conditions.models.articles import Condition, Reference
from conditions.models.review import Part, Reviewable, ReviewPart, VersionedOnSave


class CareSetting(models.TextChoices):
    HOME = "home", _("At home")
    PHARMACY = "pharmacy", _("Pharmacy")
    GP = "gp", _("GP surgery")
    DERMATOLOGIST = "dermatologist", _("Dermatologist")
    AESTHETIC = "aesthetic", _("Aesthetic clinic")


class WorkingTreatmentManager(models.Manager):
    """`Treatment.objects`: the shared treatments editors change (not the live copies)."""

    def get_queryset(self):
        return super().get_queryset().filter(is_live=False)


class Treatment(VersionedOnSave, models.Model):
    """A treatment option, shared by the comparisons that offer it. Editors change the working
    copy; each live comparison shows its own frozen copy (`live_for`), so an edit here reaches
    patients only when a reviewer approves a comparison that uses it, and only on that one."""

    name = models.CharField(_("name"), max_length=150, db_index=True)
    slug = models.SlugField(_("slug"), max_length=150)
    description = models.TextField(_("plain description"))
    setting = models.CharField(_("where it happens"), max_length=20, choices=CareSetting.choices)
    who_does_it = models.CharField(_("who does it"), max_length=200)
    is_no_treatment = models.BooleanField(
        _("this is 'no treatment / wait and see'"),
        default=False,
        help_text=_("Every comparison must include one such option."),
    )

    for_comparison = models.ForeignKey(
        "TreatmentComparison",
        verbose_name=_("only for the comparison"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="own_treatments",
        help_text=_(
            "An option written on one comparison's page (such as its own 'no treatment' row): "
            "its name needs to be unique on that comparison only, and other comparisons do "
            "not offer it."
        ),
    )

    is_live = models.BooleanField(default=False, editable=False, db_index=True)
    source = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    live_for = models.ForeignKey(
        "TreatmentComparison",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    all_copies = models.Manager()  # the default: relations reach the live copies too
    objects = WorkingTreatmentManager()

    COPIED_FIELDS = ("name", "slug", "description", "setting", "who_does_it", "is_no_treatment")

    class Meta:
        ordering = ["name"]
        # Shared treatments have unique names and slugs; a comparison's own options need
        # them unique on that comparison only.
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(is_live=False, for_comparison__isnull=True),
                name="unique_treatment_name",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(is_live=False, for_comparison__isnull=True),
                name="unique_treatment_slug",
            ),
            models.UniqueConstraint(
                fields=["for_comparison", "name"],
                condition=models.Q(is_live=False, for_comparison__isnull=False),
                name="unique_own_treatment_name",
            ),
            models.UniqueConstraint(
                fields=["for_comparison", "slug"],
                condition=models.Q(is_live=False, for_comparison__isnull=False),
                name="unique_own_treatment_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        others = Treatment.objects.exclude(pk=self.pk).filter(
            for_comparison_id=self.for_comparison_id
        )
        errors = {}
        if self.name and others.filter(name=self.name).exists():
            errors["name"] = (
                _("Another option of this comparison already has this name.")
                if self.for_comparison_id
                else _("Another treatment already has this name.")
            )
        if self.slug and others.filter(slug=self.slug).exists():
            errors["slug"] = _("Another treatment already uses this slug.")
        if errors:
            raise ValidationError(errors)

    def comparisons(self):
        """The working copies of the comparisons that offer this treatment."""
        return TreatmentComparison.objects.filter(rows__treatment=self).distinct()

    def live_copy_for(self, live_comparison) -> Treatment:
        copy = Treatment.all_copies.filter(live_for=live_comparison, source=self).first()
        copy = copy or Treatment(is_live=True, live_for=live_comparison, source=self)
        for name in self.COPIED_FIELDS:
            setattr(copy, name, getattr(self, name))
        copy.save()
        return copy


class EvidenceLevel(models.TextChoices):
    TRIALS = "trials", _("Clinical trials")
    CONSENSUS = "consensus", _("Expert consensus and case series")
    CASE_REPORTS = "case_reports", _("Case reports only")
    WEAK = "weak", _("Weak evidence")
    NONE = "none", _("No evidence found")
    HARM = "harm", _("Evidence of harm")


EVIDENCE_EXPLANATIONS = {
    EvidenceLevel.TRIALS: _(
        "Tested in fair comparisons (clinical trials) in people with this condition."
    ),
    EvidenceLevel.CONSENSUS: _(
        "Standard practice in medical reference books, backed by groups of treated patients, "
        "but not tested in trials."
    ),
    EvidenceLevel.CASE_REPORTS: _(
        "Only a few reports of single patients. We cannot be sure it helps."
    ),
    EvidenceLevel.WEAK: _(
        "Medical reference books say it may help, but we found no studies. We cannot be sure "
        "it works."
    ),
    EvidenceLevel.NONE: _("We found no good evidence that it works."),
    EvidenceLevel.HARM: _("There are reports that it causes harm, or experts advise against it."),
}


class CostBand(models.TextChoices):
    FREE = "free", _("Free")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Suitability(models.TextChoices):
    YES = "yes", _("Yes")
    WITH_CARE = "care", _("Only by a specialist, with care")
    NO = "no", _("No")


class Recommendation(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended")
    OPTION = "option", _("An option")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")


class TreatmentComparison(Reviewable):
    """One per condition; follows the shared review workflow."""

    condition = models.OneToOneField(Condition, on_delete=models.CASCADE, related_name="comparison")
    intro = models.TextField(_("introduction"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("treatment comparison")

    def __str__(self) -> str:
        return str(_("Treatments for %(name)s") % {"name": self.condition.name})

    def get_absolute_url(self) -> str:
        return reverse("conditions:treatment_comparison", args=[self.condition.slug])

    @classmethod
    def review_parts(cls) -> list[Part]:
        return [Part(ComparisonRow, "comparison", "comparison")]

    def publish_problems(self) -> list[str]:
        problems = super().publish_problems()
        if self.pk is None or not self.rows.filter(treatment__is_no_treatment=True).exists():
            problems.append(
                str(_("Add a 'no treatment / wait and see' option: every comparison needs one."))
            )
        if not self.condition.is_published:
            problems.append(str(_("Publish the article first: the comparison hangs under it.")))
        if self.pk:
            unpublished = Reference.objects.filter(
                comparisonrow__comparison=self, condition=self.condition
            ).exclude(pk__in=Reference.objects.filter(condition__is_live=True).values("source"))
            for reference in unpublished.distinct():
                problems.append(
                    str(
                        _(
                            "“%(ref)s” is not yet published with the article; publish the article first."
                        )
                        % {"ref": reference.title}
                    )
                )
        return problems

    def live_counterpart(self, obj, live_root):
        if isinstance(obj, Treatment):
            return obj.live_copy_for(live_root)
        return super().live_counterpart(obj, live_root)

    def readable_part(self, row, values: dict) -> None:
        treatment = row.treatment
        for name in ("description", "setting", "who_does_it"):
            field = Treatment._meta.get_field(name)
            shown = (
                getattr(treatment, f"get_{name}_display")()
                if field.choices
                else getattr(treatment, name)
            )
            values[f"{_('treatment')}: {field.verbose_name}"] = str(shown)

    def after_live_copy(self, live, mapping) -> None:
        """Drop the live treatment copies no live row uses any more."""
        used = ComparisonRow.objects.filter(comparison=live).values("treatment")
        Treatment.all_copies.filter(live_for=live).exclude(pk__in=used).delete()


class ComparisonRow(ReviewPart):
    comparison = models.ForeignKey(
        TreatmentComparison, on_delete=models.CASCADE, related_name="rows"
    )
    # RESTRICT, not PROTECT: a treatment in use cannot be deleted, but a comparison's own
    # options go with the comparison when it is deleted (its rows go too, in the same delete).
    treatment = models.ForeignKey(Treatment, on_delete=models.RESTRICT, related_name="rows")
    order = models.PositiveIntegerField(_("order"), default=0)
    involves = models.TextField(_("what it involves"))
    effectiveness = models.TextField(_("how well it works"))
    evidence = models.CharField(_("evidence"), max_length=20, choices=EvidenceLevel.choices)
    pain = models.CharField(_("pain or discomfort"), max_length=200)
    downtime = models.CharField(_("downtime"), max_length=200)
    risks = models.TextField(_("risks and side effects"))
    cost = models.CharField(_("typical cost"), max_length=10, choices=CostBand.choices)
    near_eyes = models.CharField(
        _("suitable near the eyes"), max_length=10, choices=Suitability.choices
    )
    babies = models.CharField(
        _("suitable for babies (under 1 year)"),
        max_length=10,
        choices=Suitability.choices,
        default=Suitability.NO,
        help_text=_(
            "Kept apart from older children: newborn milia need no treatment, so most options "
            "are not for babies."
        ),
    )
    children = models.CharField(
        _("suitable for children (1 year and older)"),
        max_length=10,
        choices=Suitability.choices,
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices
    )
    reason = models.TextField(_("reason for the recommendation"))
    references = models.ManyToManyField(Reference, verbose_name=_("references"), blank=True)

    history = HistoricalRecords(m2m_fields=[references])

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "treatment"], name="one_row_per_treatment"
            )
        ]

    def __str__(self) -> str:
        return self.treatment.name

    @property
    def evidence_explanation(self) -> str:
        return str(EVIDENCE_EXPLANATIONS.get(self.evidence, ""))
