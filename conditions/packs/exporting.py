"""Write content from the database as a content pack: the files conditions.packs.files reads.

Every kind the demo content has: articles, treatment comparisons, questionnaires, the search
help card and the kiosk profile, each with its review metadata (who reviewed it, when, at which
clinic), and one references.toml holding every source the items cite once, keyed by its
address. Each `*_file` function turns a database item into its file's model; `toml_file` and
`article_file` write it.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomli_w
from django.conf import settings
from django.utils.text import slugify

from conditions.models import (
    Condition,
    KioskProfile,
    Questionnaire,
    Status,
    TreatmentComparison,
    UrgentHelp,
)
from conditions.packs import schema

NO_TREATMENT = "no-treatment"  # the slug of the "wait and see" option, unless a file says
NONE_OF_THESE = "none"  # the code of a multiple choice's exclusive answer, unless a file says
ROW_FIELDS = [name for name in schema.Row.model_fields if name not in ("treatment", "references")]


def dump(data: dict) -> str:
    return tomli_w.dumps(data, multiline_strings=True)


def source_key(source: schema.Source) -> str:
    """A readable key from the address: dermnetnz-org-topics-milium -> dermnetnz_org_topics_milium."""
    address = re.sub(r"^https?://(www\.)?", "", source.url)
    return slugify(address.replace("/", " ").replace(".", " ")).replace("-", "_")[:60] or "source"


def _review(item) -> schema.Review:
    """This clinic's review, or, for an item imported and not reviewed here, its provenance."""
    if item.last_reviewed and item.reviewer_id:
        return schema.Review(
            next_review_due=item.next_review_due,
            reviewed_on=item.last_reviewed,
            reviewed_by=item.reviewer_name(),
            reviewed_at=getattr(settings, "PORTAL_CLINIC_NAME", "") or "",
        )
    provenance = item.provenance or {}
    return schema.Review(
        next_review_due=item.next_review_due,
        reviewed_on=provenance.get("reviewed_on") or None,
        reviewed_by=provenance.get("reviewed_by", ""),
        reviewed_at=provenance.get("reviewed_at", ""),
    )


NUMBERS = re.compile(r"\[(\d+(?:, \d+)*)\]")


def cite_by_key(text: str, references: list[str]) -> str:
    """[1, 5] (places in the reference list, as stored) -> [[key, key]] (as files cite)."""

    def keys(match: re.Match) -> str:
        numbers = [int(n) for n in match.group(1).split(", ")]
        if not all(1 <= n <= len(references) for n in numbers):
            return match.group(0)
        return "[[" + ", ".join(references[n - 1] for n in numbers) + "]]"

    return NUMBERS.sub(keys, text)


def reference_key(reference, keys: dict) -> str:
    """The bibliography key of a Reference row; `keys` collects the sources (key -> Source)."""
    source = schema.Source(
        title=reference.title,
        publisher=reference.publisher,
        url=reference.url,
        year=reference.year,
        checked_on=reference.checked_on,
    )
    base = key = source_key(source)
    number = 1
    while key in keys and keys[key] != source:  # same address, other title: its own key
        number += 1
        key = f"{base}_{number}"
    keys[key] = source
    return key


def unless(value, convention):
    """None (left out of the file) where the value is what the file format assumes anyway."""
    return None if value == convention else value


def condition_to_article(condition: Condition, keys: dict) -> schema.Article:
    """The article as a file's model; `keys` collects its sources (key -> Source)."""
    references = [reference_key(r, keys) for r in condition.references.order_by("order", "pk")]
    sections = list(condition.sections.order_by("order", "pk"))
    # Not validated here: a draft may still lack what publishing needs (a reference, say).
    return schema.Article.model_construct(
        slug=condition.slug,
        name=condition.name,
        featured=condition.featured,
        also_known_as=[line for line in condition.also_known_as.splitlines() if line.strip()],
        references=references,
        order=0,
        editor_note="",
        related=sorted(condition.related.values_list("slug", flat=True)),
        parts={s.heading: s.part_title for s in sections if s.part_title},
        codes=[
            schema.Code.model_construct(
                system=c.system, code=c.code, display=c.display, version=c.version
            )
            for c in condition.codes.all()
        ],
        faqs=[
            schema.Faq(
                question=f.question, verdict=f.verdict, answer=cite_by_key(f.answer, references)
            )
            for f in condition.faqs.order_by("order", "pk")
        ],
        care_advice=[
            schema.Advice(level=a.level, signs=a.signs, action=a.action)
            for a in condition.care_advice.all()
        ],
        review=_review(condition),
        summary=condition.summary,
        sections=[
            schema.Section(heading=s.heading, body=cite_by_key(s.body, references))
            for s in sections
        ],
    )


