"""Demo condition articles: milia in full, and short pages for its look-alikes.

Written fresh from shared/content-notes/milia.md (facts and sources carry over, the seed
texts' sentences do not). The article files are written by the content-pack importer's writers
(conditions.packs.importing, with the admin's model checks) and published through
Condition.publish(), so the same rules as the admin apply: reviewer, dates, references and
sections.

Codes: only verified codes ship (ICD-10-CM L72.0 and SNOMED CT 254679001 for milia, both
from VisualDx). WHO ICD-10 / ICD-10-GM L72.8 and any ICD-11 code are unverified in the
notes and are deliberately left out until a coder checks them in the WHO browser.
Look-alikes: ICD-10-CM L70.0 "Acne vulgaris" and H02.6 "Xanthelasma of eyelid" are
checked against the ICD-10-CM tabular (simple-icd-10-cm, tests/exchange/test_demo_codes.py) and
coder references; SNOMED CT 11381005 "Acne" against a published OpenSAFELY acne codelist, with a
valid check digit. Still awaiting a clinical coder's sign-off like the rest. Left out, not
verified: syringoma (ICD-10-CM codes it by site, D23.1x eyelid or D23.3x face, so no one code
fits the page) and sebaceous hyperplasia (no source names its ICD-10-CM home), and any SNOMED CT
code for xanthelasma, syringoma or sebaceous hyperplasia. Searched again in December 2026: the
ICD-10-CM tabular (simple-icd-10-cm) names neither condition; the content notes give no code for
them; VisualDx's sebaceous hyperplasia page was found but its codes were not in what we could
read; the other pages found were unnamed coder blogs. So both stay uncoded: the admin's article
list and form say they need a clinical coder, and the infobutton finds them by display name.

load() is idempotent: an article whose slug (or name) already exists is left exactly as it
is, so a clinician's edits are never overwritten and a second run changes nothing.
refresh() (`load_demo_content --refresh`) brings a database loaded by an earlier version up to
date, but only for articles that are still unreviewed example content (see refresh()).
"""

from __future__ import annotations

from django.db import transaction

from conditions.demo import content, differs, write
from conditions.models import Condition, Status

# Admin-visible (the page's history, as the reason for publishing): never shown to patients.
# simple_history keeps at most 100 characters; the full notes are the articles' editor_note.
DEMO_NOTE = "Demo content, awaiting the clinic's own clinical review: see the editor note in demo/articles.py"
DEMO_UPDATE_NOTE = (
    "Demo content updated to the portal's current version (still awaiting clinic review)"
)

# The article files (conditions/demo/content/articles/), milia first.
ARTICLES = list(content().articles)
MILIA = ARTICLES[0]

# Milia's look-alikes; the relation is symmetrical, so acne also lists milia.
RELATED = [(article.slug, other) for article in ARTICLES for other in article.related]


def _existing(article) -> Condition | None:
    return (
        Condition.objects.filter(slug=article.slug).first()
        or Condition.objects.filter(name=article.name).first()
    )


def _still_example(condition: Condition) -> bool:
    """Live, approved only by an example account, and nobody has changed it since."""
    live = condition.live
    return (
        condition.status == Status.PUBLISHED
        and condition.is_example
        and live is not None
        and live.status == Status.PUBLISHED
    )


def refresh(author, reviewer) -> list[str]:
    """Bring the demo articles that are still unreviewed example content up to this version.

    For a database loaded by an earlier version (load() leaves existing articles alone): an
    article whose live page only an example account approved, with no draft in progress, and
    that differs from its file, takes the file's version as a change approved again by the
    demo reviewer (history kept, still labelled example content). References a treatment
    comparison cites stay, corrected in place. What the clinic has approved, is editing, took
    offline or archived is left as it is, and so is an article that already matches. Returns
    the slugs brought up to date.
    """
    refreshed = []
    with transaction.atomic():
        for article in ARTICLES:
            condition = _existing(article)
            if condition is None or not _still_example(condition):
                continue
            if not differs("article", condition, article):
                continue
            condition = write("article", condition, article, author, DEMO_UPDATE_NOTE)
            condition._history_user = reviewer
            condition.publish(by=reviewer, attested=True)
            refreshed.append(article.slug)
    return refreshed


def load(author, reviewer) -> list[str]:
    """Create the demo articles that do not exist yet; return the slugs created."""
    created = []
    with transaction.atomic():
        for article in ARTICLES:
            if _existing(article) is None:
                write("article", None, article, author, DEMO_NOTE)
                created.append(article.slug)
        by_slug = {c.slug: c for c in Condition.objects.filter(slug__in=[a.slug for a in ARTICLES])}
        for one, other in RELATED:
            # Only link pairs made in this run: a clinician's later unlinking is respected.
            # Links are one-way (each article approves its own), so each pair links both ways.
            if one in created and other in by_slug:
                by_slug[one].related.add(by_slug[other])
            if other in created and one in by_slug:
                by_slug[other].related.add(by_slug[one])
        # Approved once complete, links included, like any draft.
        for slug in created:
            condition = by_slug[slug]
            condition._history_user = reviewer
            condition.publish(by=reviewer, attested=True)
    return created
