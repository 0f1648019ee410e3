"""The treatment comparison: model rules, the patient page, its filters, the admin and the demo."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conditions import models
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    ReferenceFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    UserFactory,
    editors,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

S = models.Suitability
HX = {"HTTP_HX_REQUEST": "true"}


def url(comparison, query=""):
    return reverse("conditions:treatment_comparison", args=[comparison.condition.slug]) + query


@pytest.fixture
def comparison():
    """A published comparison: waiting, a home option, a pharmacy option, two clinic options
    and a harmful one."""
    comp = TreatmentComparisonFactory(published=True)
    rows = {
        "home": ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name="Gentle skin care", setting=models.CareSetting.HOME),
            near_eyes=S.YES,
            children=S.YES,
            recommendation=models.Recommendation.RECOMMENDED,
            order=1,
        ),
        "pharmacy": ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(
                name="Pharmacy exfoliant", setting=models.CareSetting.PHARMACY
            ),
            order=2,
        ),
        "eyes": ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name="De-roofing", setting=models.CareSetting.GP),
            near_eyes=S.WITH_CARE,
            children=S.WITH_CARE,
            order=3,
        ),
        "laser": ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(
                name="Laser ablation", setting=models.CareSetting.DERMATOLOGIST
            ),
            order=4,
        ),
        "squeeze": ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name="Squeezing at home", setting=models.CareSetting.HOME),
            evidence=models.EvidenceLevel.HARM,
            recommendation=models.Recommendation.NOT_RECOMMENDED,
            reason="It can leave scars and cause infection.",
            order=5,
        ),
    }
    make_live(comp)  # the reviewer approves the comparison with its rows
    comp.test_rows = rows
    comp.live_rows = {key: live_row(row) for key, row in rows.items()}
    return comp


def live_row(row):
    """The row patients see: the live comparison's copy of a working row."""
    return models.ComparisonRow.objects.get(source=row, comparison__is_live=True)


def option_names(response):
    return [row.treatment.name for row in response.context_data["rows"]]


# -- model ------------------------------------------------------------------------------------


def test_rows_follow_the_order_field_not_the_order_of_creation():
    comp = TreatmentComparisonFactory()
    ComparisonRowFactory(comparison=comp, treatment=TreatmentFactory(name="Third"), order=30)
    ComparisonRowFactory(comparison=comp, treatment=TreatmentFactory(name="Second"), order=20)
    assert [row.treatment.name for row in comp.rows.all()] == [
        "No treatment: wait and see",
        "Second",
        "Third",
    ]


def test_every_row_answers_the_same_questions(comparison):
    row = comparison.test_rows["squeeze"]
    for field in ("involves", "effectiveness", "pain", "downtime", "risks", "reason"):
        assert getattr(row, field)
    assert row.get_evidence_display() == "Evidence of harm"
    assert "harm" in row.evidence_explanation
    assert row.get_cost_display() == "Medium"
    assert row.get_recommendation_display() == "Not recommended"


def test_publishing_is_refused_without_a_no_treatment_row():
    comp = TreatmentComparisonFactory(with_no_treatment=False)
    ComparisonRowFactory(comparison=comp)
    with pytest.raises(ValidationError) as error:
        comp.publish(by=reviewer_user(), attested=True)
    assert "no treatment / wait and see" in str(error.value)
    comp.refresh_from_db()
    assert comp.status == models.Status.DRAFT
    assert comp.live_id is None and not models.TreatmentComparison.objects.published().exists()


def test_publishing_is_refused_without_a_reviewer_or_attestation_and_says_what_is_missing():
    comp = TreatmentComparisonFactory()
    with pytest.raises(PermissionDenied):
        comp.publish(by=UserFactory())  # not a clinical reviewer
    with pytest.raises(ValidationError) as error:
        comp.publish(by=reviewer_user())
    messages = error.value.messages
    assert "Confirm that you have checked this against its references." in messages
    assert not any("no treatment" in m for m in messages)
    comp.refresh_from_db()
    assert comp.status == models.Status.DRAFT and comp.live_id is None


# -- patient page: what is shown --------------------------------------------------------------


