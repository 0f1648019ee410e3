"""Which language's content a patient reads: the approved translation whole, or the English whole.

No silent mixing: a page is shown translated only when its approved translation gives every
text of the live English version; otherwise the patient reads the English with a notice in
their language (the `ContentLanguage` the templates show). The language is the active one
(`get_language()`: the URL prefix, cookie or Accept-Language chose it); English asks nothing
of the database, so English pages keep their query counts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation as i18n

from conditions.models.translations import (
    HTML,
    ContentTranslation,
    is_source_language,
    offered_languages,
)


@dataclass
class ContentLanguage:
    """What the page tells the patient about the language of its content."""

    requested: str  # the patient's language
    lang: str  # the language of the content shown (a BCP 47 tag for the lang attribute)
    fallback: bool = False  # shown in English because no complete approved translation exists
    translation: ContentTranslation | None = None
    outdated_notice: bool = False  # the English changed more than the grace period ago
    english_url: str = ""
    language_name: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def translated(self) -> bool:
        return self.translation is not None


def requested_language() -> str:
    return (i18n.get_language() or settings.LANGUAGE_CODE).lower()


def approved_translation(kind: str, live_item, language: str) -> ContentTranslation | None:
    """The approved translation of a live item into `language` (one query), or None."""
    if live_item is None or not live_item.is_live:
        return None
    return (
        ContentTranslation.objects.approved()
        .filter(**{f"{kind}__live": live_item, "language": language})
        .select_related("reviewer")
        .first()
    )


def _choose(kind: str, live_item, keys: list[str], url_name: str, slug: str):
    """(translation or None, ContentLanguage or None) for this page in the active language."""
    language = requested_language()
    if is_source_language(language):
        return None, None
    code = language.split("-")[0]
    with i18n.override(settings.LANGUAGE_CODE):
        from django.urls import reverse

        english = reverse(url_name, args=[slug])
    notice = ContentLanguage(
        requested=code,
        lang=settings.LANGUAGE_CODE,
        english_url=english,
        language_name=offered_languages().get(code, code),
    )
    translation = approved_translation(kind, live_item, code)
    if translation is None or any(not (translation.live_texts.get(k) or "").strip() for k in keys):
        notice.fallback = True
        return None, notice
    notice.lang = code
    notice.translation = translation
    notice.outdated_notice = translation.notice_due()
    return translation, notice


def _rid(row) -> int:
    return getattr(row, "source_id", None) or row.pk


# -- articles -------------------------------------------------------------------------------
def localise_article(condition, content: dict) -> ContentLanguage | None:
    """Put the approved translation into `condition` and its article `content` (from
    views.articles.article_content), in place; or leave the English and say so."""
    keys = []
    if condition.summary.strip():
        keys += ["name", "summary"]
    for s in content["sections"]:
        keys += [f"section.{_rid(s)}.heading", f"section.{_rid(s)}.body"]
        if s.part_title.strip():
            keys.append(f"section.{_rid(s)}.part_title")
    for f in content["faqs"]:
        keys += [f"faq.{_rid(f)}.question", f"faq.{_rid(f)}.answer"]
    for a in content["care_advice"]:
        keys.append(f"care.{_rid(a)}.signs")
        if (a.action or "").strip():
            keys.append(f"care.{_rid(a)}.action")
    if condition.also_known_as.strip():
        keys.append("also_known_as")
    translation, notice = _choose(
        "condition", condition, keys, "conditions:condition_detail", condition.slug
    )
    if translation is None:
        return notice
    t = translation.live_texts
    condition.name = t["name"]
    condition.summary = t["summary"]
    if "also_known_as" in keys:
        condition.also_known_as = t["also_known_as"]
        condition.__dict__.pop("synonyms", None)
    for s in content["sections"]:
        s.heading = t[f"section.{_rid(s)}.heading"]
        s.body_html = t[f"section.{_rid(s)}.body" + HTML]
        s.body_text = t[f"section.{_rid(s)}.body"]
        if s.part_title.strip():
            s.part_title = t[f"section.{_rid(s)}.part_title"]
    for f in content["faqs"]:
        f.question = t[f"faq.{_rid(f)}.question"]
        f.answer_html = t[f"faq.{_rid(f)}.answer" + HTML]
    for a in content["care_advice"]:
        a.signs_html = t[f"care.{_rid(a)}.signs" + HTML]
        if (a.action or "").strip():
            a.action = t[f"care.{_rid(a)}.action"]
    return notice


# -- treatment comparisons -------------------------------------------------------------------
ROW_FIELDS = ("involves", "effectiveness", "pain", "downtime", "risks", "reason")
OPTION_FIELDS = ("name", "who_does_it")  # the shared option, as the comparison shows it


def localise_comparison(comparison, rows: list, slug: str) -> ContentLanguage | None:
    keys = ["intro"] if (comparison.intro or "").strip() else []
    for r in rows:
        tid = r.treatment.source_id or r.treatment.pk
        keys += [f"option.{tid}.{f}" for f in OPTION_FIELDS if getattr(r.treatment, f).strip()]
        keys += [f"row.{_rid(r)}.{f}" for f in ROW_FIELDS if (getattr(r, f) or "").strip()]
    translation, notice = _choose(
        "comparison", comparison, keys, "conditions:treatment_comparison", slug
    )
    if translation is None:
        return notice
    t = translation.live_texts
    if keys and keys[0] == "intro":
        comparison.intro = t["intro"]
    for r in rows:
        for f in ROW_FIELDS:
            if (getattr(r, f) or "").strip():
                setattr(r, f, t[f"row.{_rid(r)}.{f}"])
        tid = r.treatment.source_id or r.treatment.pk
        for f in OPTION_FIELDS:
            if getattr(r.treatment, f).strip():
                setattr(r.treatment, f, t[f"option.{tid}.{f}"])
    return notice


# -- questionnaires --------------------------------------------------------------------------
def questionnaire_keys(spec: dict) -> list[str]:
    keys = []
    for q in spec["questions"]:
        keys += [
            f"question.{q['key']}.{f}"
            for f in ("text", "help_text", "error_text", "unit")
            if (q.get(f) or "").strip()
        ]
        keys += [f"answer.{q['key']}.{o['code']}" for o in q["options"] if o["text"].strip()]
    for o in spec["outcomes"]:
        keys += [f"outcome.{o['slug']}.title", f"outcome.{o['slug']}.explanation"]
        if (o.get("next_steps_html") or "").strip():
            keys.append(f"outcome.{o['slug']}.next_steps")
    return keys


def translated_spec(spec: dict, texts: dict) -> dict:
    """Pure: the spec with every text replaced by its translation (all keys present)."""
    spec = copy.deepcopy(spec)
    spec["title"] = texts.get("title", spec["title"])
    for q in spec["questions"]:
        for f in ("text", "help_text", "error_text", "unit"):
            if (q.get(f) or "").strip():
                q[f] = texts[f"question.{q['key']}.{f}"]
        for o in q["options"]:
            if o["text"].strip():
                o["text"] = texts[f"answer.{q['key']}.{o['code']}"]
    for o in spec["outcomes"]:
        o["title"] = texts[f"outcome.{o['slug']}.title"]
        o["explanation"] = texts[f"outcome.{o['slug']}.explanation"]
        if (o.get("next_steps_html") or "").strip():
            o["next_steps_html"] = texts[f"outcome.{o['slug']}.next_steps" + HTML]
    return spec


def localise_questionnaire(questionnaire, spec: dict) -> tuple[dict, ContentLanguage | None]:
    """The spec (and title, introduction) a patient answers: all in their language, or all in
    English with a notice. Never half and half."""
    keys = ["title", "intro", *questionnaire_keys(spec)]
    translation, notice = _choose(
        "questionnaire",
        questionnaire,
        keys,
        "conditions:questionnaire_start",
        questionnaire.slug,
    )
    if translation is None:
        return spec, notice
    questionnaire.title = translation.live_texts["title"]
    questionnaire.intro = translation.live_texts["intro"]
    return translated_spec(spec, translation.live_texts), notice


def fhir_translations(questionnaire, spec: dict) -> dict[str, dict]:
    """{language: approved texts} for every language whose approved translation covers this
    version of the questionnaire whole (for the FHIR translation extension)."""
    keys = ["title", *questionnaire_keys(spec)]
    found = {}
    rows = ContentTranslation.objects.approved().filter(questionnaire__live=questionnaire)
    for t in rows.only("language", "live_texts"):
        if all((t.live_texts.get(k) or "").strip() for k in keys):
            found[t.language] = t.live_texts
    return found
