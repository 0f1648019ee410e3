"""Bring a content pack into this clinic as drafts, never published.

Every kind of item in the pack (articles, treatment comparisons, questionnaires, the search
help card, the kiosk profile) is compared with this clinic's working copy of the same item:
- new: created as a draft;
- changed: the working copy takes the pack's version as a new draft (the live page, if any,
  stays as it is until this clinic's reviewer approves the change on "Changes and review";
  a questionnaire's safety check runs then, as for any draft);
- unchanged: left alone.
Both sides are compared as files (conditions.packs.exporting writes the working copy as the
file it would export), field by field, with a word diff for each changed one.
The pack's own review (who reviewed it, where, when) is kept as provenance on the item, shown
to editors and never to patients, and never counted as this clinic's review (an outcome's
clinical sign-off included). Every row goes through the models' own checks (full_clean), as a
save in the admin does; a row they refuse stops the whole import with the file, key and reason.
A kiosk profile has no draft: a new one arrives not in use, and one in use here is left as it
is (the report shows what the pack would change).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from conditions.admin.editor import text_diff
from conditions.models import (
    FAQ,
    AnswerOption,
    CareAdvice,
    ClinicalCode,
    ComparisonRow,
    Condition,
    EmergencyTerm,
    KioskProfile,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    Reference,
    Section,
    ShowIf,
    Treatment,
    TreatmentComparison,
    UrgentHelp,
)
from conditions.packs import exporting, files, schema
from conditions.packs.exporting import NO_TREATMENT, NONE_OF_THESE, ROW_FIELDS, unless

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
IMPORTED = "Imported from a content pack (a draft awaiting this clinic's review)"
KIOSK_IN_USE = (
    "in use on the kiosk screens, so left as it is (a kiosk profile has no draft): make the "
    "change in the admin if you want it"
)
YES_NO = [("yes", "Yes"), ("no", "No")]


@dataclass(frozen=True)
class Writer:
    """Who writes an item, the note its history rows carry, and whether the pack's review is
    kept on it as provenance (an import: yes; the demo, this clinic's own example content: no)."""

    user: object
    reason: str = IMPORTED
    provenance: bool = True


@dataclass
class ItemResult:
    kind: str
    slug: str
    name: str
    state: str
    diffs: list[tuple[str, str]] = field(default_factory=list)  # (field, word diff HTML)
    note: str = ""


class ItemProblem(Exception):
    """A row the models refuse: where in the file (a key path) and the models' messages."""

    def __init__(self, where: str, error: ValidationError | str):
        self.where = where
        self.messages = _messages(error) if isinstance(error, ValidationError) else [error]
        super().__init__(f"{where}: {'; '.join(self.messages)}")


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {m}" for name, ms in error.message_dict.items() for m in ms]
    return list(error.messages)


@contextmanager
def _problems_in(path):
    """The models' refusals as a ContentFileError naming the file, key and reason."""
    try:
        yield
    except ItemProblem as exc:
        where = f"{path}: {exc.where}" if exc.where else str(path)
        raise files.ContentFileError([f"{where}: {m}" for m in exc.messages]) from exc
    except ValidationError as exc:
        raise files.ContentFileError([f"{path}: {m}" for m in _messages(exc)]) from exc


# -- comparing: the item as text, field by field ------------------------------------------------
def describe(source: schema.Source) -> str:
    return f"{source.publisher}: {source.title} ({source.year or 'n.d.'}) {source.url}"


def readable(article: schema.Article, sources: dict) -> dict[str, str]:
    """The article's text, field by field, as an editor compares it."""
    cite = functools.partial(cite_by_number, references=article.references)
    return {
        "name": article.name,
        "also known as": "\n".join(article.also_known_as),
        "summary": article.summary.strip(),
        "sections": "\n\n".join(
            f"## {s.heading} ({article.parts.get(s.heading, '')})\n{cite(s.body).strip()}"
            for s in article.sections
        ),
        "questions": "\n\n".join(
            f"{f.question} [{f.verdict}] {cite(f.answer).strip()}" for f in article.faqs
        ),
        "when to get help": "\n\n".join(
            f"{a.level}: {a.signs.strip()} {a.action}" for a in article.care_advice
        ),
        "references": "\n".join(describe(sources[key]) for key in article.references),
        "codes": "\n".join(f"{c.system} {c.version} {c.code} {c.display}" for c in article.codes),
        "featured": str(article.featured),
    }


IDENTITY = ("key", "slug", "treatment", "phrase")  # what names an entry of a list of tables


def readable_file(item: schema.Strict, sources: dict) -> dict[str, str]:
    """A TOML item's text, field by field; a list of tables (questions, outcomes, rows, terms)
    one entry each, named by its key, so a diff shows only the entries that changed. The
    bibliography is left out: each row's sources are compared by what they are, not by key."""
    out = {}
    for name, value in item.model_dump(exclude={"review", "examples", "references"}).items():
        label = name.replace("_", " ")
        if value and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for n, entry in enumerate(value, start=1):
                identity = next((entry[k] for k in IDENTITY if k in entry), n)
                out[f"{label}: {identity}"] = _plain(entry, sources)
        else:
            out[label] = _plain(value, sources)
    return out


def _plain(value, sources: dict, name: str = "") -> str:
    if name == "references":  # a row's sources: a set, by what they are
        return "\n".join(sorted(describe(sources[key]) for key in value))
    if isinstance(value, dict):
        return "\n".join(
            f"{k.replace('_', ' ')}: {_plain(v, sources, k)}"
            for k, v in value.items()
            if v not in (None, "", [], {})
        )
    if isinstance(value, list):
        return "\n".join(_plain(v, sources) for v in value)
    if isinstance(value, float) and value.is_integer():  # 4 in one file, 4.0 in the other
        return str(int(value))
    return str(value)


# -- resolving: the pack's shorthands spelled out, as the working copy's file has them ----------
def _article(article: schema.Article, content: files.Content | None) -> schema.Article:
    """Care advice that names the shared warning signs (from_signs) gets their text."""
    if content is None or content.signs is None:
        return article
    advice = []
    for a in article.care_advice:
        if a.from_signs:
            signs = content.signs
            emergency = a.from_signs == "emergency"
            items = [s.text for s in signs.emergency] if emergency else signs.urgent
            a = schema.Advice.model_construct(
                level=a.level,
                signs="".join(f"- {item.rstrip('.')}.\n" for item in items),
                action=signs.emergency_action if emergency else signs.urgent_action,
            )
        advice.append(a)
    return article.model_copy(update={"care_advice": advice})


def _comparison(item: schema.Comparison, content) -> schema.Comparison:
    options = [
        o.model_copy(update={"is_no_treatment": unless(_no_treatment(o), o.slug == NO_TREATMENT)})
        for o in item.options
    ]
    return item.model_copy(update={"options": options})


def _no_treatment(option: schema.Option) -> bool:
    return option.slug == NO_TREATMENT if option.is_no_treatment is None else option.is_no_treatment


def _exclusive(question: schema.QuestionItem, choice: schema.AnswerChoice) -> bool:
    convention = question.kind == "multiple" and choice.code == NONE_OF_THESE
    return convention if choice.exclusive is None else choice.exclusive


def _needs_signoff(outcome: schema.OutcomeItem) -> bool:
    return bool(outcome.signoff_note) if outcome.needs_signoff is None else outcome.needs_signoff


def _questionnaire(item: schema.QuestionnaireFile, content) -> schema.QuestionnaireFile:
    """Answers from the shared signs, yes/no answers left implicit, the conventions on
    exclusive answers and sign-off: all spelled out, as a stored questionnaire has them."""
    questions = []
    for q in item.questions:
        choices = list(q.options)
        if q.options_from_signs == "emergency" and content is not None and content.signs:
            signs = [
                schema.AnswerChoice.model_construct(code=s.code, text=s.text)
                for s in content.signs.emergency
            ]
            choices = signs + choices
        if q.kind == "yes_no" and not choices:
            choices = [schema.AnswerChoice.model_construct(code=c, text=t) for c, t in YES_NO]
        choices = [
            c.model_copy(
                update={
                    "exclusive": unless(
                        _exclusive(q, c), q.kind == "multiple" and c.code == NONE_OF_THESE
                    )
                }
            )
            for c in choices
        ]
        questions.append(q.model_copy(update={"options": choices, "options_from_signs": None}))
    outcomes = [
        o.model_copy(update={"needs_signoff": unless(_needs_signoff(o), bool(o.signoff_note))})
        for o in item.outcomes
    ]
    return item.model_copy(update={"questions": questions, "outcomes": outcomes, "examples": {}})


def _as_is(item, content):
    return item


def cite_by_number(text: str, references: list[str]) -> str:
    """[[key, key]] (as files cite) -> [1, 5]: the sources' places in the reference list."""

    def numbers(match) -> str:
        keys = [key.strip() for key in match.group(1).split(",")]
        return "[" + ", ".join(str(references.index(key) + 1) for key in keys) + "]"

    return files.CITE.sub(numbers, text)


# -- writing: through the models' own rules -----------------------------------------------------
def _save(row, where: str, by: Writer, exclude=()):
    """The admin's model checks (full_clean), then a save with the history's author."""
    try:
        row.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ItemProblem(where, exc) from exc
    row._history_user = by.user
    row._change_reason = by.reason
    row.save()
    return row


def _put(model, lookup: dict, values: dict, where: str, by):
    """The row matching `lookup` (made if missing) with `values`, saved only if something
    differs (no history rows for nothing). Returns (row, changed)."""
    row = model.objects.filter(**lookup).first() or model(**lookup)
    changed = row.pk is None
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        _save(row, where, by)
    return row, changed


def _prune(queryset, kept: list[int]) -> None:
    """Drop the rows the pack no longer has (their live copies go when a reviewer approves)."""
    for row in queryset.exclude(pk__in=kept):
        row.delete()


def _item(item, values: dict, data, content: files.Content, by):
    """The working copy of a reviewed item takes the pack's values, its next review date and
    the pack's review as provenance (never as this clinic's review)."""
    for name, value in values.items():
        setattr(item, name, value)
    item.next_review_due = content.next_review_due(data)
    item.provenance = _provenance(data, content) if by.provenance else None
    if item.pk is None:
        item.author = by.user
    return _save(item, "", by, exclude=["author"])


def _one(model, slug: str, where: str):
    found = model.objects.filter(slug=slug).first()
    if found is None:
        name = model._meta.verbose_name
        raise ItemProblem(where, f"no {name} {slug!r} here or in the pack")
    return found


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _parts(article: schema.Article, content: files.Content) -> dict[type, list[dict]]:
    cite = functools.partial(cite_by_number, references=article.references)
    rows = {
        Section: [
            {
                "order": n,
                "heading": s.heading,
                "part_title": article.parts.get(s.heading, ""),
                "body": cite(s.body),
            }
            for n, s in enumerate(article.sections, start=1)
        ],
        FAQ: [
            {"order": n, "question": f.question, "verdict": f.verdict, "answer": cite(f.answer)}
            for n, f in enumerate(article.faqs, start=1)
        ],
        Reference: [],
        CareAdvice: [],
        ClinicalCode: [
            {"system": c.system, "version": c.version, "code": c.code, "display": c.display}
            for c in article.codes
        ],
    }
    for n, key in enumerate(article.references, start=1):
        s = content.references[key]
        rows[Reference].append(
            {
                "order": n,
                "title": s.title,
                "publisher": s.publisher,
                "year": s.year,
                "url": s.url,
                "checked_on": s.checked_on,
            }
        )
    for a in article.care_advice:  # from_signs already resolved (_article)
        rows[CareAdvice].append({"level": a.level, "signs": a.signs, "action": a.action})
    return rows


def _provenance(item, content: files.Content) -> dict:
    review = item.review
    pack = content.pack.review
    out = {
        "reviewed_at": review.reviewed_at or pack.reviewed_at or content.pack.exported_from,
        "reviewed_by": review.reviewed_by or pack.reviewed_by,
        "reviewed_on": (review.reviewed_on or pack.reviewed_on or "")
        and str(review.reviewed_on or pack.reviewed_on),
    }
    return {k: v for k, v in out.items() if v} or {"reviewed_at": "", "reviewed_by": ""}


def _write_article(condition, article: schema.Article, content: files.Content, by):
    condition = condition or Condition(slug=article.slug)
    values = {
        "name": article.name,
        "featured": article.featured,
        "also_known_as": "\n".join(article.also_known_as),
        "summary": article.summary,
    }
    if condition.pk is not None:
        for model in (Section, FAQ, CareAdvice, ClinicalCode):
            model.objects.filter(condition=condition).delete()
        condition.references.filter(comparisonrow__isnull=True).delete()
    _item(condition, values, article, content, by)
    for model, rows in _parts(article, content).items():
        for n, values in enumerate(rows):
            where = f"{model._meta.verbose_name_plural}[{n}]"
            if model is Reference:
                _put(Reference, {"condition": condition, "url": values["url"]}, values, where, by)
            else:
                _save(model(condition=condition, **values), where, by)
    condition.refresh_derived()
    condition.record_change(by.user)  # a draft, whatever it was: never published by an import
    return condition


def _write_comparison(comparison, item: schema.Comparison, content: files.Content, by):
    condition = _one(Condition, item.condition, "condition")
    comparison = comparison or TreatmentComparison(condition=condition)
    _item(comparison, {"intro": item.intro}, item, content, by)
    references, added = {}, False
    for key in item.references:
        source = content.references[key]
        reference = condition.references.filter(url=source.url).first()
        if reference is None:  # cited by a row: the article lists it too
            reference = Reference(
                condition=condition,
                order=condition.references.count() + 1,
                **source.model_dump(include={"title", "publisher", "url", "year", "checked_on"}),
            )
            _save(reference, f"references: {key}", by)
            added = True
        references[key] = reference
    if added:
        condition.record_change(by.user)
    options = {o.slug: o for o in item.options}
    kept = []
    for n, data in enumerate(item.rows):
        treatment = _treatment(comparison, options[data.treatment], f"options.{data.treatment}", by)
        values = {"order": n * 10, **{name: getattr(data, name) for name in ROW_FIELDS}}
        lookup = {"comparison": comparison, "treatment": treatment}
        row, _changed = _put(ComparisonRow, lookup, values, f"rows[{n}]", by)
        wanted = [references[key] for key in data.references]
        if set(row.references.values_list("pk", flat=True)) != {r.pk for r in wanted}:
            row.references.set(wanted)  # a history row of its own: only when they differ
        kept.append(row.pk)
    _prune(comparison.rows.all(), kept)
    comparison.record_change(by.user)
    return comparison


def _treatment(comparison, option: schema.Option, where: str, by) -> Treatment:
    """The comparison's own option of that slug, else the shared treatment (made if new). A
    change to a shared treatment is a change to every comparison that offers it, as in the
    admin: each becomes a draft (what patients see is frozen until approved)."""
    own = Treatment.objects.filter(for_comparison=comparison, slug=option.slug).exists()
    lookup = {"for_comparison": comparison if own else None, "slug": option.slug}
    values = option.model_dump(include={"name", "setting", "who_does_it", "description"})
    values["is_no_treatment"] = _no_treatment(option)
    treatment, changed = _put(Treatment, lookup, values, where, by)
    if changed:
        for other in treatment.comparisons().exclude(pk=comparison.pk):
            other.record_change(by.user)
    return treatment


def _write_questionnaire(questionnaire, item: schema.QuestionnaireFile, content, by):
    before = {}
    if questionnaire is not None:
        before = {o.slug: o for o in exporting.questionnaire_file(questionnaire, {}).outcomes}
    questionnaire = questionnaire or Questionnaire(slug=item.slug)
    values = {"title": item.title, "intro": item.intro, "featured": item.featured}
    _item(questionnaire, values, item, content, by)
    conditions = [_one(Condition, slug, "conditions") for slug in item.conditions]
    questionnaire.conditions.set(conditions)
    questions, answers = {}, {}
    for n, data in enumerate(item.questions):
        where = f"questions.{data.key}"
        values = data.model_dump(include={"text", "kind", "required", "help_text", "error_text"})
        values |= {
            "order": n * 10,
            "unit": data.unit,
            "min_value": _decimal(data.min_value),
            "max_value": _decimal(data.max_value),
            "show_if_match": data.show_if.match if data.show_if else "any",
        }
        lookup = {"questionnaire": questionnaire, "key": data.key}
        question = questions[data.key] = _put(Question, lookup, values, where, by)[0]
        kept = []
        for m, choice in enumerate(data.options):
            values = {"order": m, "text": choice.text, "score": choice.score}
            values["exclusive"] = _exclusive(data, choice)
            lookup = {"question": question, "code": choice.code}
            answer = _put(AnswerOption, lookup, values, f"{where}.options.{choice.code}", by)[0]
            answers[data.key, choice.code] = answer
            kept.append(answer.pk)
        _prune(question.options.all(), kept)
    _prune(questionnaire.questions.all(), [q.pk for q in questions.values()])
    ShowIf.objects.filter(question__questionnaire=questionnaire).delete()
    for data in item.questions:
        for test in data.show_if.rules if data.show_if else []:
            row = ShowIf(question=questions[data.key])
            _test(row, test, questions, answers, f"questions.{data.key}.show_if", by)
    OutcomeTrigger.objects.filter(outcome__questionnaire=questionnaire).delete()
    kept = []
    for data in item.outcomes:
        where = f"outcomes.{data.slug}"
        values = data.model_dump(
            include={"title", "urgency", "priority", "rule", "score_threshold", "explanation"}
        )
        values |= {
            "next_steps": data.next_steps,
            "signoff_note": data.signoff_note,
            "needs_signoff": _needs_signoff(data),
        }
        lookup = {"questionnaire": questionnaire, "slug": data.slug}
        outcome = _put(Outcome, lookup, values, where, by)[0]
        if outcome.signed_off_at and before.get(data.slug) != data:
            # Signed off here for other words or triggers: not a sign-off of these.
            outcome.withdraw_sign_off()
            outcome.save(update_fields=["signed_off_by", "signed_off_at"])
        outcome.conditions.set(conditions)
        for test in data.triggers:
            _test(OutcomeTrigger(outcome=outcome), test, questions, answers, where, by)
        kept.append(outcome.pk)
    _prune(questionnaire.outcomes.all(), kept)
    questionnaire.record_change(by.user)  # a draft: the live questionnaire stays until approved
    return questionnaire


def _test(row, test: schema.Test, questions: dict, answers: dict, where: str, by) -> None:
    """A show-if rule or an outcome trigger, by the question's key and the answer's code."""
    row.source_question = questions[test.question]
    row.operator = test.op
    if test.number is None:
        row.option = answers.get((test.question, test.answer))
        if row.option is None:
            raise ItemProblem(where, f"question {test.question!r} has no answer {test.answer!r}")
    else:
        row.number = _decimal(test.number)
    _save(row, where, by)


def _write_help_card(card, item: schema.SearchHelp, content: files.Content, by):
    card = card or UrgentHelp()
    values = item.model_dump(exclude={"terms", "review"})
    _item(card, values, item, content, by)
    kept = []
    for n, term in enumerate(item.terms, start=1):
        values = {"phrase": term.phrase, "variants": "\n".join(term.variants)}
        lookup = {"urgent_help": card, "order": n}
        kept.append(_put(EmergencyTerm, lookup, values, f"terms[{n - 1}]", by)[0].pk)
    _prune(card.terms.all(), kept)
    card.record_change(by.user)
    return card


def _write_kiosk(profile, item: schema.Kiosk, content: files.Content, by):
    profile = profile or KioskProfile(in_use=False)  # not on any screen until turned on here
    for name, value in item.model_dump(
        exclude={"featured_conditions", "featured_questionnaires"}
    ).items():
        setattr(profile, name, value)
    _save(profile, "", by)
    conditions = [_one(Condition, s, "featured_conditions") for s in item.featured_conditions]
    profile.featured_conditions.set(conditions)
    questionnaires = [
        _one(Questionnaire, s, "featured_questionnaires") for s in item.featured_questionnaires
    ]
    profile.featured_questionnaires.set(questionnaires)
    return profile


# -- the kinds, in the order they are brought in (what an item links to comes first) ------------
@dataclass(frozen=True)
class Kind:
    name: str
    items: Callable  # content -> the pack's items
    slug: Callable  # item -> what names it
    title: Callable  # item -> its name, for the report
    current: Callable  # item -> this clinic's working copy, or None
    to_file: Callable  # working copy, keys -> the file exporting would write
    resolve: Callable  # item, content -> the item with the pack's shorthands spelled out
    readable: Callable  # item, sources -> {field: text}
    write: Callable  # working copy or None, item, content, by -> the working copy
    held: Callable = lambda current: ""  # why a changed item is left as it is ("": it is not)


KINDS = [
    Kind(
        "article",
        lambda c: c.articles,
        lambda a: a.slug,
        lambda a: a.name,
        lambda a: Condition.objects.filter(slug=a.slug).first(),
        exporting.condition_to_article,
        _article,
        readable,
        _write_article,
    ),
    Kind(
        "comparison",
        lambda c: c.comparisons,
        lambda c: c.condition,
        lambda c: "",
        lambda c: TreatmentComparison.objects.filter(condition__slug=c.condition).first(),
        exporting.comparison_file,
        _comparison,
        readable_file,
        _write_comparison,
    ),
    Kind(
        "questionnaire",
        lambda c: c.questionnaires,
        lambda q: q.slug,
        lambda q: q.title,
        lambda q: Questionnaire.objects.filter(slug=q.slug).first(),
        exporting.questionnaire_file,
        _questionnaire,
        readable_file,
        _write_questionnaire,
    ),
    Kind(
        "help card",
        lambda c: [c.search_help] if c.search_help else [],
        lambda h: "search-help",
        lambda h: h.heading,
        lambda h: UrgentHelp.objects.order_by("pk").first(),  # one per clinic
        exporting.help_card_file,
        _as_is,
        readable_file,
        _write_help_card,
    ),
    Kind(
        "kiosk profile",
        lambda c: [c.kiosk] if c.kiosk else [],
        lambda k: k.slug,
        lambda k: k.name,
        lambda k: KioskProfile.objects.filter(slug=k.slug).first(),
        exporting.kiosk_file,
        _as_is,
        readable_file,
        _write_kiosk,
        held=lambda profile: KIOSK_IN_USE if profile.in_use else "",
    ),
]


KIND = {kind.name: kind for kind in KINDS}


def compare(kind: Kind, item, current, content: files.Content) -> list[tuple[str, str]]:
    """The changed fields with their word diffs: the working copy's file against the pack's."""
    mine = kind.readable(item, content.references)
    keys: dict = {}
    theirs = kind.readable(kind.resolve(kind.to_file(current, keys), None), keys)
    names = [*mine, *(name for name in theirs if name not in mine)]
    return [
        (name, text_diff(theirs.get(name, ""), mine.get(name, "")))
        for name in names
        if theirs.get(name, "") != mine.get(name, "")
    ]


def import_pack(folder: str | Path, by, *, dry_run: bool = False) -> list[ItemResult]:
    """Read and check the pack, then bring each item in as a draft (all or nothing), written
    by `by` (a user)."""
    by = Writer(by)
    content = files.read(folder)  # ContentFileError lists every problem, before any write
    results = []
    with transaction.atomic():
        written = {}
        for kind in KINDS:
            for original in kind.items(content):
                item = kind.resolve(original, content)
                current = kind.current(item)
                diffs = [] if current is None else compare(kind, item, current, content)
                state = NEW if current is None else (CHANGED if diffs else UNCHANGED)
                note = kind.held(current) if state == CHANGED else ""
                results.append(
                    ItemResult(kind.name, kind.slug(item), kind.title(item), state, diffs, note)
                )
                if state != UNCHANGED and not note and not dry_run:
                    with _problems_in(content.paths.get(id(original), kind.name)):
                        written[kind.name, kind.slug(item)] = kind.write(current, item, content, by)
        for article in content.articles:
            condition = written.get(("article", article.slug))
            if condition is None:
                continue
            wanted = list(Condition.objects.filter(slug__in=article.related))
            if {c.pk for c in condition.related.all()} != {c.pk for c in wanted}:
                condition.related.set(wanted)
        if dry_run:
            transaction.set_rollback(True)
    return results
