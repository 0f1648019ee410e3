"""Which content a patient page is about: a kind ("article", "comparison", "questionnaire")
and the slug in its address. Feedback and counts are stored against the item's working copy
(what editors open in the admin); patients only ever reach live, published copies."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Kind:
    name: str
    model_label: str
    slug_field: str  # how the page's slug reaches the item
    url_name: str  # the patient page (in the conditions URL namespace)
    label: str

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)


KINDS = {
    kind.name: kind
    for kind in (
        Kind("article", "conditions.Condition", "slug", "condition_detail", "article"),
        Kind(
            "comparison",
            "conditions.TreatmentComparison",
            "condition__slug",
            "treatment_comparison",
            "treatment comparison",
        ),
        Kind(
            "questionnaire",
            "conditions.Questionnaire",
            "slug",
            "questionnaire_start",
            "questionnaire result",
        ),
    )
}
KIND_OF_URL_NAME = {kind.url_name: kind for kind in KINDS.values()}
# A part of a long article, and the whole article on one page, are reads of the article.
KIND_OF_URL_NAME |= {"condition_part": KINDS["article"], "condition_whole": KINDS["article"]}


def live_item(kind: str, slug: str):
    """The published live copy a patient can see at this address, or None."""
    spec = KINDS.get(kind)
    if spec is None:
        return None
    return spec.model.objects.published().filter(**{spec.slug_field: slug}).first()


def working_copy(kind: str, slug: str):
    """The working copy (the editors' draft) behind the published page, or None."""
    live = live_item(kind, slug)
    return live.working() if live is not None else None


def patient_url(kind: str, slug: str, namespace: str = "conditions") -> str:
    return reverse(f"conditions:{KINDS[kind].url_name}", args=[slug], current_app=namespace)


def kind_of(item) -> Kind | None:
    label = item._meta.label
    return next((k for k in KINDS.values() if k.model_label == label), None)


def slug_of(item) -> str:
    """The slug in the patient address of an item (a comparison's is its condition's)."""
    if item._meta.label == "conditions.TreatmentComparison":
        return item.condition.slug
    return item.slug
