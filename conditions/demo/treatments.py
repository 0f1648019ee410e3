"""Demo content: the milia treatment comparison (every option from the content notes, §3).

Facts and sources come from /shared/content-notes/milia.md; the sentences are written fresh in
plain language. Evidence levels follow the notes' key: C -> consensus and case series,
C- -> case reports only, D -> no evidence found, X -> evidence of harm. No randomised trials
were found for any milia treatment, so nothing is rated higher than consensus.

The comparison file is written by the content-pack importer's writers (conditions.packs.importing,
with the admin's model checks) and published by the demo reviewer. `load(author, reviewer)` is
idempotent (an existing comparison is left alone; refresh=True brings it back to the demo file,
writing only the rows that differ, and publishes it again) and expects the milia condition
(slug "milia") to exist already: conditions.demo.articles creates it.
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content, differs, write
from conditions.demo.articles import DEMO_NOTE
from conditions.models import Condition, Status, TreatmentComparison

# The comparison's texts are in conditions/demo/content/comparisons/milia.toml.
_FILE = next(c for c in content().comparisons if c.condition == "milia")

# slug -> (name, setting, who does it, plain description)
TREATMENTS = {
    option.slug: (option.name, option.setting, option.who_does_it, option.description)
    for option in _FILE.options
}


@transaction.atomic
def load(author, reviewer, *, refresh: bool = False) -> TreatmentComparison:
    """Create the published milia treatment comparison and return it.

    Like the rest of the demo content, an existing milia comparison is left exactly as it is
    (a clinician may have edited or archived it). With refresh=True it takes the demo file's
    version where it differs (rows and treatments that match are not written again) and is
    published again if it is not live. Either way a second run with nothing to change writes
    nothing: no history rows, no raised versions.
    """
    milia = Condition.objects.filter(slug="milia").first()
    if milia is None:
        raise LookupError(
            "The milia condition (slug 'milia') does not exist yet: load the milia article "
            "first (conditions.demo.articles), then the treatment comparison."
        )
    existing = TreatmentComparison.objects.filter(condition=milia).first()
    if existing is not None:
        if not refresh:
            return existing
        if existing.status == Status.PUBLISHED and not differs("comparison", existing, _FILE):
            return existing
    article_live = milia.status == Status.PUBLISHED
    comparison = write("comparison", existing, _FILE, author, DEMO_NOTE)
    milia.refresh_from_db()
    if article_live and milia.status != Status.PUBLISHED:
        # The writer added sources the rows cite to the article's reference list: the
        # article's new version is approved first, like any change to a live article.
        milia._history_user = reviewer
        milia.publish(by=reviewer, attested=True)
    comparison._history_user = reviewer
    comparison.publish(by=reviewer, attested=True)
    return comparison
