"""One editorial workflow, the same tests for articles, treatment comparisons and questionnaires.

Each case builds a live item with every kind of part, then editors work through the admin with
the test client as they would in a browser: patients keep seeing the approved version until a
second clinician approves a newer one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conditions.models import (
    FAQ,
    AnswerOption,
    CareAdvice,
    ClinicalCode,
    Condition,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ReviewEvent,
    Status,
    Treatment,
    TreatmentComparison,
)
from tests.admin_forms import form_as_shown, messages_of
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    UserFactory,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db
NEW = "Edited by a test, not yet approved"


# -- the three kinds of content ---------------------------------------------------------------
def live_article():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    FAQ.objects.create(condition=condition, question="Can I squeeze them?", answer="No.")
    CareAdvice.objects.create(condition=condition, level="routine", signs="- a spot that grows")
    ClinicalCode.objects.create(
        condition=condition, system="icd-10-cm", code="L72.0", display="Epidermal cyst"
    )
    make_live(condition)
    return condition


def live_comparison():
    comparison = TreatmentComparisonFactory(published=True)
    ComparisonRowFactory(comparison=comparison, treatment=TreatmentFactory(name="De-roofing"))
    make_live(comparison)
    return comparison


def live_questionnaire():
    questionnaire = Questionnaire.objects.create(
        title="White spots", slug="white-spots", intro="A few questions.", status=Status.PUBLISHED
    )
    question = Question.objects.create(
        questionnaire=questionnaire, order=1, key="rash", text="Is there a rash that does not fade?"
    )
    question.kind = Question.Kind.YES_NO
    question.save()
    yes = AnswerOption.objects.create(question=question, order=0, code="yes", text="Yes")
    AnswerOption.objects.create(question=question, order=1, code="no", text="No")
    emergency = Outcome.objects.create(
        questionnaire=questionnaire,
        slug="call-999",
        title="Call 999 now",
        urgency="emergency",
        priority=100,
        rule="red_flag",
        explanation="A rash that does not fade can be serious.",
        next_steps="Call 999 now.",
    )
    OutcomeTrigger.objects.create(outcome=emergency, source_question=question, option=yes)
    Outcome.objects.create(
        questionnaire=questionnaire,
        slug="self-care",
        title="Look after it at home",
        urgency="self_care",
        rule="default",
        explanation="This sounds like milia.",
        next_steps="Leave them alone.",
    )
    questionnaire.reviewer = UserFactory()
    questionnaire.next_review_due = timezone.localdate() + datetime.timedelta(days=300)
    questionnaire.last_reviewed = timezone.localdate() - datetime.timedelta(days=10)
    make_live(questionnaire)
    return questionnaire


@dataclass
class Case:
    name: str
    model: type
    make: Callable
    # kind of change -> (admin page of the change, the field posted, live text to look for)
    edits: dict
    patient_url: Callable

    def admin_url(self, item, view="change", *args):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[item.pk, *args])


def own_page(field):
    return lambda item: (item, field)


ARTICLE = Case(
    "article",
    Condition,
    live_article,
    {
        "summary": own_page("summary"),
        "section": own_page("sections-0-body"),
        "faq": own_page("faqs-0-answer"),
        "care advice": own_page("care_advice-0-signs"),
        "reference": own_page("references-0-title"),
        "code": own_page("codes-0-display"),
    },
    lambda item: reverse("conditions:condition_detail", args=[item.slug]),
)
COMPARISON = Case(
    "comparison",
    TreatmentComparison,
    live_comparison,
    {
        "intro": own_page("intro"),
        "row": own_page("rows-1-risks"),
        "shared treatment": lambda item: (
            Treatment.objects.get(name="De-roofing"),
            "description",
        ),
    },
    lambda item: reverse("conditions:treatment_comparison", args=[item.condition.slug]),
)
QUESTIONNAIRE = Case(
    "questionnaire",
    Questionnaire,
    live_questionnaire,
    {
        "intro": own_page("intro"),
        "question": own_page("questions-0-text"),
        "outcome": own_page("outcomes-0-title"),
        "answer": lambda item: (Question.objects.get(questionnaire=item), "options-0-text"),
        "emergency advice": lambda item: (
            Outcome.objects.get(questionnaire=item, slug="call-999"),
            "next_steps",
        ),
    },
    lambda item: reverse("conditions:questionnaire_start", args=[item.slug]),
)
CASES = [ARTICLE, COMPARISON, QUESTIONNAIRE]
EDITS = [(case, kind) for case in CASES for kind in case.edits]


def ids(value):
    return value.name if isinstance(value, Case) else str(value)


@pytest.fixture
def author():
    from django.contrib.auth.models import Group

    user = UserFactory(username="author", first_name="Grace", last_name="Author")
    user.groups.add(Group.objects.get(name="Author"))
    return user


@pytest.fixture
def reviewer():
    return reviewer_user(username="reviewer", first_name="Sam", last_name="Lee")


@pytest.fixture
def second_reviewer():
    return reviewer_user(username="second", first_name="Ada", last_name="Second")


def admin_page_url(page) -> str:
    opts = page._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[page.pk])


def edit(client, user, page, field, value=NEW):
    """Open `page`'s change form as `user`, change `field`, save; return the response."""
    client.force_login(user)
    url = admin_page_url(page)
    data = form_as_shown(client.get(url))
    assert field in data, f"{field} not on the form: {sorted(data)}"
    data[field] = value
    return client.post(url, data)