def test_published_comparison_shows_every_option_with_the_review_line(client, comparison):
    comparison.reviewer.first_name, comparison.reviewer.last_name = "Dana", "Okafor"
    comparison.reviewer.save()
    response = client.get(url(comparison))
    assert response.status_code == 200
    html = response.content.decode()
    assert option_names(response)[0] == "No treatment: wait and see"
    assert len(option_names(response)) == 6
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "How to read this" in html
    assert "Reviewed by Dana Okafor on" in html
    for _label, explanation in response.context_data["evidence_scale"]:
        assert str(explanation) in html
    assert "It can leave scars and cause infection." in html
    assert "Not recommended" in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_draft_comparison_is_404(client):
    comp = TreatmentComparisonFactory()
    assert client.get(url(comp)).status_code == 404


def test_comparison_of_a_draft_condition_is_404(client):
    comp = TreatmentComparisonFactory(published=True)
    assert client.get(url(comp)).status_code == 200
    comp.condition.take_offline(by=reviewer_user(), reason="Being rewritten")
    comp.refresh_from_db()
    assert comp.is_published and not comp.condition.is_published
    assert client.get(url(comp)).status_code == 404


def test_condition_without_a_comparison_is_404(client):
    condition = ConditionFactory(published=True)
    response = client.get(reverse("conditions:treatment_comparison", args=[condition.slug]))
    assert response.status_code == 404


def test_a_reference_link_is_shown_for_a_row_but_no_shop_link(client, comparison):
    ref = ReferenceFactory(
        condition=comparison.condition, publisher="DermNet", url="https://dermnetnz.org/milia"
    )
    comparison.test_rows["laser"].references.add(ref)
    make_live(comparison.condition)  # the article's new reference is approved first
    make_live(comparison)
    html = client.get(url(comparison)).content.decode()
    assert f'href="{ref.url}"' in html
    assert "buy" not in html.lower()


# -- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "?setting=home",
            [
                "No treatment: wait and see",
                "Gentle skin care",
                "Pharmacy exfoliant",
                "Squeezing at home",
            ],
        ),
        ("?setting=clinic", ["No treatment: wait and see", "De-roofing", "Laser ablation"]),
        ("?near_eyes=1", ["No treatment: wait and see", "Gentle skin care", "De-roofing"]),
        ("?children=1", ["No treatment: wait and see", "Gentle skin care", "De-roofing"]),
        ("?setting=home&children=1", ["No treatment: wait and see", "Gentle skin care"]),
    ],
)
def test_each_filter_works_with_and_without_htmx(client, comparison, query, expected, htmx):
    response = client.get(url(comparison, query), **(HX if htmx else {}))
    assert response.status_code == 200
    assert option_names(response) == expected
    html = response.content.decode()
    if htmx:
        assert "<html" not in html
        assert html.lstrip().startswith('<div id="comparison-table"')
        assert f'hx-get="{url(comparison)}"' in html
    else:
        assert "<html" in html and 'id="comparison-table"' in html
        assert "<h1>" in html
    assert f"showing {len(expected)} of 6" in html


def test_the_filter_form_shows_the_filters_from_the_url(client, comparison):
    html = client.get(url(comparison, "?setting=clinic&near_eyes=1")).content.decode()
    assert 'value="clinic" checked' in html
    assert 'name="near_eyes" value="1" checked' in html
    assert 'name="children" value="1" checked' not in html