def comparison_file(comparison: TreatmentComparison, keys: dict) -> schema.Comparison:
    """A treatment comparison as its file's model: options, rows and the sources they cite."""
    rows = list(
        comparison.rows.select_related("treatment")
        .prefetch_related("references")
        .order_by("order", "pk")
    )
    cited = {r.pk: r for row in rows for r in row.references.all()}
    ordered = sorted(cited.values(), key=lambda r: (r.order, r.pk))
    key_of = {r.pk: reference_key(r, keys) for r in ordered}
    return _construct(
        schema.Comparison,
        comparison,
        condition=comparison.condition.slug,
        references=[key_of[r.pk] for r in ordered],
        options=[
            _construct(
                schema.Option,
                row.treatment,
                is_no_treatment=unless(
                    row.treatment.is_no_treatment, row.treatment.slug == NO_TREATMENT
                ),
            )
            for row in rows
        ],
        rows=[
            _construct(
                schema.Row,
                row,
                treatment=row.treatment.slug,
                references=[
                    key_of[r.pk]
                    for r in sorted(row.references.all(), key=lambda r: ordered.index(r))
                ],
            )
            for row in rows
        ],
        review=_review(comparison),
    )


def _construct(file_model, row, **given):
    """The file's model of a database row: each field the row holds under the same name, as it
    is, and the `given` ones (links by key or code, numbers, conventions). Not validated: a
    draft may still lack what publishing needs."""
    same = {
        name: getattr(row, name)
        for name in file_model.model_fields
        if name not in given and hasattr(row, name)
    }
    return file_model.model_construct(**same, **given)


def _number(value):
    """A stored Decimal as the file writes it: 4, not 4.00; 2.5 stays 2.5."""
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _test(test) -> schema.Test:
    return schema.Test.model_construct(
        question=test.source_question.key,
        op=test.operator,
        answer=test.option.code if test.option_id else None,
        number=None if test.option_id else _number(test.number),
    )


def questionnaire_file(questionnaire: Questionnaire, keys: dict) -> schema.QuestionnaireFile:
    """A questionnaire as its file's model: questions with answers and show-if rules, and
    outcomes with their triggers, every link by key or code, never by id."""
    questions = []
    for q in questionnaire.questions.prefetch_related("options").order_by("order", "pk"):
        rules = [_test(t) for t in q.show_if.select_related("source_question", "option")]
        choices = [
            _construct(
                schema.AnswerChoice,
                o,
                exclusive=unless(o.exclusive, q.kind == "multiple" and o.code == NONE_OF_THESE),
            )
            for o in q.options.order_by("order", "pk")
        ]
        show_if = _construct(schema.ShowIf, q, match=q.show_if_match, rules=rules)
        questions.append(
            _construct(
                schema.QuestionItem,
                q,
                min_value=_number(q.min_value),
                max_value=_number(q.max_value),
                options=choices,
                show_if=show_if if rules else None,
            )
        )
    outcomes = [
        _construct(
            schema.OutcomeItem,
            o,
            triggers=[_test(t) for t in o.triggers.select_related("source_question", "option")],
            needs_signoff=unless(o.needs_signoff, bool(o.signoff_note)),
        )
        for o in questionnaire.outcomes.order_by("-priority", "pk")
    ]
    return _construct(
        schema.QuestionnaireFile,
        questionnaire,
        conditions=_slugs(questionnaire.conditions),
        questions=questions,
        outcomes=outcomes,
        review=_review(questionnaire),
    )