def approve(client, user, case, item, attest=True):
    client.force_login(user)
    item.refresh_from_db()
    data = {"seen_version": item.version}
    if attest:
        data["attest"] = "on"
    return client.post(case.admin_url(item, "workflow", "publish"), data)


def live_text(item) -> str:
    return str(type(item).all_copies.get(pk=item.live_id).readable())


# -- an edit is a draft until a second clinician approves it -----------------------------------
@pytest.mark.parametrize(("case", "kind"), EDITS, ids=ids)
def test_an_authors_edit_of_live_content_changes_only_the_draft_until_approved(
    client, author, second_reviewer, case, kind
):
    item = case.make()
    before = live_text(item)
    page_before = client.get(case.patient_url(item)).content
    page, field = case.edits[kind](item)

    response = edit(client, author, page, field)

    assert response.status_code == 302, messages_of(response)
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    assert item.status_label() == "Published; changes in draft"
    assert live_text(item) == before
    assert NEW not in live_text(item)
    client.logout()
    assert client.get(case.patient_url(item)).content == page_before
    assert author.pk in item.changed_by()

    response = approve(client, second_reviewer, case, item)

    assert response.status_code == 302
    assert "patients now see this version" in " ".join(messages_of(response))
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert NEW in live_text(item)
    live = type(item).all_copies.get(pk=item.live_id)
    assert live.reviewer == second_reviewer
    assert live.last_reviewed == timezone.localdate()


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_reviewer_cannot_approve_changes_she_made(client, reviewer, case):
    item = case.make()
    page, field = next(iter(case.edits.values()))(item)
    assert edit(client, reviewer, page, field).status_code == 302

    response = approve(client, reviewer, case, item)

    assert "four-eyes" in " ".join(messages_of(response))
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    assert NEW not in live_text(item)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_approval_needs_the_attestation_and_the_version_the_reviewer_saw(
    client, author, second_reviewer, case
):
    item = case.make()
    page, field = next(iter(case.edits.values()))(item)
    edit(client, author, page, field)

    refused = approve(client, second_reviewer, case, item, attest=False)
    assert "checked this against its references" in " ".join(messages_of(refused))

    client.force_login(second_reviewer)
    item.refresh_from_db()
    stale = client.post(
        case.admin_url(item, "workflow", "publish"),
        {"attest": "on", "seen_version": item.version - 1},
    )
    assert "changed while you were reviewing it" in " ".join(messages_of(stale))
    assert NEW not in live_text(item)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_changes_page_shows_what_changed_against_the_live_version(
    client, author, second_reviewer, case
):
    item = case.make()
    page, field = next(iter(case.edits.values()))(item)
    edit(client, author, page, field)
    client.force_login(second_reviewer)

    response = client.get(case.admin_url(item, "changes"))

    html = response.content.decode()
    assert response.status_code == 200
    assert NEW in html and "<ins>" in html
    assert 'name="attest"' in html


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_reverting_makes_a_new_draft_that_is_approved_like_any_other(
    client, author, reviewer, second_reviewer, case
):
    item = case.make()
    page, field = next(iter(case.edits.values()))(item)
    edit(client, author, page, field)
    approve(client, second_reviewer, case, item)
    first = item.events().filter(action=ReviewEvent.Action.APPROVED).first()
    edit(client, author, page, field, value="A second version")
    approve(client, second_reviewer, case, item)
    assert "A second version" in live_text(item)

    client.force_login(reviewer)
    response = client.post(case.admin_url(item, "revert", first.pk))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    assert "A second version" in live_text(item)  # patients still see the approved version
    assert reviewer.pk in item.changed_by()
    approve(client, second_reviewer, case, item)
    assert NEW in live_text(item) and "A second version" not in live_text(item)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_reviewer_sends_a_draft_back_with_a_comment_and_the_author_is_told(
    client, author, second_reviewer, case
):
    item = case.make()
    page, field = next(iter(case.edits.values()))(item)
    edit(client, author, page, field)
    client.post(case.admin_url(item, "workflow", "submit"))
    item.refresh_from_db()
    assert item.status == Status.IN_REVIEW
    assert any(second_reviewer.email in m.to for m in mail.outbox)
    mail.outbox.clear()

    client.force_login(second_reviewer)
    client.post(case.admin_url(item, "workflow", "send_back"), {"comment": "Cite the NHS page."})

    item.refresh_from_db()
    assert item.status == Status.DRAFT
    event = item.events().first()
    assert event.action == ReviewEvent.Action.SENT_BACK
    assert event.comment == "Cite the NHS page."
    assert [m.to for m in mail.outbox] == [[author.email]]
    assert "Cite the NHS page." in mail.outbox[0].body
    assert NEW not in live_text(item)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_approval_emails_the_author(client, author, second_reviewer, case):
    item = case.make()
    page, field = next(iter(case.edits.values()))(item)
    edit(client, author, page, field)
    mail.outbox.clear()

    approve(client, second_reviewer, case, item)

    assert [m.to for m in mail.outbox] == [[author.email]]
    assert "Approved" in mail.outbox[0].subject


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_reviewer_takes_a_live_page_offline_at_once_with_a_reason(client, reviewer, case):
    item = case.make()
    assert client.get(case.patient_url(item)).status_code == 200
    client.force_login(reviewer)

    no_reason = client.post(case.admin_url(item, "workflow", "take_offline"), {"comment": ""})
    assert "reason" in " ".join(messages_of(no_reason))
    client.post(case.admin_url(item, "workflow", "take_offline"), {"comment": "Wrong dose"})

    client.logout()
    assert client.get(case.patient_url(item)).status_code == 404
    item.refresh_from_db()
    assert item.events().first().comment == "Wrong dose"
    assert type(item).objects.filter(pk=item.pk).exists()  # the draft stays to be fixed


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_an_author_cannot_approve_take_offline_or_archive(client, author, case):
    item = case.make()
    client.force_login(author)
    for action in ("publish", "take_offline", "archive", "send_back"):
        response = client.post(case.admin_url(item, "workflow", action), {"comment": "x"})
        assert response.status_code == 403
    page = client.get(case.admin_url(item)).content.decode()
    assert "Approve and publish" not in page
    assert client.get(case.patient_url(item)).status_code == 200