def test_an_htmx_filter_change_announces_how_many_options_show(client, comparison):
    page = client.get(url(comparison)).content.decode()
    assert '<p id="comparison-status" class="visually-hidden" role="status"></p>' in page
    assert "hx-swap-oob" not in page  # a full page has nothing to announce

    fragment = client.get(url(comparison, "?setting=clinic"), **HX).content.decode()
    assert '<p id="comparison-status" hx-swap-oob="innerHTML">Showing 3 options</p>' in fragment
    assert fragment.lstrip().startswith('<div id="comparison-table"')
    restore = client.get(
        url(comparison, "?setting=home"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX
    ).content.decode()
    assert "hx-swap-oob" not in restore and restore.count('id="comparison-status"') == 1


def test_filter_changes_wait_for_the_choice_to_settle_before_adding_history(client, comparison):
    """Arrow keys move through the radios one change event each: one request and one history
    entry once they stop, not one per key."""
    html = client.get(url(comparison)).content.decode()
    assert 'hx-trigger="change delay:500ms, submit"' in html


def test_the_filter_form_works_without_javascript_and_pushes_the_url_with_it(client, comparison):
    html = client.get(url(comparison)).content.decode()
    assert 'method="get"' in html
    assert 'hx-push-url="true"' in html
    assert 'hx-target="#comparison-table"' in html


def test_a_history_restore_request_gets_the_whole_page(client, comparison):
    response = client.get(
        url(comparison, "?setting=home"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX
    )
    assert "<html" in response.content.decode()


# -- compare selected -------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_compare_selected_shows_the_chosen_options_in_columns(client, comparison, htmx):
    a, b = comparison.live_rows["eyes"], comparison.live_rows["laser"]
    response = client.get(
        url(comparison, f"?compare={a.pk}&compare={b.pk}"), **(HX if htmx else {})
    )
    assert response.status_code == 200
    assert response.context_data["comparing"] is True
    assert option_names(response) == ["De-roofing", "Laser ablation"]
    html = response.content.decode()
    assert '<th scope="col">De-roofing</th>' in html
    assert '<th scope="col">Laser ablation</th>' in html
    assert "Comparing 2 options side by side" in html
    assert f'href="{url(comparison)}"' in html  # back to all the options
    assert ("<html" in html) is not htmx


def test_compare_selected_ignores_filters_but_keeps_them_for_the_way_back(client, comparison):
    a, b, c = (comparison.live_rows[k] for k in ("home", "laser", "squeeze"))
    query = f"?setting=clinic&compare={a.pk}&compare={b.pk}&compare={c.pk}"
    response = client.get(url(comparison, query))
    assert option_names(response) == ["Gentle skin care", "Laser ablation", "Squeezing at home"]
    assert "?setting=clinic" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?setting=spa", "We did not recognise that place"),
        ("?setting=<script>", "We did not recognise that place"),
        ("?near_eyes=yes-please", "near the eyes"),
        ("?children=2", "children"),
        ("?compare=abc&compare=1", "were not valid"),
        ("?compare=1.5&compare=2", "were not valid"),
        ("?compare=99999999999999999999999&compare=2", "not in this comparison"),
        ("?compare=-3&compare=2", "were not valid"),
    ],
)
def test_bad_filter_values_are_ignored_with_a_message(client, comparison, query, message):
    for headers in ({}, HX):
        response = client.get(url(comparison, query), **headers)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context_data["comparing"] is False
        assert len(option_names(response)) == 6
    assert "<script>" not in client.get(url(comparison, query)).content.decode()


def test_comparing_more_than_three_options_is_refused_with_a_message(client, comparison):
    ids = [row.pk for row in comparison.live.rows.all()][:4]
    response = client.get(url(comparison, "?" + "&".join(f"compare={i}" for i in ids)))
    assert response.status_code == 200
    assert "up to 3 options" in response.content.decode()
    assert response.context_data["comparing"] is False


def test_comparing_one_option_asks_for_at_least_two(client, comparison):
    row = comparison.live_rows["laser"]
    response = client.get(url(comparison, f"?compare={row.pk}&compare={row.pk}"))
    assert "Tick at least two treatments to compare them." in response.content.decode()
    assert response.context_data["comparing"] is False


def test_options_from_another_condition_cannot_be_compared(client, comparison):
    other_comparison = TreatmentComparisonFactory(published=True)
    other = ComparisonRowFactory(comparison=other_comparison)
    make_live(other_comparison)
    other = live_row(other)
    mine = comparison.live_rows["laser"]
    response = client.get(url(comparison, f"?compare={mine.pk}&compare={other.pk}"))
    assert "not in this comparison" in response.content.decode()
    assert other.treatment.name not in response.content.decode()


def test_a_valid_filter_still_applies_next_to_a_bad_one(client, comparison):
    response = client.get(url(comparison, "?setting=clinic&children=maybe"))
    assert option_names(response) == [
        "No treatment: wait and see",
        "De-roofing",
        "Laser ablation",
    ]
    assert "children" in response.content.decode()


def test_only_get_is_allowed(client, comparison):
    assert client.post(url(comparison)).status_code == 405


# -- query budget -----------------------------------------------------------------------------


@pytest.mark.parametrize("extra_rows", [2, 14])
def test_query_count_does_not_grow_with_the_number_of_rows(
    client, django_assert_max_num_queries, extra_rows
):
    comp = TreatmentComparisonFactory(published=True)
    for _ in range(extra_rows):
        row = ComparisonRowFactory(comparison=comp)
        row.references.add(ReferenceFactory(condition=comp.condition))
    make_live(comp.condition)
    make_live(comp)
    assert comp.live.rows.count() == extra_rows + 1
    with django_assert_max_num_queries(5):
        response = client.get(url(comp, "?setting=clinic"))
    assert response.status_code == 200
    ids = [row.pk for row in comp.live.rows.all()][:3]
    with django_assert_max_num_queries(5):
        client.get(url(comp, "?" + "&".join(f"compare={i}" for i in ids)), **HX)


