"""Printed leaflets: A4 PDFs of live articles and comparisons, read back with pypdf.

Nothing here needs a browser or poppler: pypdf extracts the text, the font sizes and the images,
and zxing-cpp reads the QR code back from the PDF's own image.
"""

import datetime
import io
from collections import Counter

import pytest
import zxingcpp
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from pypdf import PdfReader

from conditions.models import (
    CareAdvice,
    Condition,
    KioskProfile,
    Recommendation,
    Status,
    TreatmentComparison,
)
from tests.conditions.article_admin import change_url, user_in
from tests.factories import (
    ComparisonRowFactory,
    ConditionFactory,
    TreatmentComparisonFactory,
    TreatmentFactory,
    UserFactory,
    make_live,
)

pytestmark = pytest.mark.django_db

A4_POINTS = (595.28, 841.89)

# The clinic's public address: every QR code leads there, whatever host printed the leaflet.
PUBLIC = settings.PORTAL_PUBLIC_URL.rstrip("/")


# -- reading a PDF back ------------------------------------------------------------------------
class Pdf:
    def __init__(self, data: bytes):
        assert data.startswith(b"%PDF-"), data[:40]
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = self.reader.pages
        self.text = "\n".join(page.extract_text() for page in self.pages)
        # pypdf breaks lines where the typesetter did: compare words, not line breaks.
        self.words = " ".join(self.text.split())

    def __contains__(self, phrase: str) -> bool:
        return " ".join(phrase.split()) in self.words

    @property
    def title(self) -> str:
        return self.reader.metadata.title

    def qr_codes(self) -> list[str]:
        """The text of every QR code in the PDF's images, as a phone would read it."""
        images = {}  # pages share their resources: each image once
        for page in self.pages:
            for image in page.images:
                images.setdefault(image.name, image.image)
        return [code.text for image in images.values() for code in zxingcpp.read_barcodes(image)]

    def font_sizes(self) -> Counter:
        """Characters of text per font size in points (Tf size scaled by the text matrices)."""
        sizes = Counter()

        def visit(text, cm, tm, font, size):
            if text.strip():
                scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
                sizes[round(size * scale, 1)] += len(text.strip())

        for page in self.pages:
            page.extract_text(visitor_text=visit)
        return sizes

    def body_size(self) -> float:
        return self.font_sizes().most_common(1)[0][0]


def get_pdf(client, url: str, **headers) -> Pdf:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/pdf"
    return Pdf(response.content)


def long_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


# -- content ---------------------------------------------------------------------------------
@pytest.fixture
def milia():
    condition = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        summary="Milia are tiny white bumps under the skin. They are harmless.",
        also_known_as="milk spots",
    )
    CareAdvice.objects.create(
        condition=condition,
        level=CareAdvice.Level.SELF_CARE,
        signs="- A few white spots on a well baby.",
        action="Leave them alone and wash gently.",
    )
    CareAdvice.objects.create(
        condition=condition,
        level=CareAdvice.Level.ROUTINE,
        signs="- A spot grows, bleeds or has not healed in 4 weeks.",
        action="Book an appointment with your GP.",
    )
    CareAdvice.objects.create(
        condition=condition,
        level=CareAdvice.Level.EMERGENCY,
        signs="- A rash that does not fade under a pressed glass.",
        action="Call 999 now.",
    )
    make_live(condition)
    return condition


@pytest.fixture
def comparison(milia):
    comparison = TreatmentComparisonFactory(condition=milia, published=True)
    ComparisonRowFactory(
        comparison=comparison,
        treatment=TreatmentFactory(name="De-roofing by a clinician", slug="de-roofing"),
        involves="A tiny nick in each spot, then the core is pressed out.",
        recommendation=Recommendation.OPTION,
        reason="The usual choice if you want them removed.",
    )
    ComparisonRowFactory(
        comparison=comparison,
        treatment=TreatmentFactory(name="Squeezing at home", slug="squeezing"),
        involves="Pushing the spot out yourself.",
        recommendation=Recommendation.NOT_RECOMMENDED,
        reason="It can scar the skin or cause an infection.",
    )
    make_live(comparison)
    return comparison


