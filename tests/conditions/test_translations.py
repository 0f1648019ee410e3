"""Translated content, each translation with its own review.

Patients read a translation only when a reviewer who reads its language approved it, and only
whole: otherwise the English whole, with a notice in their language.
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

from conditions import content_languages, fhir, safety
from conditions.models import (
    AnswerOption,
    Condition,
    ContentTranslation,
    Question,
    Questionnaire,
    ReviewerProfile,
    Status,
)
from conditions.models.translations import (
    HTML,
    offered_languages,
    search_config,
    translatable_texts,
)
from tests.conditions.test_editorial_workflow import (
    live_article,
    live_comparison,
    live_questionnaire,
)
from tests.factories import UserFactory, make_live, reviewer_user

pytestmark = pytest.mark.django_db

PL_ARTICLE = {
    "name": "Prosaki",
    "also_known_as": "kaszaki\nbiałe grudki",
    "summary": "Prosaki to małe, twarde, białe grudki pod skórą. Są niegroźne.",
    "faq.question": "Czy mogę je wycisnąć?",
    "faq.answer": "Nie.",
    "care.signs": "- grudka, która rośnie",
    "section.heading": "Jak wyglądają",
    "section.body": "Małe, okrągłe, białe grudki.",
}

PL_QUESTIONNAIRE = {
    "title": "Białe plamki",
    "intro": "Kilka pytań.",
    "question.rash.text": "Czy jest wysypka, która nie blednie?",
    "answer.rash.yes": "Tak",
    "answer.rash.no": "Nie",
    "outcome.call-999.title": "Zadzwoń teraz pod 999",
    "outcome.call-999.explanation": "Wysypka, która nie blednie, może być groźna.",
    "outcome.call-999.next_steps": "Zadzwoń teraz pod 999.",
    "outcome.self-care.title": "Dbaj o skórę w domu",
    "outcome.self-care.explanation": "To wygląda na prosaki.",
    "outcome.self-care.next_steps": "Zostaw je w spokoju.",
}


def polish_reader(**kwargs):
    user = reviewer_user(**kwargs)
    ReviewerProfile.objects.create(user=user, languages="pl")
    return user


def article_texts(condition: Condition) -> dict:
    """The Polish for every text of the test article, keyed as the admin keys it."""
    texts = {}
    for t in translatable_texts(condition):
        kind = t.key.split(".")[0]
        field = t.key.split(".")[-1]
        texts[t.key] = PL_ARTICLE.get(t.key) or PL_ARTICLE[f"{kind}.{field}"]
    return texts


def author():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Author"))
    return user


def translated_article(approve=True):
    condition = live_article()
    condition.also_known_as = "milk spots"
    make_live(condition)
    translator = author()
    translation_ = ContentTranslation.objects.create(
        condition=condition, language="pl", author=translator, texts=article_texts(condition)
    )
    translation_.record_change(translator)
    if approve:
        translation_.publish(polish_reader(first_name="Anna", last_name="Nowak"), attested=True)
    return condition, translation_


def polish(client, url_name, *args, **extra):
    """A patient reading in Polish (the URL prefix where the site has one, and the header)."""
    with translation.override("pl"):
        url = reverse(url_name, args=args)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="pl", **extra)


def english(client, url_name, *args):
    return client.get(reverse(url_name, args=args), HTTP_ACCEPT_LANGUAGE="en-gb")


# -- the workflow --------------------------------------------------------------------------------
def test_a_page_with_no_approved_translation_is_english_whole_with_a_notice(client):
    condition, _t = translated_article(approve=False)
    page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert 'class="language-notice"' in page
    assert 'lang="pl"' in page
    with translation.override("pl"):
        assert translation.gettext("This page is not yet available in your language.") in page
    assert condition.summary in page
    assert PL_ARTICLE["summary"] not in page  # the unapproved draft never reaches patients
    assert '<main id="main" class="wrap" tabindex="-1" lang="en-gb" dir="ltr">' in page


def test_english_shown_on_an_urdu_page_runs_left_to_right_under_a_right_to_left_notice(client):
    translated_article(approve=False)
    with translation.override("ur"):
        url = reverse("conditions:condition_detail", args=["milia"])
    page = client.get(url).content.decode()
    assert '<html lang="ur" dir="rtl">' in page
    # The English article text keeps its own direction (full stops stay at the end of lines).
    assert '<main id="main" class="wrap" tabindex="-1" lang="en-gb" dir="ltr">' in page
    assert 'class="language-notice" role="note" lang="ur" dir="rtl"' in page


def test_an_english_reader_sees_no_language_notice(client):
    translated_article()
    page = english(client, "conditions:condition_detail", "milia").content.decode()
    assert "language-notice" not in page
    assert PL_ARTICLE["summary"] not in page


def test_an_approved_translation_is_shown_whole_with_its_own_reviewer(client):
    condition, t = translated_article()
    page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert PL_ARTICLE["summary"] in page
    assert "Jak wyglądają" in page and "Czy mogę je wycisnąć?" in page
    assert "grudka, która rośnie" in page
    assert condition.live.summary not in page
    assert "Anna Nowak" in page
    assert '<main id="main" class="wrap" tabindex="-1" lang="pl" dir="ltr">' in page
    assert '"inLanguage": "pl"' in page
    assert t.reviewer.get_full_name() == "Anna Nowak" and t.last_reviewed == timezone.localdate()


def test_only_a_reviewer_who_reads_the_language_may_approve_it(client):
    _c, t = translated_article(approve=False)
    urdu_reader = reviewer_user()
    ReviewerProfile.objects.create(user=urdu_reader, languages="ur")
    with pytest.raises(PermissionDenied, match="reads Polski"):
        t.publish(urdu_reader, attested=True)
    with pytest.raises(PermissionDenied):
        t.publish(reviewer_user(), attested=True)  # no profile: reads no language on record
    with pytest.raises(PermissionDenied):
        t.publish(UserFactory(), attested=True)  # not a clinical reviewer at all
    t.refresh_from_db()
    assert t.approved_at is None and t.live_texts == {}


def test_the_translator_cannot_approve_their_own_translation():
    _c, t = translated_article(approve=False)
    translator = t.author
    translator.groups.add(*reviewer_user().groups.all())
    ReviewerProfile.objects.create(user=translator, languages="pl")
    with pytest.raises(ValidationError, match="four-eyes"):
        t.publish(translator, attested=True)


def test_an_incomplete_article_translation_is_refused():
    condition, t = translated_article(approve=False)
    t.texts.pop(next(k for k in t.texts if k.startswith("faq.")))
    t.record_change(t.author)
    with pytest.raises(ValidationError, match="Not yet translated"):
        t.publish(polish_reader(), attested=True)


def test_an_edit_to_an_approved_translation_waits_for_its_approval(client):
    _c, t = translated_article()
    t.texts["summary"] = "Nowe, jeszcze niesprawdzone streszczenie."
    t.record_change(UserFactory())
    assert t.status == Status.DRAFT and t.approved_at is not None
    page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert PL_ARTICLE["summary"] in page
    assert "niesprawdzone" not in page
    t.publish(polish_reader(), attested=True)
    page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert "niesprawdzone" in page  # approving purged the cached Polish page


def _republish_english(condition, summary):
    condition.refresh_from_db()
    condition.summary = summary
    condition.record_change(UserFactory())
    condition.publish(reviewer_user(), attested=True)


def test_a_changed_english_source_marks_the_translation_out_of_date_then_tells_patients(client):
    condition, t = translated_article()
    _republish_english(condition, "Milia are tiny white bumps. This sentence is new.")
    t.refresh_from_db()
    assert t.is_out_of_date
    assert t in ContentTranslation.objects.out_of_date()
    page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert PL_ARTICLE["summary"] in page  # within the grace period: shown, no notice yet
    assert "outdated-note" not in page
    later = timezone.now() + datetime.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert "outdated-note" in page
    assert 'href="/conditions/milia/" hreflang="en"' in page
    # Approved again: up to date, the notice goes.
    t.texts["summary"] = "Prosaki to małe białe grudki. To zdanie jest nowe."
    t.record_change(UserFactory())
    t.publish(polish_reader(), attested=True)
    assert not t.is_out_of_date


def test_republishing_the_english_without_changing_its_text_keeps_the_translation_current():
    condition, t = translated_article()
    condition.refresh_from_db()
    condition.next_review_due = timezone.localdate() + datetime.timedelta(days=200)
    condition.record_change(UserFactory())
    condition.publish(reviewer_user(), attested=True)
    t.refresh_from_db()
    assert not t.is_out_of_date


def test_an_english_section_added_after_approval_sends_polish_readers_to_the_english_whole(
    client,
):
    condition, _t = translated_article()
    condition.refresh_from_db()
    condition.sections.create(heading="A new section", body="New English text.", order=99)
    condition.record_change(UserFactory())
    condition.publish(reviewer_user(), attested=True)
    page = polish(client, "conditions:condition_detail", "milia").content.decode()
    assert "New English text." in page
    assert PL_ARTICLE["summary"] not in page  # never half Polish, half English
    assert 'class="language-notice"' in page


def test_a_polish_article_costs_one_query_more_than_english(client):
    translated_article()
    with CaptureQueriesContext(connection) as queries:
        assert polish(client, "conditions:condition_detail", "milia").status_code == 200
    assert len(queries) <= 5, [q["sql"] for q in queries]


# -- questionnaires ------------------------------------------------------------------------------
def translated_questionnaire(texts=None, approve=True):
    questionnaire = live_questionnaire()
    translator = UserFactory()
    t = ContentTranslation.objects.create(
        questionnaire=questionnaire,
        language="pl",
        author=translator,
        texts=dict(texts or PL_QUESTIONNAIRE),
    )
    t.record_change(translator)
    if approve:
        t.publish(polish_reader(), attested=True)
    return questionnaire, t


def test_a_half_translated_questionnaire_is_refused_by_the_safety_check():
    texts = {k: v for k, v in PL_QUESTIONNAIRE.items() if k != "answer.rash.no"}
    _q, t = translated_questionnaire(texts, approve=False)
    with pytest.raises(ValidationError) as refused:
        t.publish(polish_reader(), attested=True)
    assert any("Answer “No”" in m for m in refused.value.messages)
    t.refresh_from_db()
    assert t.approved_at is None


def test_the_safety_check_names_every_untranslated_question_answer_and_outcome():
    questionnaire = live_questionnaire()
    problems = safety.translation_problems(questionnaire.spec(), {}, "Polish")
    assert len(problems) == 1 + 2 + 2 * 3  # a question, two answers, two outcomes of three texts
    assert safety.translation_problems(questionnaire.spec(), PL_QUESTIONNAIRE, "Polish") == []


def test_a_translated_questionnaire_is_asked_in_polish(client):
    translated_questionnaire()
    page = polish(client, "conditions:questionnaire_start", "white-spots").content.decode()
    assert "Białe plamki" in page and "Kilka pytań." in page
    assert "White spots" not in page
    with translation.override("pl"):
        step = reverse("conditions:questionnaire_step", args=["white-spots", "rash"])
    page = client.get(step, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Czy jest wysypka, która nie blednie?" in page
    assert "Tak" in page and "Nie" in page and "Is there a rash" not in page
    # The red-flag answer ends the questionnaire at once, with the urgent outcome in Polish.
    result = client.post(step, {"answer": "yes"}, HTTP_ACCEPT_LANGUAGE="pl", follow=True)
    page = result.content.decode()
    assert page.count("Zadzwoń teraz pod 999") >= 3  # the title (in <title> and <h1>), the steps
    assert "Call 999 now" not in page


def test_a_questionnaire_whose_english_gained_an_answer_falls_back_to_english_whole(client):
    questionnaire, _t = translated_questionnaire()
    questionnaire.refresh_from_db()
    question = Question.objects.create(
        questionnaire=questionnaire, order=2, key="spots", text="Are the spots white?"
    )
    question.kind = Question.Kind.YES_NO
    question.save()
    AnswerOption.objects.create(question=question, order=0, code="yes", text="Yes")
    AnswerOption.objects.create(question=question, order=1, code="no", text="No")
    questionnaire.record_change(UserFactory())
    questionnaire.publish(reviewer_user(), attested=True)
    live = Questionnaire.objects.published().get(slug="white-spots")
    with translation.override("pl"):
        shown, notice = content_languages.localise_questionnaire(live, live.spec())
    assert notice.fallback and not notice.translated
    assert shown["title"] == "White spots"
    assert [q["text"] for q in shown["questions"]] == [
        "Is there a rash that does not fade?",
        "Are the spots white?",
    ]


def test_the_fhir_questionnaire_carries_its_translations_and_validates(client):
    translated_questionnaire()
    response = client.get("/check/white-spots/fhir/")
    document = json.loads(response.content)
    FhirQuestionnaire.model_validate(document)
    assert document["_title"]["extension"][0] == {
        "url": "http://hl7.org/fhir/StructureDefinition/translation",
        "extension": [
            {"url": "lang", "valueCode": "pl"},
            {"url": "content", "valueString": "Białe plamki"},
        ],
    }
    item = document["item"][0]
    assert item["_text"]["extension"][0]["extension"][1]["valueString"] == (
        "Czy jest wysypka, która nie blednie?"
    )
    assert "answerOption" not in item  # yes/no is boolean in FHIR: no answer texts


def test_answer_texts_carry_their_translations_in_fhir():
    questionnaire = live_questionnaire()
    spec = questionnaire.spec()
    spec["questions"][0]["kind"] = "single"
    document = fhir.questionnaire_resource(
        spec, "https://clinic.example/check/white-spots/", translations={"pl": PL_QUESTIONNAIRE}
    )
    FhirQuestionnaire.model_validate(document)
    displays = [
        o["valueCoding"]["_display"]["extension"][0]["extension"][1]["valueString"]
        for o in document["item"][0]["answerOption"]
    ]
    assert displays == ["Tak", "Nie"]


def test_the_fhir_translation_extension_is_left_out_without_translations(client):
    live_questionnaire()
    document = json.loads(client.get("/check/white-spots/fhir/").content)
    assert "_title" not in document
    assert fhir.translation_extension({}) is None


# -- search --------------------------------------------------------------------------------------
def test_search_in_polish_finds_polish_words_and_synonyms(client):
    translated_article()
    assert not Condition.objects.search("kaszaki")  # English readers: not their words
    found = Condition.objects.search("kaszaki", language="pl")
    assert [c.slug for c in found] == ["milia"]
    assert found[0].name == "Prosaki" and found[0].matched_synonym == "kaszaki"
    assert [c.slug for c in Condition.objects.search("grudki pod skórą", language="pl")] == [
        "milia"
    ]
    # English words still find the page for a Polish reader, named in Polish.
    english_words = Condition.objects.search("milia", language="pl")
    assert [(c.slug, c.name) for c in english_words] == [("milia", "Prosaki")]
    page = polish(client, "conditions:search").content.decode()
    assert page  # the search page itself answers in Polish


def test_the_search_page_uses_the_patient_s_language(client):
    translated_article()
    with translation.override("pl"):
        url = reverse("conditions:search")
    page = client.get(url, {"q": "kaszaki"}, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Prosaki" in page


def test_each_language_has_a_postgresql_search_configuration():
    assert search_config("en-gb") == "english"
    assert search_config("pl") == "simple"  # PostgreSQL has no Polish configuration
    assert search_config("ur") == "simple"
    assert set(offered_languages()) == {"pl", "ur"}


@pytest.mark.postgres
def test_search_in_polish_on_postgresql_uses_the_simple_configuration():
    translated_article()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname IN ('polish', 'simple')")
        assert [row[0] for row in cursor.fetchall()] == ["simple"]
    found = Condition.objects.search("grudki", language="pl")
    assert [(c.slug, c.name) for c in found] == [("milia", "Prosaki")]
    assert [c.slug for c in Condition.objects.search("kaszaki", language="pl")] == ["milia"]


# -- the admin -----------------------------------------------------------------------------------
def test_the_admin_shows_the_english_beside_each_translated_field(client):
    condition, t = translated_article(approve=False)
    client.force_login(t.author)
    url = reverse("admin:conditions_contenttranslation_change", args=[t.pk])
    page = client.get(url).content.decode()
    assert '<td lang="en-GB"><div class="readonly translation-source">' in page
    assert condition.live.summary in page
    assert 'name="t__summary"' in page and PL_ARTICLE["summary"] in page
    form = {f"t__{k}": v for k, v in t.texts.items()}
    form["t__summary"] = "Zmienione w panelu."
    form["version"] = t.version
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    t.refresh_from_db()
    assert t.texts["summary"] == "Zmienione w panelu."
    assert t.live_texts == {}  # saved as the working translation only


def test_a_polish_reader_approves_in_the_admin_and_a_non_reader_is_refused(client):
    _c, t = translated_article(approve=False)
    workflow = reverse("admin:conditions_contenttranslation_workflow", args=[t.pk, "approve"])
    client.force_login(reviewer_user())
    client.post(workflow, {"attested": "on", "version": t.version})
    t.refresh_from_db()
    assert t.approved_at is None
    client.force_login(polish_reader())
    client.post(workflow, {"attested": "on", "version": t.version})
    t.refresh_from_db()
    assert t.approved_at is not None and t.live_texts["summary"] == PL_ARTICLE["summary"]
    assert t.live_texts["section." + str(_c.sections.get().pk) + ".body" + HTML].startswith("<p>")


# -- treatment comparisons ----------------------------------------------------------------------
def test_a_comparison_is_shown_in_polish_only_once_its_translation_is_approved(client):
    comparison = live_comparison()
    slug = comparison.condition.slug
    translator = author()
    texts = {t.key: f"PL {t.english}" for t in translatable_texts(comparison)}
    assert any(k.startswith("option.") and k.endswith(".name") for k in texts)
    t = ContentTranslation.objects.create(
        comparison=comparison, language="pl", author=translator, texts=texts
    )
    t.record_change(translator)
    page = polish(client, "conditions:treatment_comparison", slug).content.decode()
    assert 'class="language-notice"' in page and "PL " not in page
    t.publish(polish_reader(), attested=True)
    page = polish(client, "conditions:treatment_comparison", slug).content.decode()
    assert "PL De-roofing" in page and "PL Every option, side by side." in page
    assert 'id="translation-review"' in page and 'lang="pl"' in page
    assert "language-notice" not in page  # reviewed, current, not a demonstration: no banner