# -- admin ------------------------------------------------------------------------------------


def workflow_url(comp, action):
    return reverse("admin:conditions_treatmentcomparison_workflow", args=[comp.pk, action])


def message_texts(response):
    return [str(m) for m in response.context["messages"]]


def test_admin_publish_lists_exactly_what_is_missing(client):
    comp = TreatmentComparisonFactory(with_no_treatment=False)
    client.force_login(reviewer_user())
    response = client.post(
        workflow_url(comp, "publish"), {"seen_version": comp.version}, follow=True
    )
    texts = message_texts(response)
    assert any(
        "Confirm that you have checked this against its references." in t
        and "no treatment / wait and see" in t
        for t in texts
    ), texts
    comp.refresh_from_db()
    assert comp.status == models.Status.DRAFT and comp.live_id is None


def test_admin_workflow_submit_publish_take_offline_and_archive(client):
    author, reviewer = author_with_comparison_permissions(), reviewer_user()
    comp = TreatmentComparisonFactory()
    page = url(comp)
    assert client.get(page).status_code == 404

    client.force_login(author)
    assert client.post(workflow_url(comp, "submit")).status_code == 302
    comp.refresh_from_db()
    assert comp.status == models.Status.IN_REVIEW and comp.author == author
    assert client.post(workflow_url(comp, "publish"), {"attest": "on"}).status_code == 403

    client.force_login(reviewer)
    client.post(workflow_url(comp, "publish"), {"attest": "on", "seen_version": comp.version})
    comp.refresh_from_db()
    assert comp.status == models.Status.PUBLISHED and comp.reviewer == reviewer
    assert comp.is_published and comp.live.reviewer == reviewer
    assert client.get(page).status_code == 200

    client.post(workflow_url(comp, "take_offline"), {"comment": "A safety concern"})
    comp.refresh_from_db()
    assert not comp.is_published
    assert client.get(page).status_code == 404

    client.post(workflow_url(comp, "archive"), {"comment": "Replaced"})
    comp.refresh_from_db()
    assert comp.status == models.Status.ARCHIVED
    assert client.get(page).status_code == 404


def test_admin_row_references_are_limited_to_the_same_condition(admin_client):
    comp = TreatmentComparisonFactory()
    own = ReferenceFactory(condition=comp.condition, title="Own reference")
    other = ReferenceFactory(title="Someone else's reference")
    response = admin_client.get(
        reverse("admin:conditions_treatmentcomparison_change", args=[comp.pk])
    )
    assert response.status_code == 200
    formset = response.context_data["inline_admin_formsets"][0].formset
    queryset = formset.forms[0].fields["references"].queryset
    assert own in queryset and other not in queryset
    assert "What still stops approval" in response.content.decode()


def test_admin_pages_load(admin_client, comparison):
    for name, args in [
        ("admin:conditions_treatmentcomparison_changelist", []),
        ("admin:conditions_treatmentcomparison_add", []),
        ("admin:conditions_treatmentcomparison_history", [comparison.pk]),
        ("admin:conditions_treatment_changelist", []),
        ("admin:conditions_treatment_change", [comparison.test_rows["laser"].treatment.pk]),
    ]:
        assert admin_client.get(reverse(name, args=args)).status_code == 200, name


# -- demo -------------------------------------------------------------------------------------


def test_demo_comparison_needs_the_milia_condition():
    from conditions.demo import treatments as demo

    with pytest.raises(LookupError, match="milia"):
        demo.load(*editors())