def leaflet_url(condition, **query) -> str:
    url = reverse("conditions:condition_leaflet", args=[condition.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# -- the article leaflet ---------------------------------------------------------------------------
def test_article_leaflet_is_an_a4_pdf_with_the_summary_help_review_and_a_qr_code(client, milia):
    live = milia.live
    pdf = get_pdf(client, leaflet_url(milia))

    assert 1 <= len(pdf.pages) <= 2
    for page in pdf.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (
            A4_POINTS
        )
    assert pdf.title.startswith("Milia")
    root = pdf.reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged for screen readers
    assert "Milia" in pdf
    assert "Also called: milk spots" in pdf
    assert "Milia are tiny white bumps under the skin. They are harmless." in pdf
    # The urgent-help card, then self-care and when to get help, as the article page has them.
    assert "Get help urgently" in pdf
    assert "A rash that does not fade under a pressed glass." in pdf
    assert "Call 999 now if someone is seriously ill" in pdf
    assert "Looking after it yourself" in pdf and "Leave them alone and wash gently." in pdf
    assert "When to get help" in pdf and "A spot grows, bleeds or has not healed" in pdf
    assert pdf.words.index("Get help urgently") < pdf.words.index("Looking after it yourself")
    # Who reviewed it and when, as the article page says it.
    reviewed = f"Reviewed by {live.reviewer_name()} on {long_date(live.last_reviewed)}."
    assert reviewed in pdf
    assert f"Next review due {long_date(live.next_review_due)}." in pdf
    assert "Example content" not in pdf
    # The QR code is a real image in the PDF, and it leads to the public article.
    assert pdf.qr_codes() == [PUBLIC + "/conditions/milia/"]
    assert (PUBLIC + "/conditions/milia/") in pdf


def test_the_qr_code_uses_the_clinics_public_address_whatever_host_printed_it(client, milia):
    with override_settings(PORTAL_PUBLIC_URL="https://info.clinic.example/"):
        pdf = get_pdf(client, leaflet_url(milia))
    assert pdf.qr_codes() == ["https://info.clinic.example/conditions/milia/"]


def test_the_clinic_name_heads_the_leaflet(client, milia):
    with override_settings(PORTAL_CLINIC_NAME="Riverside Skin Clinic"):
        pdf = get_pdf(client, leaflet_url(milia))
    assert "Riverside Skin Clinic" in pdf
    assert pdf.reader.metadata.author == "Riverside Skin Clinic"


def test_example_content_is_labelled_on_the_leaflet(client, milia):
    Condition.all_copies.filter(pk=milia.live_id).update(is_example=True)
    pdf = get_pdf(client, leaflet_url(milia))
    assert "Example content." in pdf
    assert "awaiting review by this clinic's own clinicians" in pdf


def test_an_overdue_article_says_so_on_the_leaflet(client):
    condition = ConditionFactory(overdue=True, name="Old page", slug="old-page")
    pdf = get_pdf(client, leaflet_url(condition))
    assert "This page is due for review." in pdf


def test_large_print_is_16_point_or_more_still_a4(client, milia):
    standard = get_pdf(client, leaflet_url(milia))
    large = get_pdf(client, leaflet_url(milia, size="large"))

    assert standard.body_size() < 12
    assert large.body_size() >= 16
    assert min(large.font_sizes()) >= 16, large.font_sizes()  # nothing smaller, footers too
    assert len(large.pages) >= len(standard.pages)
    assert round(float(large.pages[0].mediabox.width), 2) == A4_POINTS[0]
    assert "Milia are tiny white bumps under the skin." in large
    assert large.qr_codes() == [PUBLIC + "/conditions/milia/"]


def test_an_unknown_size_is_a_400_that_says_what_to_use(client, milia):
    response = client.get(leaflet_url(milia, size="huge"))
    assert response.status_code == 400
    assert "size=large" in response.content.decode()


# -- only what a reviewer approved -------------------------------------------------------------
def test_drafts_never_reach_the_patient_leaflet(client, milia):
    before = get_pdf(client, leaflet_url(milia))
    milia.summary = "DRAFT WORDING that no reviewer has seen."
    milia.status = Status.DRAFT
    milia.save()
    advice = milia.care_advice.get(level=CareAdvice.Level.SELF_CARE)
    advice.action = "UNAPPROVED ADVICE"
    advice.save()

    after = get_pdf(client, leaflet_url(milia))

    assert "Milia are tiny white bumps under the skin. They are harmless." in after
    assert "Leave them alone and wash gently." in after
    assert "DRAFT WORDING" not in after and "UNAPPROVED ADVICE" not in after
    assert after.words == before.words


def test_an_approved_change_reaches_the_leaflet_at_once(client, milia):
    first = client.get(leaflet_url(milia))
    milia.summary = "Milia are small keratin cysts. Most clear by themselves."
    milia.save()
    make_live(milia)  # what an approval does

    second = client.get(leaflet_url(milia))

    assert second["ETag"] != first["ETag"]
    assert "Milia are small keratin cysts." in Pdf(second.content)


@pytest.mark.parametrize(
    "path", ["/conditions/nope/leaflet.pdf", "/conditions/nope/treatments/leaflet.pdf"]
)
def test_unknown_slugs_are_404(client, path):
    assert client.get(path).status_code == 404


def test_unpublished_and_offline_items_are_404(client, milia, comparison):
    draft = ConditionFactory(name="Never published", slug="never-published")
    assert draft.live_id is None
    assert client.get(leaflet_url(draft)).status_code == 404

    reviewer = user_in("Clinical reviewer")
    comparison.take_offline(reviewer, "A mistake in a row.")
    url = reverse("conditions:comparison_leaflet", args=["milia"])
    assert client.get(url).status_code == 404
    assert client.get(leaflet_url(milia)).status_code == 200
    milia.take_offline(reviewer, "Checking a fact.")
    assert client.get(leaflet_url(milia)).status_code == 404


# -- caching and HTTP -----------------------------------------------------------------------------
def test_the_second_request_is_served_from_the_cache(client, milia):
    first = client.get(leaflet_url(milia))
    second = client.get(leaflet_url(milia))

    assert first["X-Leaflet-Cache"] == "miss"
    assert second["X-Leaflet-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert first["Content-Disposition"] == 'inline; filename="milia-leaflet.pdf"'
    # The large print is a PDF of its own.
    large = client.get(leaflet_url(milia, size="large"))
    assert large["X-Leaflet-Cache"] == "miss" and large["ETag"] != first["ETag"]


def test_a_cached_leaflet_is_served_in_well_under_a_second(client, milia):
    import time

    client.get(leaflet_url(milia))  # typeset once
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(leaflet_url(milia))
        timings.append(time.perf_counter() - started)
        assert response["X-Leaflet-Cache"] == "hit"
    # The best of three, so a busy test machine does not decide it; typically a few ms.
    assert min(timings) < 0.25, timings


def test_a_known_etag_is_a_304_and_head_works(client, milia):
    first = client.get(leaflet_url(milia))
    again = client.get(leaflet_url(milia), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]

    head = client.head(leaflet_url(milia))
    assert head.status_code == 200
    assert head["Content-Type"] == "application/pdf"
    assert head.content == b""
    assert client.post(leaflet_url(milia)).status_code == 405


def test_unrelated_edits_keep_the_cached_leaflet(client, milia):
    client.get(leaflet_url(milia))
    ConditionFactory(published=True, name="Acne", slug="acne")  # a change elsewhere
    assert client.get(leaflet_url(milia))["X-Leaflet-Cache"] == "hit"


# -- the comparison leaflet ------------------------------------------------------------------------
def test_comparison_leaflet_lists_every_option_with_our_view(client, comparison):
    live = TreatmentComparison.objects.published().get()
    url = reverse("conditions:comparison_leaflet", args=["milia"])
    pdf = get_pdf(client, url)

    assert len(pdf.pages) <= 2
    assert pdf.title.startswith("Treatment options for Milia")
    for row in live.rows.select_related("treatment"):
        assert row.treatment.name in pdf
        assert " ".join(row.involves.split()[:5]) in pdf
        assert row.reason in pdf
    assert "Not recommended." in pdf and "An option." in pdf
    assert "No treatment: wait and see" in pdf
    reviewed = f"Reviewed by {live.reviewer_name()} on {long_date(live.last_reviewed)}."
    assert reviewed in pdf
    assert pdf.qr_codes() == [PUBLIC + "/conditions/milia/treatments/"]


# -- the admin's draft leaflet ----------------------------------------------------------------------
def test_the_draft_leaflet_is_for_staff_marked_draft_and_never_cached(client, milia):
    url = reverse("conditions:condition_leaflet_preview", args=["milia"])
    assert client.get(url).status_code == 404  # patients: as if it did not exist
    milia.summary = "A new summary waiting for review."
    milia.save()
    author = user_in("Author")
    client.force_login(author)

    response = client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Leaflet-Cache" not in response
    pdf = Pdf(response.content)
    assert pdf.title.startswith("DRAFT")
    assert "DRAFT: not approved. Do not give this to patients." in pdf
    assert "A new summary waiting for review." in pdf
    assert len(pdf.qr_codes()) == 1
    # Staff without the permission to see articles get the same 404.
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_draft_comparison_leaflet_shows_the_working_copy(client, comparison):
    row = comparison.rows.get(treatment__slug="squeezing")
    row.reason = "A reworded reason nobody approved yet."
    row.save()
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_treatmentcomparison"))
    client.force_login(user)

    draft = get_pdf(client, reverse("conditions:comparison_leaflet_preview", args=["milia"]))
    live = get_pdf(client, reverse("conditions:comparison_leaflet", args=["milia"]))

    assert "A reworded reason nobody approved yet." in draft and "DRAFT" in draft
    assert "A reworded reason nobody approved yet." not in live


def test_admin_change_pages_link_to_the_leaflet_and_the_draft_leaflet(client, milia, comparison):
    client.force_login(user_in("Clinical reviewer"))
    html = client.get(change_url(milia)).content.decode()
    assert 'href="/conditions/milia/leaflet.pdf"' in html
    assert 'href="/conditions/milia/preview/leaflet.pdf"' in html

    html = client.get(
        reverse("admin:conditions_treatmentcomparison_change", args=[comparison.pk])
    ).content.decode()
    assert 'href="/conditions/milia/treatments/leaflet.pdf"' in html
    assert 'href="/conditions/milia/treatments/preview/leaflet.pdf"' in html

    draft = ConditionFactory(name="Draft only", slug="draft-only")
    html = client.get(change_url(draft)).content.decode()
    assert "/conditions/draft-only/leaflet.pdf" not in html  # nothing live to print
    assert 'href="/conditions/draft-only/preview/leaflet.pdf"' in html


# -- links on the patient site and the kiosk -----------------------------------------------------
def test_article_and_comparison_pages_offer_print_a_leaflet(client, milia, comparison):
    html = client.get("/conditions/milia/").content.decode()
    assert 'href="/conditions/milia/leaflet.pdf"' in html
    assert 'href="/conditions/milia/leaflet.pdf?size=large"' in html
    assert "Print a leaflet" in html
    html = client.get("/conditions/milia/treatments/").content.decode()
    assert 'href="/conditions/milia/treatments/leaflet.pdf"' in html


def test_the_staff_preview_page_offers_no_patient_leaflet(client, milia):
    client.force_login(user_in("Author"))
    html = client.get(reverse("conditions:condition_preview", args=["milia"])).content.decode()
    assert "leaflet.pdf" not in html


def test_the_kiosk_offers_a_leaflet_only_where_a_printer_is_attached(client, milia):
    html = client.get("/kiosk/conditions/milia/").content.decode()
    assert "leaflet" not in html.split("<main", 1)[1].split("</main>")[0].lower()
    assert client.get("/kiosk/conditions/milia/leaflet/").status_code == 404
    assert client.get("/kiosk/conditions/milia/leaflet/print/").status_code == 404

    profile = KioskProfile.objects.create(name="Desk", slug="desk", printer_available=True)
    client.get(reverse("kiosk_start", args=[profile.slug]))
    html = client.get("/kiosk/conditions/milia/").content.decode()
    # The kiosk's leaflet screen, never the PDF (Chromium's PDF viewer has no idle reset).
    assert 'href="/kiosk/conditions/milia/leaflet/"' in html
    assert 'href="/kiosk/conditions/milia/leaflet/?size=large"' in html
    assert "leaflet.pdf" not in html
    # The draft leaflet is a preview: refused in the kiosk like every preview.
    assert client.get("/kiosk/conditions/milia/preview/leaflet.pdf").status_code == 404


@pytest.fixture
def printer_kiosk(client):
    profile = KioskProfile.objects.create(name="Desk", slug="desk", printer_available=True)
    client.get(reverse("kiosk_start", args=[profile.slug]))
    return profile


def test_the_kiosk_leaflet_screen_frames_the_leaflet_with_print_back_and_the_idle_reset(
    client, milia, comparison, printer_kiosk
):
    response = client.get("/kiosk/conditions/milia/leaflet/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<h1>Leaflet: Milia</h1>" in html
    assert 'class="kiosk"' in html and "js/kiosk.js" in html  # the idle reset runs here
    assert 'src="/kiosk/conditions/milia/leaflet/print/"' in html
    assert 'sandbox="allow-same-origin allow-modals"' in html
    assert "data-kiosk-print>Print the leaflet</button>" in html
    assert 'href="/kiosk/conditions/milia/leaflet/?size=large"' in html
    assert 'data-kiosk-back-url="/kiosk/conditions/milia/"' in html
    # The page may frame its own site's print view, and nothing else.
    csp = response["Content-Security-Policy"]
    assert "frame-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"

    html = client.get("/kiosk/conditions/milia/treatments/leaflet/?size=large").content.decode()
    assert "Leaflet: Treatment options for Milia" in html
    assert 'src="/kiosk/conditions/milia/treatments/leaflet/print/?size=large"' in html
    assert 'href="/kiosk/conditions/milia/treatments/leaflet/"' in html  # standard print
    assert 'data-kiosk-back-url="/kiosk/conditions/milia/treatments/"' in html


def test_the_kiosk_print_view_is_the_leaflet_html_frameable_by_the_kiosk_only(
    client, milia, comparison, printer_kiosk
):
    response = client.get("/kiosk/conditions/milia/leaflet/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/leaflet.css">' in html
    assert "<h1>Milia</h1>" in html and "Milia are tiny white bumps" in html
    assert "Get help urgently" in html and PUBLIC + "/conditions/milia/" in html
    assert 'src="data:image/png;base64,' in html  # the QR code
    assert "<script" not in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert response["Cache-Control"] == "no-store"

    large = client.get("/kiosk/conditions/milia/treatments/leaflet/print/?size=large")
    assert "leaflet-large" in large.content.decode()
    assert "De-roofing by a clinician" in large.content.decode()
    # Opened as a page of its own (no idle reset there): the screen that frames it instead.
    top = client.get(
        "/kiosk/conditions/milia/leaflet/print/?size=large", headers={"Sec-Fetch-Dest": "document"}
    )
    assert (
        top.status_code == 302 and top["Location"] == "/kiosk/conditions/milia/leaflet/?size=large"
    )
    framed = client.get(
        "/kiosk/conditions/milia/leaflet/print/", headers={"Sec-Fetch-Dest": "iframe"}
    )
    assert framed.status_code == 200


def test_the_kiosk_never_opens_the_pdf_its_old_addresses_lead_to_the_leaflet_screen(
    client, milia, comparison, printer_kiosk
):
    response = client.get("/kiosk/conditions/milia/leaflet.pdf?size=large")
    assert response.status_code == 302
    assert response["Location"] == "/kiosk/conditions/milia/leaflet/?size=large"
    response = client.get("/kiosk/conditions/milia/treatments/leaflet.pdf")
    assert response["Location"] == "/kiosk/conditions/milia/treatments/leaflet/"
    # The patient site keeps the PDF download.
    assert client.get("/conditions/milia/leaflet.pdf")["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "path",
    [
        "/kiosk/conditions/no-such/leaflet/",
        "/kiosk/conditions/no-such/leaflet/print/",
        "/kiosk/conditions/no-such/treatments/leaflet/",
        "/kiosk/conditions/no-such/treatments/leaflet/print/",
    ],
)
def test_kiosk_leaflets_of_unknown_pages_are_404(client, milia, printer_kiosk, path):
    assert client.get(path).status_code == 404


def test_kiosk_leaflet_screen_without_a_comparison_is_404_and_a_bad_size_400(
    client, milia, printer_kiosk
):
    assert client.get("/kiosk/conditions/milia/treatments/leaflet/").status_code == 404
    response = client.get("/kiosk/conditions/milia/leaflet/?size=huge")
    assert response.status_code == 400
    assert "size=large" in response.content.decode()


# -- every demo article ----------------------------------------------------------------------------
def test_every_demo_article_and_comparison_prints_on_one_or_two_a4_pages(client):
    call_command("load_demo_content", stdout=io.StringIO())
    today = long_date(timezone.localdate())
    urls = [
        reverse("conditions:condition_leaflet", args=[slug])
        for slug in Condition.objects.published().values_list("slug", flat=True)
    ]
    urls += [
        reverse("conditions:comparison_leaflet", args=[slug])
        for slug in TreatmentComparison.objects.published().values_list(
            "condition__slug", flat=True
        )
    ]
    assert len(urls) >= 6

    for url in urls:
        pdf = get_pdf(client, url)
        public = PUBLIC + url.removesuffix("leaflet.pdf")
        assert 1 <= len(pdf.pages) <= 2, (url, len(pdf.pages))
        assert pdf.title.split(" – ")[0] in pdf, url
        assert "Reviewed by" in pdf and f"on {today}. Next review due" in pdf, url
        assert "Example content." in pdf, url  # approved by the demo reviewer account
        assert pdf.qr_codes() == [public], url


def test_without_pango_the_leaflet_is_a_clear_503_not_a_500(client, milia, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    response = client.get(leaflet_url(milia))
    assert response.status_code == 503
    assert "not available" in response.content.decode()
