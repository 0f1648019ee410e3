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
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from conditions.models import ContentTranslation, Question, Questionnaire
from conditions.models.review import EXAMPLE_ACCOUNTS_GROUP
from conditions.models.translations import ReviewerProfile, offered_languages
from conditions.roles import REVIEWER_GROUP

CONTENT = Path(__file__).resolve().parent / "content" / "translations"
LANGUAGE_NAMES = {"pl": "Polish", "ur": "Urdu"}


class TranslationFileError(ValueError):
    pass


def translation_reviewer(language: str):
    """The example account that approves the demo translations into `language`."""
    name = LANGUAGE_NAMES.get(language, language)
    user, created = get_user_model().objects.get_or_create(
        username=f"demo-translation-reviewer-{language}",
        defaults={
            "first_name": "Demo translation reviewer",
            "last_name": f"(example account, not a {name}-speaking clinician)",
            "email": f"demo-translation-reviewer-{language}@clinic.example",
            "is_staff": True,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    for group in (REVIEWER_GROUP, EXAMPLE_ACCOUNTS_GROUP):
        user.groups.add(Group.objects.get_or_create(name=group)[0])
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


def load(author, reviewer) -> list[str]:
    """Load every demo translation file whose item and language exist; approve it with the
    example translation reviewer. Existing translations are left as they are."""
    created = []
    for path in sorted(CONTENT.glob("*/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        language = data["language"]
        if language not in offered_languages():
            continue  # the clinic does not offer it
        questionnaire = Questionnaire.objects.filter(slug=data["questionnaire"]).first()
        if questionnaire is None or not questionnaire.is_published:
            continue
        if ContentTranslation.objects.filter(
            questionnaire=questionnaire, language=language
        ).exists():
            continue
        translation = ContentTranslation.objects.create(
            questionnaire=questionnaire,
            language=language,
            author=author,
            texts=questionnaire_texts(data, questionnaire),
        )
        translation.record_change(author)
        translation.submit_for_review(author)
        translation.publish(translation_reviewer(language), attested=True)
        created.append(f"{questionnaire.slug} ({language})")
    return created