def test_demo_comparison_loads_published_and_is_idempotent(client):
    from conditions.demo import treatments as demo

    milia = ConditionFactory(published=True, name="Milia", slug="milia")
    author, reviewer = editors()
    demo.load(author, reviewer)
    comp = models.TreatmentComparison.objects.get(condition=milia)
    counts = (
        comp.rows.count(),
        models.Treatment.objects.count(),
        milia.references.count(),
        models.ComparisonRow.references.through.objects.count(),
    )
    demo.load(author, reviewer)
    demo.load(author, reviewer, refresh=True)
    assert counts == (
        comp.rows.count(),
        models.Treatment.objects.count(),
        milia.references.count(),
        models.ComparisonRow.references.through.objects.count(),
    )
    comp.refresh_from_db()
    assert comp.status == models.Status.PUBLISHED
    assert comp.reviewer == reviewer and comp.author == author
    assert comp.last_reviewed == timezone.localdate()  # the approval's date
    assert comp.next_review_due == datetime.date(2027, 11, 1)
    assert comp.rows.count() >= 16
    assert comp.rows.first().treatment.is_no_treatment
    names = " ".join(comp.rows.values_list("treatment__name", flat=True)).lower()
    for word in (
        "retinoid",
        "peel",
        "de-roofing",
        "cryotherapy",
        "laser",
        "electro",
        "microdermabrasion",
        "squeezing",
        "pore strips",
        "apple cider vinegar",
        "milia remover",
    ):
        assert word in names, word
    levels = set(comp.rows.values_list("evidence", flat=True))
    assert models.EvidenceLevel.TRIALS not in levels
    assert comp.rows.filter(recommendation=models.Recommendation.NOT_RECOMMENDED).count() >= 4
    for row in comp.rows.all():
        assert row.references.exists(), row
        assert set(row.references.values_list("condition", flat=True)) == {milia.pk}
    wait = comp.rows.get(treatment__is_no_treatment=True)
    assert "4 weeks" in wait.effectiveness
    response = client.get(reverse("conditions:treatment_comparison", args=["milia"]))
    assert response.status_code == 200
    assert len(response.context_data["rows"]) == comp.rows.count()


def history_counts() -> dict[str, int]:
    from django.apps import apps

    historical = [
        m
        for m in apps.get_app_config("conditions").get_models()
        if m.__name__.startswith("Historical")
    ]
    return {m._meta.label: m.objects.count() for m in historical}


def demo_state(comp) -> list:
    """Every value the demo writes, with versions, for an exact before/after comparison."""
    comp.refresh_from_db()
    rows = [
        (
            row.treatment.slug,
            {f.name: getattr(row, f.attname) for f in row._meta.concrete_fields},
            sorted(row.references.values_list("pk", flat=True)),
        )
        for row in comp.rows.select_related("treatment")
    ]
    treatments = list(models.Treatment.objects.order_by("slug").values())
    return [comp.version, comp.status, comp.updated_at, rows, treatments]


@pytest.mark.parametrize("refresh", [False, True])
def test_loading_the_demo_again_adds_no_history_rows_and_changes_nothing(refresh):
    from conditions.demo import treatments as demo

    ConditionFactory(published=True, name="Milia", slug="milia")
    author, reviewer = editors()
    comp = demo.load(author, reviewer)
    before_history, before_state = history_counts(), demo_state(comp)
    assert before_history["conditions.HistoricalComparisonRow"] >= 16

    demo.load(author, reviewer, refresh=refresh)

    assert history_counts() == before_history
    assert demo_state(comp) == before_state


def test_refreshing_the_demo_rewrites_only_what_a_clinician_changed():
    """Of the working copy, only the edited row is written again (one history row); shared
    treatments are not touched. The comparison is approved again by the demo reviewer, so
    patients see the demo's text."""
    from conditions.demo import treatments as demo

    ConditionFactory(published=True, name="Milia", slug="milia")
    author, reviewer = editors()
    comp = demo.load(author, reviewer)
    edited = comp.rows.get(treatment__slug="cryotherapy")
    edited.pain = "Edited by a clinician"
    edited.save()
    working_rows = models.ComparisonRow.history.filter(comparison_id=comp.pk)
    shared = models.Treatment.history.filter(live_for_id=None)  # not the live copies' own
    before_rows, before_shared = working_rows.count(), shared.count()

    demo.load(author, reviewer, refresh=True)

    edited.refresh_from_db()
    assert edited.pain != "Edited by a clinician"
    assert working_rows.count() == before_rows + 1
    assert shared.count() == before_shared
    comp.refresh_from_db()
    assert comp.status == models.Status.PUBLISHED and comp.reviewer == reviewer
    assert comp.live.rows.get(treatment__slug="cryotherapy").pain == edited.pain


