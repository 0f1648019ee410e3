"""'Was this page helpful?' and 'Report a problem': with and without JavaScript (HTMX)."""

import re

import pytest
from django.core import mail
from django.db import connection

from feedback.models import PageFeedback, ProblemReport
from tests.factories import ConditionFactory

from .conftest import PATIENT_IP

HX = {"HTTP_HX_REQUEST": "true"}


def answer_token(html: str) -> str:
    return re.search(r'name="answer" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    "path",
    ["/conditions/milia/", "/conditions/milia/treatments/", "/kiosk/conditions/milia/"],
)
def test_article_comparison_and_kiosk_pages_ask_if_they_were_helpful(patient, comparison, path):
    html = patient.get(path).text
    assert "Was this page helpful?" in html
    assert "Report a problem with this page" in html
    prefix = "/kiosk" if path.startswith("/kiosk") else ""
    kind = "comparison" if "treatments" in path else "article"
    assert f'action="{prefix}/feedback/{kind}/milia/helpful/"' in html
    assert 'role="status"' in html


def test_the_widget_keeps_the_article_cacheable_and_carries_no_token(patient, article):
    first = patient.get("/conditions/milia/")
    assert first["X-Page-Cache"] == "miss"
    assert "csrfmiddlewaretoken" not in first.text and not first.cookies
    assert patient.get("/conditions/milia/")["X-Page-Cache"] == "hit"


def test_not_helpful_without_javascript_then_a_note(patient, article):
    response = patient.post("/feedback/article/milia/helpful/", {"helpful": "no"})
    assert response.status_code == 303
    thanks = patient.get(response["Location"])
    assert "Thank you for telling us." in thanks.text
    assert "What was missing or wrong? (optional)" in thanks.text
    assert "Please do not include your name" in thanks.text
    note = patient.post(
        "/feedback/article/milia/note/",
        {"answer": answer_token(thanks.text), "note": "It does not say how long it lasts"},
    )
    assert note.status_code == 303 and note["Location"].endswith("done=noted")
    assert "sent to the people who write this page" in patient.get(note["Location"]).text
    row = PageFeedback.objects.get()
    assert (row.item, row.helpful, row.note) == (
        article,
        False,
        "It does not say how long it lasts",
    )


