"""Compare selected: the answer to the Compare button, with and without htmx, and the
kiosk's comparison sources as plain citations (no QR code per source)."""

import re

import pytest
from django.urls import reverse

from conditions import models
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    ReferenceFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    make_live,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TICK_TWO = "Tick at least two treatments to compare them."
SOURCE_URL = "https://dermnetnz.org/topics/milia"


@pytest.fixture
def comparison():
    condition = ConditionFactory(published=True, name="Milia", slug="milia")
    reference = ReferenceFactory(
        condition=condition, publisher="DermNet", title="Milia", url=SOURCE_URL
    )
    comp = TreatmentComparisonFactory(published=True, condition=condition)
    for order, name in enumerate(["De-roofing", "Cryotherapy", "Laser ablation"], start=1):
        row = ComparisonRowFactory(
            comparison=comp,
            treatment=TreatmentFactory(name=name, setting=models.CareSetting.GP),
            order=order,
        )
        row.references.add(reference)
    make_live(condition)
    make_live(comp)
    comp.ids = {
        row.treatment.name: row.pk
        for row in models.ComparisonRow.objects.filter(comparison__is_live=True)
    }
    return comp


def page(query="", kiosk=False):
    path = reverse("conditions:treatment_comparison", args=["milia"])
    return ("/kiosk" + path if kiosk else path) + query


def error_paragraph(html):
    match = re.search(r'<p id="compare-error"[^>]*>([^<]*)</p>', html)
    assert match, "no error paragraph in the compare bar"
    return match.group(0), match.group(1)


def checked_ids(html):
    return {int(v) for v in re.findall(r'name="compare" value="(\d+)" checked', html)}


@pytest.mark.parametrize("htmx", [False, True])
def test_pressing_compare_with_nothing_ticked_says_what_to_do_next_to_the_button(
    client, comparison, htmx
):
    response = client.get(page("?compare_selected=1"), **(HX if htmx else {}))
    assert response.status_code == 200
    assert response.context_data["comparing"] is False
    html = response.content.decode()
    tag, text = error_paragraph(html)
    assert text == TICK_TWO
    assert "autofocus" in tag and "hidden" not in tag  # focus goes to it, with or without JS
    assert 'aria-describedby="compare-error"' in html
    # Next to the button, in the bar, and not up in the filter problems.
    bar = html[
        html.index('id="compare-bar"') : html.index("</div>", html.index('id="compare-bar"'))
    ]
    assert TICK_TWO in bar and "Compare selected" in bar
    assert "filter-problems" not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_one_tick_is_kept_ticked_with_the_error(client, comparison, htmx):
    one = comparison.ids["Cryotherapy"]
    response = client.get(page(f"?compare={one}&compare_selected=1"), **(HX if htmx else {}))
    html = response.content.decode()
    assert error_paragraph(html)[1] == TICK_TWO
    assert checked_ids(html) == {one}


def test_too_many_ticks_are_all_kept_with_the_error(client, comparison):
    ComparisonRowFactory(comparison=comparison)
    make_live(comparison)
    ids = list(
        models.ComparisonRow.objects.filter(comparison__is_live=True).values_list("pk", flat=True)
    )
    assert len(ids) == 5  # four options and waiting
    query = "?" + "&".join(f"compare={i}" for i in ids) + "&compare_selected=1"
    html = client.get(page(query)).content.decode()
    assert "up to 3 options" in error_paragraph(html)[1]
    assert checked_ids(html) == set(ids)


def test_an_unknown_option_is_dropped_but_the_others_stay_ticked(client, comparison):
    one = comparison.ids["De-roofing"]
    html = client.get(page(f"?compare={one}&compare=abc&compare_selected=1")).content.decode()
    assert "were not valid" in error_paragraph(html)[1]
    assert checked_ids(html) == {one}


def test_the_error_page_keeps_the_filters(client, comparison):
    html = client.get(page("?setting=clinic&near_eyes=1&compare_selected=1")).content.decode()
    assert error_paragraph(html)[1] == TICK_TWO
    assert '<input type="hidden" name="setting" value="clinic">' in html
    assert '<input type="hidden" name="near_eyes" value="1">' in html


def test_an_ordinary_visit_shows_no_error_and_nothing_ticked(client, comparison):
    html = client.get(page()).content.decode()
    tag, text = error_paragraph(html)
    assert text == "" and " hidden" in tag and "autofocus" not in tag
    assert checked_ids(html) == set()
    # The button's live count ("Compare (2)") is filled in by portal.js from this label.
    assert 'data-count-label="Compare (#)"' in html
    assert 'name="compare_selected" value="1"' in html


def test_a_comparison_takes_focus_and_ticks_nothing(client, comparison):
    a, b = comparison.ids["De-roofing"], comparison.ids["Laser ablation"]
    response = client.get(page(f"?compare={a}&compare={b}&compare_selected=1"))
    assert response.context_data["comparing"] is True
    html = response.content.decode()
    assert re.search(r'<div class="table-scroll"[^>]*autofocus', html)
    assert 'id="compare-error"' not in html


def test_the_answer_to_compare_stays_within_the_query_budget(
    client, comparison, django_assert_max_num_queries
):
    one = comparison.ids["Cryotherapy"]
    with django_assert_max_num_queries(5):
        assert client.get(page(f"?compare={one}&compare_selected=1")).status_code == 200
    with django_assert_max_num_queries(5):
        client.get(page(f"?compare={one}&compare_selected=1"), **HX)


def test_on_the_kiosk_sources_are_citations_without_a_qr_code_each(client, comparison):
    html = client.get(page(kiosk=True)).content.decode()
    table = html[html.index('id="comparison-table"') : html.index('id="evidence-scale"')]
    assert table.count("<cite>DermNet: Milia</cite>") == 3
    assert "kiosk-offsite" not in table and "<svg" not in table
    assert SOURCE_URL not in table
    # The public page still links each source.
    public = client.get(page()).content.decode()
    assert public.count(f'<a href="{SOURCE_URL}"') == 3