def _slugs(relation) -> list[str]:
    return sorted(relation.values_list("slug", flat=True))


def help_card_file(card: UrgentHelp, keys: dict) -> schema.SearchHelp:
    terms = [
        _construct(schema.Term, t, variants=[v for v in t.variants.splitlines() if v.strip()])
        for t in card.terms.order_by("order", "pk")
    ]
    return _construct(schema.SearchHelp, card, terms=terms, review=_review(card))


def kiosk_file(profile: KioskProfile, keys: dict) -> schema.Kiosk:
    return _construct(
        schema.Kiosk,
        profile,
        featured_conditions=_slugs(profile.featured_conditions),
        featured_questionnaires=_slugs(profile.featured_questionnaires),
    )


def _front(item: schema.Strict, first: tuple[str, ...], exclude=frozenset()) -> dict:
    """The item's named fields, defaults left out, `first` first, empty review keys dropped."""
    data = item.model_dump(exclude=set(exclude), exclude_defaults=True)
    data = {**{name: getattr(item, name) for name in first}, **data}
    if "review" in data:
        data["review"] = {k: v for k, v in data["review"].items() if v not in ("", None)}
    return data


def toml_file(item: schema.Strict) -> str:
    """The TOML file of a comparison, questionnaire, help card or kiosk profile."""
    return dump(_front(item, first=()))


def article_file(article: schema.Article) -> str:
    """The Markdown file of an article: TOML front matter, the summary, then its sections."""
    front = _front(article, first=("slug", "name"), exclude={"summary", "sections", "order"})
    for advice in front.get("care_advice", []):
        advice.pop("from_signs", None)
    body = article.summary.strip() + "\n"
    for section in article.sections:
        body += f"\n## {section.heading}\n\n{section.body.strip()}\n"
    return "+++\n" + dump(front) + "+++\n\n" + body


def _in(model, status: str):
    """The items in `status`; published: their live copies, what patients see."""
    if model is KioskProfile:  # no review of its own: in use is what patients see
        return KioskProfile.objects.filter(in_use=status == Status.PUBLISHED)
    if status == Status.PUBLISHED:
        return model.objects.published()
    return model.objects.filter(status=status)


# (model, order, file model, the file's path in the pack); articles first, so that their
# sources take their keys before the comparisons cite them. The help card and the kiosk
# profile are one file each: the first item of their kind.
KINDS = [
    (Condition, "slug", condition_to_article, lambda a: f"articles/{a.slug}.md"),
    (
        TreatmentComparison,
        "condition__slug",
        comparison_file,
        lambda c: f"comparisons/{c.condition}.toml",
    ),
    (Questionnaire, "slug", questionnaire_file, lambda q: f"questionnaires/{q.slug}.toml"),
    (UrgentHelp, "pk", help_card_file, lambda c: "search-help.toml"),
    (KioskProfile, "name", kiosk_file, lambda k: "kiosk.toml"),
]


def export(folder: str | Path, status: str = Status.PUBLISHED) -> list[str]:
    """Write the items in `status` (published: their live copies) to folder; return their
    paths in the pack."""
    folder = Path(folder)
    keys: dict[str, schema.Source] = {}
    written = []
    for model, order, to_file, path_of in KINDS:
        for item in _in(model, status).order_by(order):
            data = to_file(item, keys)
            path = path_of(data)
            if path in written:
                continue
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            text = article_file(data) if model is Condition else toml_file(data)
            (folder / path).write_text(text)
            written.append(path)
    bibliography = {key: keys[key].model_dump(exclude_defaults=True) for key in sorted(keys)}
    (folder / "references.toml").write_text(dump(bibliography))
    pack = {"exported_from": getattr(settings, "PORTAL_CLINIC_NAME", "") or ""}
    (folder / "pack.toml").write_text(dump({k: v for k, v in pack.items() if v}))
    return written
