"""What an author types never reaches a patient as script; reading grades are honest."""

import pytest

from conditions import content
from conditions.models import FAQ, CareAdvice, Section
from tests.factories import ConditionFactory, make_live

NASTY = (
    "Hello <script>alert('x')</script> there.\n\n"
    '<img src="x.png" onerror="alert(1)">\n\n'
    "[a trick](javascript:alert(2)) and "
    '<a href="JaVaScRiPt:alert(3)">another</a> and '
    '<a href="https://www.nhs.uk/" onclick="alert(4)">a real link</a>\n\n'
    '<p style="color:red" onmouseover="alert(5)">styled</p>'
)


def assert_harmless(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "alert(" not in lowered
    assert "onerror" not in lowered
    assert "onclick" not in lowered
    assert "onmouseover" not in lowered
    assert "javascript:" not in lowered
    assert "style=" not in lowered


def test_render_markdown_strips_script_handlers_and_javascript_urls():
    html = content.render_markdown(NASTY)
    assert_harmless(html)
    assert 'href="https://www.nhs.uk/"' in html
    assert "a real link" in html


def test_stored_html_is_sanitised_again_on_render():
    html = content.sanitise_html('<p onclick="x()">Hi</p><script>bad()</script>')
    assert html == "<p>Hi</p>"


@pytest.mark.django_db
def test_script_typed_by_an_author_never_reaches_the_patient_page(client):
    condition = ConditionFactory(published=True, with_content=False)
    Section.objects.create(condition=condition, heading="What it is", body=NASTY)
    FAQ.objects.create(condition=condition, question="Is it safe?", answer=NASTY)
    CareAdvice.objects.create(condition=condition, level="routine", signs=NASTY)
    condition.references.create(title="Milia", publisher="NHS", url="https://www.nhs.uk/")
    make_live(condition)  # approved as typed
    response = client.get(f"/conditions/{condition.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert_harmless(body)
    assert "a real link" in body


@pytest.mark.django_db
def test_html_written_straight_into_the_database_is_still_cleaned_on_the_page(client):
    condition = ConditionFactory(published=True)
    Section.objects.filter(condition=condition.live).update(
        body_html='<p>Fine</p><script>steal()</script><img src=x onerror="steal()">'
    )
    page = client.get(f"/conditions/{condition.slug}/").content.decode()
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "steal()" not in body
    assert "<p>Fine</p>" in body


# -- reading grades --------------------------------------------------------------------------
SHORT = "The spots are small. They do not hurt. They go away on their own. "
HARD = (
    "Comprehensive dermatological investigations occasionally demonstrate considerable "
    "heterogeneity regarding characteristic keratinocyte differentiation abnormalities. "
)


def test_plain_text_reads_below_grade_8_and_dense_text_above():
    assert content.reading_grades(SHORT * 3).flesch_kincaid <= 8
    assert content.reading_grades(HARD * 3).flesch_kincaid > 8
    assert content.reading_grades(HARD * 3).over_target(8)
    assert not content.reading_grades(SHORT * 3).over_target(8)


def test_smog_is_given_only_with_30_or_more_sentences():
    few = content.reading_grades(SHORT * 9)  # 27 sentences
    assert few.sentences < 30 and few.smog is None
    enough = content.reading_grades(SHORT * 10)  # 30 sentences
    assert enough.sentences >= 30 and enough.smog is not None


def test_empty_text_has_no_grade():
    grades = content.reading_grades("   ")
    assert grades.flesch_kincaid is None and grades.smog is None


@pytest.mark.django_db
def test_refresh_derived_stores_the_grades_of_the_patient_text():
    condition = ConditionFactory(summary=HARD, with_content=False)
    Section.objects.create(condition=condition, heading="More", body=HARD * 2)
    condition.refresh_derived()
    condition.refresh_from_db()
    expected = content.reading_grades(condition.patient_text())
    assert condition.reading_grade == expected.flesch_kincaid > 8
    assert condition.smog_grade is None
    assert "heterogeneity" in condition.search_text


def test_reading_grade_never_goes_below_zero_for_very_short_text():
    grades = content.reading_grades("Go. See. Do it.")
    assert grades.flesch_kincaid == 0.0