def test_demo_comparison_rates_nothing_above_consensus_and_links_no_product():
    from conditions.demo import treatments as demo

    ConditionFactory(published=True, name="Milia", slug="milia")
    comp = demo.load(*editors())
    assert not comp.rows.filter(evidence=models.EvidenceLevel.TRIALS).exists()
    wait = comp.rows.get(treatment__is_no_treatment=True)
    assert wait.order == min(comp.rows.values_list("order", flat=True))
    assert "newborn milia clear on their own" in wait.effectiveness.lower()
    assert wait.children == S.YES and wait.recommendation == models.Recommendation.RECOMMENDED
    slugs = set(comp.rows.values_list("treatment__slug", flat=True))
    # The 16 options of the content notes' table (some split in two for patients).
    for slug in [
        "no-treatment",
        "gentle-skin-care",
        "pharmacy-exfoliant",
        "prescription-retinoid",
        "de-roofing",
        "electrosurgery",
        "cryotherapy",
        "chemical-peel",
        "dermabrasion",
        "microdermabrasion",
        "laser-ablation",
        "minocycline",
        "treat-the-cause",
        "steroid-injection",
        "squeezing-at-home",
        "pore-strips-scrubbing",
        "apple-cider-vinegar",
        "milia-remover-creams",
    ]:
        assert slug in slugs, slug
    for slug in [
        "squeezing-at-home",
        "pore-strips-scrubbing",
        "apple-cider-vinegar",
        "milia-remover-creams",
        "steroid-injection",
    ]:
        assert comp.rows.get(treatment__slug=slug).recommendation == "not_recommended", slug
    shop_words = ("shop", "store", "buy", "cart", "checkout", "amazon", "ebay", "product")
    for row in comp.rows.prefetch_related("references"):
        assert row.references.exists(), row
        for ref in row.references.all():
            assert not any(word in ref.url.lower() for word in shop_words), ref.url


def author_with_comparison_permissions():
    from django.contrib.auth.models import Permission

    user = UserFactory()
    codenames = [
        f"{action}_{model}"
        for action in ("add", "change", "view", "delete")
        for model in ("treatmentcomparison", "comparisonrow", "treatment")
    ]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_authors_cannot_publish_or_reach_the_live_copy_but_can_edit_a_draft(client):
    author = author_with_comparison_permissions()
    client.force_login(author)
    draft, published = TreatmentComparisonFactory(), TreatmentComparisonFactory(published=True)
    changelist = client.get(reverse("admin:conditions_treatmentcomparison_changelist"))
    listed = {obj.pk for obj in changelist.context["cl"].result_list}
    assert listed == {draft.pk, published.pk}  # working copies only, never the live copy

    def change_page(comp):
        return client.get(reverse("admin:conditions_treatmentcomparison_change", args=[comp.pk]))

    draft_page = change_page(draft)
    assert "reviewer" not in draft_page.context["adminform"].form.fields
    assert draft_page.context["has_change_permission"] is True
    assert [step for step, _label in draft_page.context["workflow_buttons"]] == ["submit"]
    published_page = change_page(published)
    assert published_page.context["has_change_permission"] is True  # edits make a draft
    assert published_page.context["workflow_buttons"] == []
    assert change_page(published.live).status_code == 302  # the live copy: not in the admin
    for action in ("publish", "take_offline", "archive"):
        response = client.post(workflow_url(published, action), {"attest": "on", "comment": "x"})
        assert response.status_code == 403, action
        response = client.post(workflow_url(draft, action), {"attest": "on", "comment": "x"})
        assert response.status_code == 403, action
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.is_published and published.status == models.Status.PUBLISHED
    assert draft.live_id is None


