"""The clinician's editor: inlines, reading level, history and restore, concurrency, dashboard,
preview."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conditions.models import CareAdvice, Condition, Section, Status
from tests.conditions.article_admin import change_url, form_data, user_in
from tests.factories import ConditionFactory, FAQFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

LONG_WORDS = (
    "Comprehensive dermatological investigations occasionally demonstrate considerable "
    "heterogeneity regarding characteristic keratinocyte differentiation abnormalities. "
)
SHORT_WORDS = "The spots are small. They do not hurt. They go away on their own. "


@pytest.fixture
def reviewer():
    return user_in("Clinical reviewer", username="reviewer", first_name="Sam", last_name="Lee")


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def history_url(condition):
    return reverse("admin:conditions_condition_history", args=[condition.pk])


# -- inlines -------------------------------------------------------------------------------------
def test_add_form_creates_a_draft_with_sections_references_and_codes(reviewer_client, reviewer):
    data = {
        "name": "Milk spots",
        "slug": "milk-spots",
        "summary": "Small white spots on the skin.",
        "also_known_as": "milia",
        "version": 1,
        "sections-TOTAL_FORMS": 2,
        "sections-INITIAL_FORMS": 0,
        "sections-0-order": 20,
        "sections-0-heading": "What helps",
        "sections-0-body": "Leave them alone.",
        "sections-1-order": 10,
        "sections-1-heading": "What they look like",
        "sections-1-body": "Tiny, hard and white.",
        "faqs-TOTAL_FORMS": 1,
        "faqs-INITIAL_FORMS": 0,
        "faqs-0-order": 1,
        "faqs-0-question": "Can I squeeze them?",
        "faqs-0-verdict": "myth",
        "faqs-0-answer": "No. It can scar.",
        "care_advice-TOTAL_FORMS": 1,
        "care_advice-INITIAL_FORMS": 0,
        "care_advice-0-level": "routine",
        "care_advice-0-signs": "- they last for months",
        "references-TOTAL_FORMS": 1,
        "references-INITIAL_FORMS": 0,
        "references-0-order": 1,
        "references-0-title": "Milia",
        "references-0-publisher": "A health service",
        "references-0-url": "https://example.org/milia",
        "codes-TOTAL_FORMS": 1,
        "codes-INITIAL_FORMS": 0,
        "codes-0-system": "snomed-ct",
        "codes-0-code": "254679001",
        "codes-0-display": "Milium",
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }
    response = reviewer_client.post(reverse("admin:conditions_condition_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    condition = Condition.objects.get(slug="milk-spots")
    assert condition.status == Status.DRAFT
    assert condition.author == reviewer
    assert [s.heading for s in condition.sections.all()] == ["What they look like", "What helps"]
    assert condition.faqs.get().verdict == "myth"
    assert condition.care_advice.get().level == "routine"
    assert condition.references.get().url == "https://example.org/milia"
    assert condition.codes.get().code == "254679001"
    # Derived values are recomputed after the inlines are saved.
    assert "Tiny, hard and white" in condition.search_text
    assert condition.reading_grade is not None


def test_inline_change_saves_and_raises_the_version(reviewer_client):
    condition = ConditionFactory()
    before = condition.version
    data = form_data(condition, **{"sections-0-body": "New words here."})
    assert reviewer_client.post(change_url(condition), data).status_code == 302
    condition.refresh_from_db()
    assert condition.sections.get().body == "New words here."
    assert condition.version > before
    assert "New words here" in condition.search_text


def test_inlines_are_listed_in_their_order_and_care_advice_by_urgency(reviewer_client):
    condition = ConditionFactory(with_content=False)
    SectionFactory(condition=condition, order=20, heading="Second")
    SectionFactory(condition=condition, order=10, heading="First")
    for level in ["emergency", "self_care", "urgent", "routine"]:
        CareAdvice.objects.create(condition=condition, level=level, signs="- a sign")
    formsets = {
        f.formset.prefix: f.formset
        for f in reviewer_client.get(change_url(condition)).context["inline_admin_formsets"]
    }
    sections = [form.instance.heading for form in formsets["sections"].initial_forms]
    assert sections == ["First", "Second"]
    levels = [form.instance.level for form in formsets["care_advice"].initial_forms]
    assert levels == CareAdvice.LEVEL_ORDER


def test_author_and_reviewer_menus_name_people_and_an_article_cannot_be_related_to_itself(
    reviewer_client,
):
    condition = ConditionFactory(name="Milia")
    other = ConditionFactory(name="Acne")
    form = reviewer_client.get(change_url(condition)).context["adminform"].form
    labels = [label for _value, label in form.fields["author"].choices]
    assert "Sam Lee (reviewer)" in labels
    assert "reviewer" not in form.fields  # the approver becomes the reviewer
    related = set(form.fields["related"].queryset)
    assert other in related and condition not in related


def test_change_form_shows_the_status_and_workflow_buttons_together(reviewer_client):
    page = reviewer_client.get(change_url(ConditionFactory())).content.decode()
    box = page[page.index('class="workflow-box"') :]
    box = box[: box.index("The other steps act on what is saved")]
    assert "Status: <strong>Draft</strong>" in box
    assert "Approve and publish" in box and ">Save and submit for review</button>" in box
    assert "css/admin-conditions.css" in page


# -- reading level ---------------------------------------------------------------------------
def test_reading_level_is_shown_on_the_change_form_and_flagged_over_grade_8(reviewer_client):
    condition = ConditionFactory(summary=LONG_WORDS * 3)
    page = reviewer_client.get(change_url(condition)).content.decode()
    assert "Flesch-Kincaid grade" in page
    assert "above target 8" in page
    assert "SMOG needs at least 30 sentences" in page


def test_plain_text_is_not_flagged(reviewer_client):
    condition = ConditionFactory(summary=SHORT_WORDS * 3)
    page = reviewer_client.get(change_url(condition)).content.decode()
    assert "Flesch-Kincaid grade" in page
    assert "above target" not in page


def test_smog_is_shown_once_there_are_30_sentences(reviewer_client):
    condition = ConditionFactory(summary=SHORT_WORDS * 11)
    page = reviewer_client.get(change_url(condition)).content.decode()
    assert "SMOG grade:" in page
    assert "SMOG needs at least" not in page


def test_reading_grade_column_flags_articles_over_target(reviewer_client):
    hard = ConditionFactory(name="Hard article", summary=LONG_WORDS * 3)
    easy = ConditionFactory(name="Easy article", summary=SHORT_WORDS * 3)
    page = reviewer_client.get(reverse("admin:conditions_condition_changelist")).content.decode()
    assert hard.reading_grade > 8 >= easy.reading_grade
    assert page.count("above target 8") == 1
    assert f"{hard.reading_grade} <strong" in page


# -- history and restore ---------------------------------------------------------------------
def test_history_shows_who_changed_what_and_when(reviewer_client):
    condition = ConditionFactory(summary="The first summary.")
    data = form_data(condition, summary="The second summary.")
    reviewer_client.post(change_url(condition), data)
    page = reviewer_client.get(history_url(condition)).content.decode()
    assert "The first summary." in page and "The second summary." in page
    assert "reviewer" in page  # who
    assert "Changed" in page


def test_history_lists_changes_to_sections(reviewer_client):
    condition = ConditionFactory()
    reviewer_client.post(
        change_url(condition), form_data(condition, **{"sections-0-body": "Fresh section text."})
    )
    page = reviewer_client.get(history_url(condition)).content.decode()
    assert "Fresh section text." in page
    assert "Some **plain** text about this condition." in page


def test_the_old_whole_record_revert_is_switched_off_reverting_makes_a_draft_instead(
    reviewer_client,
):
    condition = ConditionFactory(summary="Old summary.")
    old_record = condition.history.latest("history_date")
    reviewer_client.post(change_url(condition), form_data(condition, summary="New summary."))
    restore_url = reverse(
        "admin:conditions_condition_simple_history", args=[condition.pk, old_record.history_id]
    )
    reviewer_client.post(restore_url, form_data(condition, summary="Old summary."))
    condition.refresh_from_db()
    assert condition.summary == "New summary."


# -- optimistic concurrency ------------------------------------------------------------------
def test_second_save_from_a_stale_form_is_refused_with_a_link_to_history(client, reviewer):
    condition = ConditionFactory(summary="Original.")
    other = user_in("Author", first_name="Kim", last_name="Other")
    first = form_data(condition, summary="First clinician's words.")
    second = form_data(condition, summary="Second clinician's words.")  # same version

    client.force_login(other)
    assert client.post(change_url(condition), first).status_code == 302
    client.force_login(reviewer)
    response = client.post(change_url(condition), second)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Kim Other saved “{condition.name}”" in page
    assert "your changes were NOT saved" in page
    assert f'href="{history_url(condition)}"' in page
    assert Condition.objects.get(pk=condition.pk).summary == "First clinician's words."


def test_stale_inline_change_is_refused_too(reviewer_client):
    condition = ConditionFactory()
    stale = form_data(condition, **{"sections-0-body": "Stale edit."})
    Condition.objects.get(pk=condition.pk).save()  # someone else saved meanwhile
    assert reviewer_client.post(change_url(condition), stale).status_code == 200
    assert condition.sections.get().body != "Stale edit."


def test_workflow_change_makes_an_open_form_stale(reviewer_client):
    condition = ConditionFactory()
    open_form = form_data(condition, summary="Edited.")
    reviewer_client.post(
        reverse("admin:conditions_condition_workflow", args=[condition.pk, "submit"])
    )
    assert reviewer_client.post(change_url(condition), open_form).status_code == 200
    assert Condition.objects.get(pk=condition.pk).summary != "Edited."


# -- review dashboard and filters ------------------------------------------------------------
def test_review_filter_lists_overdue_and_due_within_30_days(reviewer_client):
    today = timezone.localdate()
    ConditionFactory(overdue=True, name="Late one")
    ConditionFactory(
        published=True, name="Due soon", next_review_due=today + datetime.timedelta(days=20)
    )
    ConditionFactory(published=True, name="Fine for now")
    ConditionFactory(name="A draft")
    url = reverse("admin:conditions_condition_changelist")

    due = reviewer_client.get(url, {"review": "due"}).content.decode()
    assert "Late one" in due and "Due soon" in due
    assert "Fine for now" not in due and "A draft" not in due

    overdue = reviewer_client.get(url, {"review": "overdue"}).content.decode()
    assert "Late one" in overdue and "Due soon" not in overdue


def test_the_list_shows_each_review_date_with_what_it_means(reviewer_client):
    today = timezone.localdate()
    ConditionFactory(overdue=True, name="Late one")
    ConditionFactory(
        published=True, name="Due soon", next_review_due=today + datetime.timedelta(days=5)
    )
    page = reviewer_client.get(reverse("admin:conditions_condition_changelist")).content.decode()
    assert page.count('<strong class="review-overdue">Overdue</strong>') == 1
    due_soon = f"Due within {settings.REVIEW_DUE_SOON_DAYS} days"
    assert due_soon in page
    soon = today + datetime.timedelta(days=5)
    assert f"{soon.day} {soon:%b %Y}<br>{due_soon}" in page


def test_review_dashboard_groups_articles_that_need_attention(reviewer_client):
    today = timezone.localdate()
    late = ConditionFactory(overdue=True, name="Late one")
    ConditionFactory(
        published=True, name="Due soon", next_review_due=today + datetime.timedelta(days=5)
    )
    ConditionFactory(name="Waiting", status=Status.IN_REVIEW)
    ConditionFactory(published=True, name="Fine for now")
    response = reviewer_client.get(reverse("admin:conditions_condition_review"))
    page = response.content.decode()
    overdue_part = page.split('id="overdue"')[1].split('id="due-soon"')[0]
    soon_part = page.split('id="due-soon"')[1].split('id="in-review"')[0]
    assert "Late one" in overdue_part and change_url(late) in overdue_part
    assert "Due soon" in soon_part and "Late one" not in soon_part
    assert "Waiting" in page.split('id="in-review"')[1]
    assert "Fine for now" not in page


def test_review_dashboard_needs_an_editorial_role(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:conditions_condition_review")).status_code == 403


# -- preview ---------------------------------------------------------------------------------
def preview_url(condition):
    return reverse("conditions:condition_preview", args=[condition.slug])


def test_staff_preview_renders_the_real_patient_page_with_a_banner(reviewer_client):
    condition = ConditionFactory(name="Draft article")
    FAQFactory(condition=condition, question="Is it catching?")
    response = reviewer_client.get(preview_url(condition))
    assert response.status_code == 200
    assert "conditions/condition_detail.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Preview of the working copy" in page
    assert "Patients see the live version until a clinical reviewer approves this one" in page
    assert "<h1>Draft article</h1>" in page
    assert "Is it catching?" in page
    assert condition.sections.get().heading in page
    assert "no-store" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


def test_preview_works_for_every_status(reviewer_client):
    for status in Status.values:
        condition = ConditionFactory(status=status)
        response = reviewer_client.get(preview_url(condition))
        assert response.status_code == 200, status
        assert "Preview of the working copy" in response.content.decode()


def test_change_form_links_to_the_preview_for_drafts(reviewer_client):
    condition = ConditionFactory()
    page = reviewer_client.get(change_url(condition)).content.decode()
    assert preview_url(condition) in page
    assert "View on site" not in page  # a draft has no patient page yet


def test_preview_is_404_for_patients(client):
    assert client.get(preview_url(ConditionFactory())).status_code == 404


def test_a_draft_is_previewable_by_its_reviewer_while_its_patient_url_stays_404(
    reviewer_client,
):
    condition = ConditionFactory(name="Draft only", slug="draft-only")
    assert reviewer_client.get(preview_url(condition)).status_code == 200
    # Even a logged-in reviewer gets the 404 on the patient URL: the preview is the only way.
    assert reviewer_client.get(condition.get_absolute_url()).status_code == 404


def test_the_article_queryset_is_published_only_unless_given_a_wider_base():
    from conditions.views.articles import article_queryset

    draft = ConditionFactory()
    working = ConditionFactory(published=True)
    assert [c.pk for c in article_queryset()] == [working.live_id]
    assert set(article_queryset(Condition.objects.all())) == {draft, working}


def test_the_preview_shows_only_published_related_conditions_like_the_patient_page(
    reviewer_client,
):
    condition = ConditionFactory()
    condition.related.add(
        ConditionFactory(published=True, name="Acne", slug="acne"),
        ConditionFactory(name="Hidden draft", slug="hidden-draft"),
    )
    page = reviewer_client.get(preview_url(condition)).content.decode()
    assert 'href="/conditions/acne/"' in page
    assert "Hidden draft" not in page


def test_preview_is_404_for_staff_without_an_editorial_role(client):
    client.force_login(UserFactory())
    assert client.get(preview_url(ConditionFactory())).status_code == 404


def test_preview_of_a_missing_article_is_404(reviewer_client):
    assert reviewer_client.get("/conditions/no-such-thing/preview/").status_code == 404


def test_section_order_field_orders_the_preview(reviewer_client):
    condition = ConditionFactory(with_content=False)
    SectionFactory(condition=condition, order=2, heading="Second heading")
    SectionFactory(condition=condition, order=1, heading="First heading")
    page = reviewer_client.get(preview_url(condition)).content.decode()
    assert page.index("First heading") < page.index("Second heading")
    assert list(Section.objects.filter(condition=condition).values_list("order", flat=True)) == [
        1,
        2,
    ]


# -- editorial statement ---------------------------------------------------------------------
def test_editorial_page_covers_the_promises_and_is_linked_from_every_page(client):
    page = client.get("/about/editorial/").content.decode()
    for words in [
        "Who writes the articles",
        "Who checks them",
        "at least once every 12 months",
        "How to tell us about a mistake",
        "Who pays for this site",
        "We do not take money from companies that make or sell",
        "There are no adverts",
    ]:
        assert words in page
    assert page.count("<h1") == 1
    assert 'href="/about/editorial/"' in client.get("/conditions/").content.decode()
