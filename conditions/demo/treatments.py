"""Demo content: the milia treatment comparison (every option from the content notes, §3).

Facts and sources come from /shared/content-notes/milia.md; the sentences are written fresh in
plain language. Evidence levels follow the notes' key: C -> consensus and case series,
C- -> case reports only, D -> no evidence found, X -> evidence of harm. No randomised trials
were found for any milia treatment, so nothing is rated higher than consensus.

`load(author, reviewer)` is idempotent (an existing comparison is left alone; refresh=True
writes back the demo values that differ, and nothing else) and expects the milia
condition (slug "milia") to exist already: conditions.demo.articles creates it.
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content
from conditions.demo.sources import SOURCES
from conditions.models import (
    ComparisonRow,
    Condition,
    Reference,
    Status,
    Treatment,
    TreatmentComparison,
)

# The comparison's texts are in conditions/demo/content/comparisons/milia.toml.
_FILE = next(c for c in content().comparisons if c.condition == "milia")
NEXT_REVIEW_DUE = content().next_review_due(_FILE)

# Sources (conditions.demo.sources), matched to the condition's references by URL and
# created if missing.
REFERENCES = {key: SOURCES[key] for key in _FILE.references}

# slug -> (name, setting, who does it, plain description)
TREATMENTS = {
    option.slug: (option.name, option.setting, option.who_does_it, option.description)
    for option in _FILE.options
}

# One dict per row, in the order patients see them.
ROWS = [row.model_dump() for row in _FILE.rows]

INTRO = _FILE.intro


def _sync(model, lookup: dict, values: dict):
    """Create the row, or update only the fields whose value differs.

    An unchanged row is not saved at all, so loading the demo again writes no history rows
    and raises no versions. Returns the row.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.is_relation:
            current, wanted = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj._change_reason = "Demo content updated: " + ", ".join(changed)
        obj.save()
    return obj


@transaction.atomic
def load(author, reviewer, *, refresh: bool = False) -> TreatmentComparison:
    """Create the published milia treatment comparison and return it.

    Like the rest of the demo content, an existing milia comparison is left exactly as it is
    (a clinician may have edited or archived it). With refresh=True the demo values are
    written again, but only where they differ, and the comparison is published again if it
    is not live. Either way a second run with nothing to change writes nothing: no history
    rows, no raised versions.
    """
    try:
        milia = Condition.objects.get(slug="milia")
    except Condition.DoesNotExist:
        raise LookupError(
            "The milia condition (slug 'milia') does not exist yet: load the milia article "
            "first (conditions.demo.articles), then the treatment comparison."
        ) from None
    existing = TreatmentComparison.objects.filter(condition=milia).first()
    if existing is not None and not refresh:
        return existing

    references = {}
    added = False
    for index, (key, source) in enumerate(REFERENCES.items()):
        # No "link checked on" date: nobody has checked these links for the clinic yet.
        references[key], _ = Reference.objects.get_or_create(
            condition=milia,
            url=source.url,
            defaults={
                "publisher": source.publisher,
                "title": source.title,
                "year": source.year,
                "order": 100 + index,
            },
        )
        added = added or _
    if added:
        # The comparison cites these from the article's reference list: the article's new
        # version (with them) is approved first, like any change to a live article.
        milia.record_change(author)
        milia.publish(by=reviewer, attested=True)

    treatments = {}
    for slug, (name, setting, who, description) in TREATMENTS.items():
        treatments[slug] = _sync(
            Treatment,
            {"slug": slug},
            {
                "name": name,
                "setting": setting,
                "who_does_it": who,
                "description": description,
                "is_no_treatment": slug == "no-treatment",
            },
        )

    comparison = _sync(
        TreatmentComparison,
        {"condition": milia},
        {
            "intro": INTRO,
            "author": author,
            "next_review_due": NEXT_REVIEW_DUE,
        },
    )
    for order, data in enumerate(ROWS):
        fields = dict(data)
        wanted = {references[key].pk for key in fields.pop("references")}
        treatment = treatments[fields.pop("treatment")]
        row = _sync(
            ComparisonRow,
            {"comparison": comparison, "treatment": treatment},
            {**fields, "order": order * 10},
        )
        if set(row.references.values_list("pk", flat=True)) != wanted:
            row.references.set(wanted)

    # Not live, or a refresh changed the draft: like any change, approved before patients see it.
    changed = comparison.status != Status.PUBLISHED or (
        refresh and comparison.live_id and comparison.readable() != comparison.live.readable()
    )
    if changed:
        comparison.record_change(author)
        comparison.publish(by=reviewer, attested=True)
    return comparison
