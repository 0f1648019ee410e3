"""Treatments and the per-condition treatment comparison (an Option Grid / IPDAS-style table)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conditions.models.articles import Condition, Reference
from conditions.models.review import Reviewable


class Setting(models.TextChoices):
    HOME = "home", _("At home")
    PHARMACY = "pharmacy", _("Pharmacy")
    GP = "gp", _("GP surgery")
    DERMATOLOGIST = "dermatologist", _("Dermatologist")
    AESTHETIC = "aesthetic", _("Aesthetic clinic")


class Treatment(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    description = models.TextField(_("plain description"))
    setting = models.CharField(_("where it happens"), max_length=20, choices=Setting.choices)
    who_does_it = models.CharField(_("who does it"), max_length=200)
    is_no_treatment = models.BooleanField(
        _("this is 'no treatment / wait and see'"),
        default=False,
        help_text=_("Every comparison must include one such option."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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

    def publish_problems(self) -> list[str]:
        problems = super().publish_problems()
        if self.pk is None or not self.rows.filter(treatment__is_no_treatment=True).exists():
            problems.append(
                str(_("Add a 'no treatment / wait and see' option: every comparison needs one."))
            )
        return problems


class ComparisonRow(models.Model):
    comparison = models.ForeignKey(
        TreatmentComparison, on_delete=models.CASCADE, related_name="rows"
    )
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="rows")
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