# -- stale saves -------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "kind"), EDITS, ids=ids)
def test_a_save_based_on_an_old_version_is_refused_and_keeps_what_was_typed(
    client, author, reviewer, case, kind
):
    item = case.make()
    page, field = case.edits[kind](item)
    client.force_login(author)
    url = admin_page_url(page)
    first = form_as_shown(client.get(url))
    second = dict(first)
    first[field] = "The first person's words"
    assert client.post(url, first).status_code == 302

    second[field] = "The second person's words"
    response = client.post(url, second)

    assert response.status_code == 200
    html = response.content.decode()
    assert "after you opened it" in html
    assert "The second person&#x27;s words" in html or "The second person's words" in html
    item.refresh_from_db()
    assert "The second person" not in str(item.readable())
    assert "The first person" in str(item.readable()) or "The first person" in str(
        type(page)._default_manager.get(pk=page.pk).__dict__
    )


# -- review dates -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_next_review_date_beyond_twelve_months_is_refused_on_save(client, reviewer, case):
    item = case.make()
    due = item.next_review_due
    client.force_login(reviewer)
    url = case.admin_url(item)
    data = form_as_shown(client.get(url))
    data["next_review_due"] = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Set the next review within 12 months of the last review." in response.content.decode()
    item.refresh_from_db()
    assert item.next_review_due == due


@pytest.mark.parametrize("case", CASES, ids=ids)
@pytest.mark.parametrize("days", [-5, 0])
def test_a_draft_whose_next_review_date_has_passed_cannot_be_approved(
    client, author, second_reviewer, case, days
):
    item = case.make()
    client.force_login(author)
    type(item).objects.filter(pk=item.pk).update(
        next_review_due=timezone.localdate() + datetime.timedelta(days=days)
    )
    page, field = next(iter(case.edits.values()))(item)
    edit(client, author, page, field)

    response = approve(client, second_reviewer, case, item)

    assert "The next review date has passed" in " ".join(messages_of(response))
    assert NEW not in live_text(item)


def test_a_last_reviewed_date_in_the_future_is_refused_by_the_model():
    from django.core.exceptions import ValidationError

    condition = ConditionFactory()
    condition.last_reviewed = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        condition.full_clean()