def test_admin_refuses_a_stale_edit_instead_of_overwriting_and_patients_see_neither(
    admin_client, client
):
    comp = TreatmentComparisonFactory(published=True, intro="Old intro")
    change_url = reverse("admin:conditions_treatmentcomparison_change", args=[comp.pk])
    form = admin_client.get(change_url).context["adminform"].form
    stale_version = form.fields["edit_version"].initial
    comp.intro = "Someone else's intro"
    comp.save()  # raises the version
    data = {
        "condition": comp.condition.pk,
        "intro": "My intro",
        "edit_version": stale_version,
        "author": "",
        "next_review_due": "",
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(change_url, data)
    assert response.status_code == 200
    assert "nothing was overwritten" in response.content.decode()
    history = reverse("admin:conditions_treatmentcomparison_history", args=[comp.pk])
    assert f'href="{history}"' in response.content.decode()
    comp.refresh_from_db()
    assert comp.intro == "Someone else's intro"
    data["edit_version"] = comp.version
    data["next_review_due"] = comp.next_review_due.isoformat()
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"]
    comp.refresh_from_db()
    assert comp.intro == "My intro"
    assert comp.status == models.Status.DRAFT  # a change waiting for approval
    assert client.get(url(comp)).context_data["comparison"].intro == "Old intro"


def test_loading_the_demo_again_leaves_a_clinicians_edits_alone_unless_refreshed():
    from conditions.demo import treatments as demo

    ConditionFactory(published=True, name="Milia", slug="milia")
    author, reviewer = editors()
    comp = demo.load(author, reviewer)
    row = comp.rows.get(treatment__slug="cryotherapy")
    row.pain = "Edited by a clinician"
    row.save()
    comp.record_change(UserFactory())
    comp.archive(by=reviewer, reason="Not for this clinic")

    demo.load(author, reviewer)
    row.refresh_from_db()
    comp.refresh_from_db()
    assert row.pain == "Edited by a clinician"
    assert comp.status == models.Status.ARCHIVED

    demo.load(author, reviewer, refresh=True)
    row.refresh_from_db()
    comp.refresh_from_db()
    assert row.pain != "Edited by a clinician"
    assert comp.status == models.Status.PUBLISHED
    assert comp.is_published  # patients see the demo comparison again


# -- babies apart from children -------------------------------------------------------------------
def test_the_babies_filter_is_separate_from_the_children_filter(client, comparison):
    rows = comparison.test_rows
    rows["home"].babies = S.YES
    rows["home"].save()
    make_live(comparison)
    # De-roofing suits children (with care) but never babies.
    assert rows["eyes"].babies == S.NO
    babies = option_names(client.get(url(comparison, "?babies=1")))
    children = option_names(client.get(url(comparison, "?children=1")))
    assert babies == ["No treatment: wait and see", "Gentle skin care"]
    assert "De-roofing" in children and "De-roofing" not in babies
    html = client.get(url(comparison, "?babies=1")).content.decode()
    assert 'name="babies" value="1" checked' in html
    assert "suitable for babies (under 1 year)" in html
    assert "suitable for children (1 year and older)" in html


def test_a_bad_babies_filter_value_is_ignored_with_a_message(client, comparison):
    response = client.get(url(comparison, "?babies=maybe"))
    assert response.status_code == 200
    assert "babies" in " ".join(response.context_data["problems"])
    assert len(option_names(response)) == 6


def test_the_demo_never_shows_retinoids_or_de_roofing_as_suitable_for_babies(client):
    from conditions.demo import treatments as demo

    ConditionFactory(published=True, name="Milia", slug="milia")
    comp = demo.load(*editors())
    for slug in ["prescription-retinoid", "de-roofing"]:
        row = comp.rows.get(treatment__slug=slug)
        assert row.babies == S.NO, slug
        assert row.children == S.WITH_CARE, slug
    suitable = set(comp.rows.exclude(babies=S.NO).values_list("treatment__slug", flat=True))
    assert suitable == {"no-treatment", "gentle-skin-care"}
    shown = option_names(
        client.get(reverse("conditions:treatment_comparison", args=["milia"]) + "?babies=1")
    )
    assert shown == ["No treatment: wait and see", "Gentle skin care"]
    for_children = option_names(
        client.get(reverse("conditions:treatment_comparison", args=["milia"]) + "?children=1")
    )
    assert "De-roofing and extraction by a clinician" in for_children


def test_the_demo_rates_pharmacy_exfoliants_as_weak_evidence_and_explains_the_jargon():
    from conditions.demo import treatments as demo

    ConditionFactory(published=True, name="Milia", slug="milia")
    comp = demo.load(*editors())
    exfoliant = comp.rows.get(treatment__slug="pharmacy-exfoliant")
    assert exfoliant.evidence == models.EvidenceLevel.WEAK
    assert "weak" in exfoliant.effectiveness.lower()
    assert "alpha and beta hydroxy acids" in exfoliant.treatment.description
    electro = comp.rows.get(treatment__slug="electrosurgery").treatment.description
    assert "called electrodesiccation" in electro and "called curettage" in electro
    for ref in models.Reference.objects.filter(condition__slug="milia"):  # all from the demo
        assert ref.checked_on is None and ref.url.startswith("https://"), ref
