"""Demo translations: readable TOML files under content/translations/<language>/, loaded after
the English.

They are DEMONSTRATION translations, written for the demo and awaiting review by a clinician who
reads the language. So that the demo can show a patient page in Polish while saying so, each is
approved by an example account named for what it is ("Demo translation reviewer (example
account, not a Polish-speaking clinician)"), in the "Example accounts" group: its approvals are
marked `is_example`, and patient pages label the translation "Demonstration translation: it is
awaiting review by a clinician who reads Polish". The approval goes through the same model rules
as any other (ContentTranslation.publish): a file missing one question, answer or outcome is
refused by the safety check, and loading fails, as it should.

File format (one questionnaire per file): `questionnaire` (its slug), `language`, `title`,
`intro`, `yes` / `no` (the answers of every yes/no question), `[questions.<key>]` with `text`,
`help_text`, `error_text`, `unit` and `answers.<code>`, and `[outcomes.<slug>]` with `title`,
`explanation` and `next_steps` (Markdown). Keys are those of the English questionnaire; an
unknown key is an error, not silently ignored.

An article file (`article` = its slug) gives `name`, `summary`, `also_known_as` (a list),
`[sections.<anchor>]` with `heading`, `part_title` and `body`, `[[faqs]]` in the English order
with `question` and `answer`, and `[care.<level>]` with `signs` and `action`. Citations are
written as in the English files ([[key]]) and become the article's reference numbers, as the
English do. ContentTranslation keys articles' parts by the working row's id; the file names
them by what is stable in the English file (a section's anchor, an FAQ's place, advice's
level) and the loader maps them to the rows. The file must give every part, no more.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from conditions.demo import example_account
from conditions.models import Condition, ContentTranslation, Question, Questionnaire
from conditions.models.translations import ReviewerProfile, offered_languages
from conditions.roles import REVIEWER_GROUP

CONTENT = Path(__file__).resolve().parent / "content" / "translations"
LANGUAGE_NAMES = {"pl": "Polish", "ur": "Urdu"}


class TranslationFileError(ValueError):
    pass


def translation_reviewer(language: str):
    """The example account that approves the demo translations into `language`."""
    name = LANGUAGE_NAMES.get(language, language)
    user, _created = example_account(
        f"demo-translation-reviewer-{language}",
        [REVIEWER_GROUP],
        first_name="Demo translation reviewer",
        last_name=f"(example account, not a {name}-speaking clinician)",
        email=f"demo-translation-reviewer-{language}@clinic.example",
    )
    ReviewerProfile.objects.update_or_create(user=user, defaults={"languages": language})
    return user


def questionnaire_texts(data: dict, questionnaire: Questionnaire) -> dict[str, str]:
    """The file's texts under ContentTranslation keys, checked against the questionnaire."""
    texts = {"title": data["title"], "intro": data["intro"]}
    questions = {q.key: q for q in questionnaire.questions.prefetch_related("options")}
    unknown = sorted(set(data.get("questions", {})) - set(questions))
    if unknown:
        raise TranslationFileError(f"Unknown question keys: {', '.join(unknown)}")
    for key, entry in data.get("questions", {}).items():
        question = questions[key]
        for field in ("text", "help_text", "error_text", "unit"):
            if entry.get(field):
                texts[f"question.{key}.{field}"] = entry[field]
        answers = dict(entry.get("answers", {}))
        if question.kind == Question.Kind.YES_NO:
            answers = {"yes": data["yes"], "no": data["no"], **answers}
        codes = {o.code for o in question.options.all()}
        if set(answers) - codes:
            raise TranslationFileError(f"Unknown answer codes for {key}: {set(answers) - codes}")
        for code, text in answers.items():
            texts[f"answer.{key}.{code}"] = text
    outcomes = set(questionnaire.outcomes.values_list("slug", flat=True))
    if set(data.get("outcomes", {})) - outcomes:
        raise TranslationFileError(f"Unknown outcomes: {set(data['outcomes']) - outcomes}")
    for slug, entry in data.get("outcomes", {}).items():
        for field in ("title", "explanation", "next_steps"):
            if entry.get(field):
                texts[f"outcome.{slug}.{field}"] = entry[field].strip()
    return texts


def article_texts(data: dict, condition: Condition) -> dict[str, str]:
    """An article file's texts under ContentTranslation keys (working row ids), checked
    against the working copy's sections, FAQs and care advice."""
    from conditions.demo.articles import ARTICLES
    from conditions.packs.importing import cite_by_number

    english = next(a for a in ARTICLES if a.slug == condition.slug)

    def cite(text: str) -> str:
        return cite_by_number(text.strip(), english.references)

    texts = {"name": data["name"], "summary": data["summary"].strip()}
    if data.get("also_known_as"):
        texts["also_known_as"] = "\n".join(data["also_known_as"])
    sections = {s.slug: s for s in condition.sections.all()}
    given = data.get("sections", {})
    if set(given) != set(sections):
        raise TranslationFileError(
            f"Sections of {condition.slug}: unknown {sorted(set(given) - set(sections))}, "
            f"missing {sorted(set(sections) - set(given))}"
        )
    for anchor, entry in given.items():
        section = sections[anchor]
        texts[f"section.{section.pk}.heading"] = entry["heading"]
        texts[f"section.{section.pk}.body"] = cite(entry["body"])
        if section.part_title.strip():
            texts[f"section.{section.pk}.part_title"] = entry["part_title"]
    faqs = list(condition.faqs.order_by("order", "pk"))
    if len(data.get("faqs", [])) != len(faqs):
        raise TranslationFileError(
            f"{condition.slug} has {len(faqs)} FAQs; the file gives {len(data.get('faqs', []))}"
        )
    for faq, entry in zip(faqs, data.get("faqs", []), strict=True):
        texts[f"faq.{faq.pk}.question"] = entry["question"]
        texts[f"faq.{faq.pk}.answer"] = cite(entry["answer"])
    advice = {a.level: a for a in condition.care_advice.all()}
    given = data.get("care", {})
    if set(given) != set(advice):
        raise TranslationFileError(f"Care advice levels of {condition.slug}: {sorted(advice)}")
    for level, entry in given.items():
        texts[f"care.{advice[level].pk}.signs"] = entry["signs"].strip()
        if advice[level].action.strip():
            texts[f"care.{advice[level].pk}.action"] = entry["action"]
    return texts


def _item(data: dict):
    """(field, working copy) the file translates, or (field, None) when it is not loaded."""
    if "article" in data:
        return "condition", Condition.objects.filter(slug=data["article"], is_live=False).first()
    return "questionnaire", Questionnaire.objects.filter(slug=data["questionnaire"]).first()


def load(author, reviewer) -> list[str]:
    """Load every demo translation file whose item and language exist; approve it with the
    example translation reviewer. Existing translations are left as they are."""
    created = []
    for path in sorted(CONTENT.glob("*/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        language = data["language"]
        if language not in offered_languages():
            continue  # the clinic does not offer it
        field, item = _item(data)
        if item is None or not item.is_published:
            continue
        if ContentTranslation.objects.filter(**{field: item, "language": language}).exists():
            continue
        if field == "condition":
            texts = article_texts(data, item)
        else:
            texts = questionnaire_texts(data, item)
        translation = ContentTranslation.objects.create(
            **{field: item}, language=language, author=author, texts=texts
        )
        translation.record_change(author)
        translation.submit_for_review(author)
        translation.publish(translation_reviewer(language), attested=True)
        created.append(f"{item.slug} ({language})")
    return created