# -- the single-clinician practice ----------------------------------------------------------------
def test_a_single_clinician_practice_may_approve_its_own_text_and_the_page_says_so(
    client, reviewer, settings
):
    settings.PORTAL_SECOND_REVIEWER = False
    item = ARTICLE.make()
    edit(client, reviewer, item, "summary")

    approve(client, reviewer, ARTICLE, item)

    client.logout()
    html = client.get(ARTICLE.patient_url(item)).content.decode()
    assert NEW in html
    assert "both wrote and reviewed this text" in html


# -- two people saving at the same moment (PostgreSQL: real row locks) ---------------------------
@pytest.mark.postgres
def test_two_simultaneous_saves_of_a_treatment_comparison_keep_one_and_refuse_the_other(
    transactional_db, author, reviewer
):
    import threading

    from django.db import connection
    from django.test import Client

    comparison = live_comparison()
    url = COMPARISON.admin_url(comparison)
    clients, forms = [], []
    for user in (author, reviewer):
        client = Client()
        client.force_login(user)
        forms.append(form_as_shown(client.get(url)))
        clients.append(client)
    forms[0]["rows-1-risks"] = "Risks written by the author"
    forms[1]["rows-1-risks"] = "Risks written by the reviewer"
    start = threading.Barrier(2)
    statuses = [None, None]

    def save(index):
        try:
            start.wait()
            statuses[index] = clients[index].post(url, forms[index]).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 302]  # one saved, one refused with the form kept
    risks = list(comparison.rows.values_list("risks", flat=True))
    winner = statuses.index(302)
    assert forms[winner]["rows-1-risks"] in risks
    assert forms[1 - winner]["rows-1-risks"] not in risks


# -- drafts never leak: preview, search, FHIR, labels ------------------------------------------
PREVIEWS = {
    "article": lambda item: reverse("conditions:condition_preview", args=[item.slug]),
    "comparison": lambda item: reverse(
        "conditions:treatment_comparison_preview", args=[item.condition.slug]
    ),
    "questionnaire": lambda item: reverse("conditions:questionnaire_preview", args=[item.slug]),
}


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_staff_preview_shows_the_draft_while_patients_keep_the_live_version(
    client, author, case
):
    item = case.make()
    field = {"article": "summary", "comparison": "intro", "questionnaire": "questions-0-text"}
    edit(client, author, item, field[case.name])

    preview = client.get(PREVIEWS[case.name](item))

    assert preview.status_code == 200
    assert NEW in preview.content.decode()
    assert "no-cache" in preview["Cache-Control"]
    client.logout()
    assert NEW not in client.get(case.patient_url(item)).content.decode()
    assert client.get(PREVIEWS[case.name](item)).status_code in (302, 404)


def test_search_finds_an_edit_only_once_it_is_approved(client, author, second_reviewer):
    item = ARTICLE.make()
    edit(client, author, item, "summary", value="Zebrawordy summary for the search test.")
    client.logout()
    assert "Zebrawordy" not in client.get("/search/", {"q": "zebrawordy"}).content.decode()

    approve(client, second_reviewer, ARTICLE, item)

    client.logout()
    assert "Zebrawordy" in client.get("/search/", {"q": "zebrawordy"}).content.decode()


def test_the_fhir_export_shows_only_the_approved_questionnaire(client, author, second_reviewer):
    item = QUESTIONNAIRE.make()
    fhir = reverse("conditions:questionnaire_fhir", args=[item.slug])
    edit(client, author, item, "questions-0-text", value="A draft question text?")
    client.logout()
    assert "A draft question text?" not in client.get(fhir).content.decode()

    approve(client, second_reviewer, QUESTIONNAIRE, item)

    client.logout()
    assert "A draft question text?" in client.get(fhir).content.decode()


def test_content_approved_by_an_example_account_is_labelled_as_example_content(
    client, author, second_reviewer
):
    from django.contrib.auth.models import Group

    from conditions.models.review import EXAMPLE_ACCOUNTS_GROUP

    second_reviewer.groups.add(Group.objects.get_or_create(name=EXAMPLE_ACCOUNTS_GROUP)[0])
    item = ARTICLE.make()
    edit(client, author, item, "summary")
    approve(client, second_reviewer, ARTICLE, item)
    client.logout()
    assert "Example content." in client.get(ARTICLE.patient_url(item)).content.decode()

    client.force_login(author)
    edit(client, author, item, "summary", value="Checked by the clinic.")
    approve(client, reviewer_user(username="clinic-reviewer"), ARTICLE, item)
    client.logout()
    assert "Example content." not in client.get(ARTICLE.patient_url(item)).content.decode()


def test_a_fresh_database_has_no_content_and_no_accounts():
    from django.contrib.auth import get_user_model

    assert not Condition.all_copies.exists()
    assert not Questionnaire.all_copies.exists()
    assert not TreatmentComparison.all_copies.exists()
    assert not get_user_model().objects.exists()