def test_helpful_with_htmx_swaps_the_box_and_announces_thanks(patient, article):
    response = patient.post("/feedback/article/milia/helpful/", {"helpful": "yes"}, **HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="page-feedback-status" hx-swap-oob="innerHTML">Thank you for your feedback.' in (
        response.text
    )
    assert "HX-Request" in response["Vary"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert PageFeedback.objects.get().helpful is True


def test_not_helpful_with_htmx_offers_the_note_and_keeps_it_with_the_same_answer(patient, article):
    response = patient.post("/feedback/article/milia/helpful/", {"helpful": "no"}, **HX)
    assert 'id="feedback-note"' in response.text and "data-focus" in response.text
    noted = patient.post(
        "/feedback/article/milia/note/",
        {"answer": answer_token(response.text), "note": "Email me: jo@example.com"},
        **HX,
    )
    assert "Your note has been sent" in noted.text
    assert list(PageFeedback.objects.values_list("helpful", "note")) == [
        (False, "Email me: [email]")
    ]


def test_a_note_cannot_be_added_twice_or_to_a_yes_or_with_a_forged_answer(patient, article):
    no = patient.post("/feedback/article/milia/helpful/", {"helpful": "no"}, **HX)
    token = answer_token(no.text)
    patient.post("/feedback/article/milia/note/", {"answer": token, "note": "first"}, **HX)
    patient.post("/feedback/article/milia/note/", {"answer": token, "note": "second"}, **HX)
    forged = patient.post("/feedback/article/milia/note/", {"answer": "1:x:y", "note": "x"}, **HX)
    assert forged.status_code == 400
    assert list(PageFeedback.objects.values_list("note", flat=True)) == ["first"]


def test_report_a_problem_without_javascript(patient, article, settings):
    settings.EDITORIAL_CONTACT_EMAIL = "editors@clinic.example"
    form = patient.get("/feedback/article/milia/report/")
    assert form.status_code == 200
    assert "Wrong information" in form.text and "A broken link" in form.text
    assert "Hard to understand" in form.text and "Something else" in form.text
    missing = patient.post("/feedback/article/milia/report/", {"note": "x"})
    assert missing.status_code == 400 and "Choose what kind of problem it is." in missing.text
    assert not ProblemReport.objects.exists()
    sent = patient.post(
        "/feedback/article/milia/report/",
        {"kind": "broken_link", "note": "The NHS link is dead. I'm on 07700 900123"},
    )
    assert sent.status_code == 303
    assert "An editor will check this page." in patient.get(sent["Location"]).text
    report = ProblemReport.objects.get()
    assert (report.kind, report.status) == ("broken_link", "new")
    assert report.note == "The NHS link is dead. I'm on [phone]"


def test_report_a_problem_with_htmx_and_the_editors_email(
    patient, article, settings, django_capture_on_commit_callbacks
):
    settings.EDITORIAL_CONTACT_EMAIL = "editors@clinic.example"
    box = patient.get("/feedback/article/milia/report/", **HX)
    assert "<html" not in box.text and 'name="kind"' in box.text
    with django_capture_on_commit_callbacks(execute=True):
        sent = patient.post(
            "/feedback/article/milia/report/", {"kind": "wrong", "note": "secret note"}, **HX
        )
    assert "An editor will check this page." in sent.text
    [email] = mail.outbox
    assert email.to == ["editors@clinic.example"]
    assert "Milia" in email.subject and "wrong information" in email.body
    assert f"/admin/conditions/condition/{article.pk}/change/" in email.body
    assert "secret note" not in email.body  # notes stay in the admin (and go after 90 days)


def test_no_editorial_address_no_email(
    patient, article, settings, django_capture_on_commit_callbacks
):
    settings.EDITORIAL_CONTACT_EMAIL = ""
    with django_capture_on_commit_callbacks(execute=True):
        patient.post("/feedback/article/milia/report/", {"kind": "other"})
    assert ProblemReport.objects.count() == 1 and mail.outbox == []


def test_questionnaire_feedback_is_about_the_questionnaire(patient, db):
    from tests.conditions.questionnaire_factories import urgent_questionnaire

    questionnaire = urgent_questionnaire(slug="spots-check")
    response = patient.post(
        f"/feedback/questionnaire/{questionnaire.slug}/helpful/", {"helpful": "yes"}
    )
    assert response.status_code == 303
    assert PageFeedback.objects.get().item == questionnaire


def test_kiosk_feedback_stays_in_the_kiosk(patient, article):
    response = patient.post("/kiosk/feedback/article/milia/helpful/", {"helpful": "no"})
    assert response["Location"].startswith("/kiosk/feedback/article/milia/thanks/")
    assert response["Cache-Control"] == "no-store"
    thanks = patient.get(response["Location"])
    assert 'href="/kiosk/conditions/milia/"' in thanks.text
    assert 'class="kiosk' in thanks.text


@pytest.mark.parametrize("slug", ["no-such-page", "draft-only"])
def test_feedback_only_for_published_pages(patient, db, slug):
    ConditionFactory(slug="draft-only", name="Draft only")
    assert patient.post(f"/feedback/article/{slug}/helpful/", {"helpful": "yes"}).status_code == 404
    assert (
        patient.post(f"/feedback/nonsense/{slug}/helpful/", {"helpful": "yes"}).status_code == 404
    )
    assert not PageFeedback.objects.exists()


def test_a_post_from_another_site_is_refused(patient, article):
    for headers in ({"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_SEC_FETCH_SITE": "cross-site"}):
        response = patient.post("/feedback/article/milia/helpful/", {"helpful": "yes"}, **headers)
        assert response.status_code == 403
    same = patient.post(
        "/feedback/article/milia/helpful/",
        {"helpful": "yes"},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert same.status_code == 303
    assert PageFeedback.objects.count() == 1


def test_posts_are_rate_limited_per_address_in_the_cache_only(patient, article, settings):
    settings.PORTAL_FEEDBACK_RATE = "3/600"
    codes = [
        patient.post("/feedback/article/milia/helpful/", {"helpful": "yes"}).status_code
        for _ in range(5)
    ]
    assert codes == [303, 303, 303, 429, 429]
    limited = patient.post("/feedback/article/milia/helpful/", {"helpful": "yes"}, **HX)
    assert limited.status_code == 429 and "a lot of feedback from this connection" in limited.text
    assert PageFeedback.objects.count() == 3
    # Another address still may.
    other = patient.post(
        "/feedback/article/milia/helpful/", {"helpful": "no"}, REMOTE_ADDR="192.0.2.9"
    )
    assert other.status_code == 303


def test_the_rows_hold_no_address_cookie_or_browser(patient, article):
    patient.cookies["tracking_probe"] = "cookie-value-xyz"
    patient.post("/feedback/article/milia/helpful/", {"helpful": "no"})
    patient.post("/feedback/article/milia/report/", {"kind": "hard", "note": "too long"})
    for model in (PageFeedback, ProblemReport):
        columns = {f.column for f in model._meta.concrete_fields}
        assert not columns & {"ip", "ip_address", "user_agent", "session", "cookie", "created_at"}
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            text = repr(cursor.fetchall())
        for needle in (PATIENT_IP, "cookie-value-xyz", "Mozilla", "Chrome"):
            assert needle not in text
    assert not patient.post(
        "/feedback/article/milia/helpful/", {"helpful": "yes"}
    ).cookies  # and none is set
