"""Imported texts become drafts: the one write path behind both front doors, the
`import_article` command and the admin's "Import a text" page.

An import never publishes and never touches a live copy: it creates a new working copy, or
replaces the summary and sections of an existing working copy (the live copy stays as it is
until a reviewer approves the draft, conditions/models/review.py).
"""

from __future__ import annotations

import os

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from conditions import importer
from conditions.models import Condition, Section, Status


class DraftProblem(ValueError):
    """The draft cannot be made; the message is one plain line for the user."""


def matching_conditions(title: str) -> list[Condition]:
    """Working copies the imported title names: by name or slug, or as one of their synonyms
    (case-insensitive). Most likely first: the same name, then the same slug, then a synonym."""
    title = " ".join(title.split())
    if not title:
        return []
    slug = slugify(title)
    query = Q(name__iexact=title) | Q(also_known_as__icontains=title)
    if slug:
        query |= Q(slug=slug)
    candidates = Condition.objects.filter(query).order_by("name")
    wanted = title.casefold()
    ranked = []
    for condition in candidates:
        if condition.name.casefold() == wanted:
            rank = 0
        elif slug and condition.slug == slug:
            rank = 1
        elif wanted in (s.casefold() for s in condition.synonyms):
            rank = 2
        else:
            continue  # the title was only part of a longer synonym
        ranked.append((rank, condition.name, condition))
    return [condition for _rank, _name, condition in sorted(ranked, key=lambda r: r[:2])]


def unique_name_and_slug(title: str) -> tuple[str, str]:
    """The title itself if free, else "Title (imported draft)", "... 2", and so on."""
    candidates = [title] + [
        f"{title} (imported draft)" if n == 1 else f"{title} (imported draft {n})"
        for n in range(1, 100)
    ]
    for name in candidates:
        name = name[:120]
        slug = slugify(name)[:120] or "imported-article"
        if not Condition.all_copies.filter(name__iexact=name).exists() and not (
            Condition.all_copies.filter(slug=slug).exists()
        ):
            return name, slug
    raise DraftProblem(f"too many drafts called “{title}” already; rename some first")


def _add_sections(
    condition: Condition, article: importer.ImportedArticle, earlier: dict | None = None
) -> None:
    """One Section per imported section. `earlier` maps the anchors of sections this import
    replaces to their own earlier anchors: a new section with the same anchor keeps them."""
    for order, section in enumerate(article.sections, start=1):
        heading = section.heading[:200]
        Section.objects.create(
            condition=condition,
            order=order * 10,
            heading=heading,
            body=section.body,
            previous_anchors=list((earlier or {}).get(slugify(heading)[:200], [])),
        )


@transaction.atomic
def create_draft(article: importer.ImportedArticle, source: str, author=None) -> Condition:
    """A new working copy holding the imported text, by `author` (recorded as its author)."""
    name, slug = unique_name_and_slug(article.title)
    condition = Condition(
        name=name, slug=slug, summary=article.summary, status=Status.DRAFT, author=author
    )
    condition._change_reason = f"Imported from {os.path.basename(source)}"
    condition.save()
    _add_sections(condition, article)
    if author is not None:
        condition.contributors.add(author)
    condition.refresh_derived()
    return condition


def update_problem(condition: Condition, user=None) -> str:
    """Why `user` may not replace this article's draft text by an import ("" when they may)."""
    if condition.is_live:
        return "this is a live copy; imports change the working copy only"
    if user is not None and not user.has_perm("conditions.change_condition"):
        return (
            f"{user.get_username()} may not change condition articles (they are not in the "
            "Author or Clinical reviewer group)"
        )
    return ""


@transaction.atomic
def update_draft(
    condition: Condition, article: importer.ImportedArticle, source: str, by=None
) -> Condition:
    """Replace the working copy's summary and sections with the imported ones.

    Its name, synonyms, FAQs, references, codes and pictures stay. A draft in review goes
    back to draft (a reviewer must see the new text before approving it). Patients keep
    seeing the live copy until a reviewer approves this draft."""
    problem = update_problem(condition, by)
    if problem:
        raise DraftProblem(problem)
    condition = Condition.objects.select_for_update().get(pk=condition.pk)
    condition.summary = article.summary
    if condition.status == Status.IN_REVIEW:
        condition.status = Status.DRAFT
    if by is not None and not condition.author_id:
        condition.author = by
    condition._change_reason = f"Text replaced by an import of {os.path.basename(source)}"
    earlier = {s.slug: s.previous_anchors for s in condition.sections.all()}
    condition.sections.all().delete()
    _add_sections(condition, article, earlier)
    condition.record_change(by)
    condition.refresh_derived()
    return condition
