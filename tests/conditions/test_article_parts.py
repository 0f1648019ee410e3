"""Long articles in short parts: the opening page, one page per part, old links,
"Also called", pictures, the preview and the kiosk."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conditions import article_parts, models
from tests.factories import (
    ConditionFactory,
    FAQFactory,
    ReferenceFactory,
    SectionFactory,
    make_live,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


def words(n: int, word: str = "word") -> str:
    """A paragraph of `n` words, in sentences."""
    return " ".join(f"{word}." if i % 10 == 9 else word for i in range(n))


def long_article(part_titles=True, **kwargs):
    """A published article of about 1,600 words: six sections, FAQs, advice and sources."""
    condition = ConditionFactory(
        published=True,
        name="Milia",
        slug="milia",
        also_known_as="milk spots\nmilia spots\nmilium\noil seeds\nwhite bumps under eye",
        summary="Milia are tiny hard white bumps just under the skin.",
        with_content=False,
        **kwargs,
    )
    ReferenceFactory(condition=condition, title="Milia overview")
    ReferenceFactory(condition=condition, title="Milia treatment")
    sections = [
        ("What milia look like", "About milia", 200),
        ("What milia are", "", 150),
        ("Milia in newborn babies", "Milia in babies", 250),
        ("Looking after a baby", "", 100),
        ("Treatments", "Treatment options", 450),
        ("Outlook", "", 60),
    ]
    for order, (heading, part, n) in enumerate(sections, start=1):
        SectionFactory(
            condition=condition,
            order=order,
            heading=heading,
            part_title=part if part_titles else "",
            body=f"{words(n)} Sources say so [2].",
        )
    FAQFactory(condition=condition, question="Can I squeeze milia?", answer="No [1].")
    for level, signs in [
        ("emergency", "- a baby who is floppy"),
        ("urgent", "- spots that are spreading fast"),
        ("routine", "- spots that last more than a few months"),
    ]:
        models.CareAdvice.objects.create(condition=condition, level=level, signs=signs)
    condition.refresh_derived()
    make_live(condition)
    return condition


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def shown(page: str) -> str:
    """The page without its JSON-LD (structured data for search engines, not on screen)."""
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.S)


def part_links(page: str) -> list[str]:
    return re.findall(r'<a class="part-link" href="([^"]+)">', page)


# -- grouping (pure) -------------------------------------------------------------------------
class Row:
    def __init__(self, heading, n, part_title=""):
        self.heading, self.part_title = heading, part_title
        self.body_text, self.body_html, self.anchor = words(n), "", heading.lower()


def test_sections_start_a_part_where_the_editor_gave_a_part_title():
    rows = [Row("a", 50, "First"), Row("b", 500), Row("c", 50, "Second"), Row("d", 50)]
    groups = article_parts.group_sections(rows)
    assert [[r.heading for r in g] for g in groups] == [["a", "b"], ["c", "d"]]


def test_without_part_titles_sections_group_by_length_and_a_long_section_stays_whole():
    rows = [Row("a", 150), Row("b", 150), Row("c", 150), Row("d", 700), Row("e", 30)]
    groups = article_parts.group_sections(rows, budget=400)
    assert [[r.heading for r in g] for g in groups] == [["a", "b"], ["c"], ["d"], ["e"]]
    for group in groups:
        total = sum(article_parts.section_words(r) for r in group)
        assert total <= 400 or len(group) == 1


def test_reading_time_is_words_at_200_a_minute_and_at_least_one_minute():
    assert article_parts.minutes(30) == 1
    assert article_parts.minutes(400) == 2
    assert article_parts.minutes(1000) == 5


# -- the opening page ------------------------------------------------------------------------
def test_a_long_article_opens_with_summary_urgent_help_and_its_parts_not_its_text(client):
    long_article()
    page = html(client.get("/conditions/milia/"))
    assert "Milia are tiny hard white bumps" in page
    assert 'id="urgent-help"' in page and "a baby who is floppy" in page
    assert part_links(page) == [
        "/conditions/milia/what-milia-look-like/",
        "/conditions/milia/milia-in-newborn-babies/",
        "/conditions/milia/treatments-2/",
        "/conditions/milia/when-to-get-help/",
        "/conditions/milia/questions/",
        "/conditions/milia/sources/",
    ]
    assert ">About milia</a>" in page and ">Treatment options</a>" in page
    assert "word word" not in shown(page)  # the sections' text is in the parts
    assert "Can I squeeze milia?" not in page
    assert 'href="/conditions/milia/all/"' in page


def test_every_old_anchor_of_the_one_page_article_still_lands_on_the_opening_page(client):
    condition = long_article()
    page = html(client.get("/conditions/milia/"))
    anchors = [s.slug for s in condition.live.sections.all()]
    anchors[anchors.index("treatments")] = "treatments-2"  # /treatments/ is the comparison
    for anchor in [*anchors, "urgent-help", "when-to-get-help", "questions", "sources"]:
        assert f'id="{anchor}"' in page, anchor


def test_also_called_shows_the_three_most_common_names_and_search_still_knows_the_rest(client):
    long_article()
    page = html(client.get("/conditions/milia/"))
    assert "Also called: milk spots, milia spots, milium</p>" in page
    assert "oil seeds" not in page.split("</h1>", 1)[1].split("</article>")[0]
    assert [c.slug for c in models.Condition.objects.search("white bumps under eye")] == ["milia"]


def test_a_short_article_stays_on_one_page(client):
    condition = ConditionFactory(published=True, slug="syringoma", with_content=False)
    SectionFactory(condition=condition, heading="What they look like", body=words(120))
    SectionFactory(condition=condition, heading="Treatment", body=words(80))
    ReferenceFactory(condition=condition)
    make_live(condition)
    page = html(client.get("/conditions/syringoma/"))
    assert part_links(page) == []
    assert '<section id="what-they-look-like"' in page and '<section id="treatment"' in page
    response = client.get("/conditions/syringoma/treatment/")
    assert (
        response.status_code == 302 and response["Location"] == "/conditions/syringoma/#treatment"
    )


# -- the parts -------------------------------------------------------------------------------
def test_each_part_is_its_own_page_with_previous_next_contents_and_back_to_top(client):
    long_article()
    page = html(client.get("/conditions/milia/milia-in-newborn-babies/"))
    assert '<h1 id="part-heading">Milia in babies</h1>' in page
    assert "part 2 of 6" in page
    assert 'id="milia-in-newborn-babies"' in page and 'id="looking-after-a-baby"' in page
    assert "Treatments" not in re.sub(r'<nav class="part-nav".*?</nav>', "", page, flags=re.S)
    assert 'href="/conditions/milia/what-milia-look-like/" rel="prev"' in page
    assert 'href="/conditions/milia/treatments-2/" rel="next"' in page
    assert 'href="/conditions/milia/#parts"' in page and 'href="#main"' in page
    assert "Back to top" in page
    # Help comes first on every page: the urgent signs, one tap away.
    assert "urgent-help-folded" in page and "a baby who is floppy" in page


def test_no_part_takes_more_than_a_few_minutes_to_read(client):
    long_article()
    page = html(client.get("/conditions/milia/"))
    for url in part_links(page):
        text = re.sub(r"<[^>]+>", " ", html(client.get(url)).split('class="part-of"')[1])
        text = text.split("Previous part")[0].split("Next part")[0]
        assert article_parts.minutes(len(text.split())) <= 3, url


def test_a_section_inside_a_part_leads_to_its_part_at_the_section(client):
    long_article()
    response = client.get("/conditions/milia/what-milia-are/")
    assert response.status_code == 302
    assert response["Location"] == "/conditions/milia/what-milia-look-like/#what-milia-are"
    assert client.get("/conditions/milia/no-such-part/").status_code == 404


def test_citations_in_a_part_lead_to_the_sources_part(client):
    long_article()
    page = html(client.get("/conditions/milia/what-milia-look-like/"))
    assert 'href="/conditions/milia/sources/#ref-2"' in page
    assert 'href="#ref-' not in page
    sources = html(client.get("/conditions/milia/sources/"))
    assert 'id="ref-1"' in sources and 'id="ref-2"' in sources and "Milia treatment" in sources
    questions = html(client.get("/conditions/milia/questions/"))
    assert "Can I squeeze milia?" in questions
    assert 'href="/conditions/milia/sources/#ref-1"' in questions


def test_without_part_titles_a_long_article_is_still_cut_into_short_parts(client):
    long_article(part_titles=False)
    links = part_links(html(client.get("/conditions/milia/")))
    assert len(links) > 4
    for url in links:
        html(client.get(url))


def test_the_whole_article_is_one_page_for_printing(client):
    long_article()
    page = html(client.get("/conditions/milia/all/"))
    assert shown(page).count("Sources say so") == 6 and "Can I squeeze milia?" in page
    assert 'id="ref-2"' in page and "data-print" in page
    assert '<link rel="canonical" href="http://testserver/conditions/milia/">' in page


def test_a_part_names_the_article_it_belongs_to_in_its_structured_data(client):
    long_article()
    page = html(client.get("/conditions/milia/treatments-2/"))
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["name"] == "Milia: Treatment options"
    assert data["url"] == "http://testserver/conditions/milia/treatments-2/"
    assert data["isPartOf"]["url"] == "http://testserver/conditions/milia/"


def test_a_section_cannot_take_the_address_of_the_treatment_comparison(client):
    long_article()
    assert "/conditions/milia/treatments/" not in html(client.get("/conditions/milia/"))
    assert client.get("/conditions/milia/treatments-2/").status_code == 200


def test_parts_of_a_draft_are_404_for_patients(client):
    condition = long_article()
    draft = ConditionFactory(slug="draft-only", with_content=False)
    SectionFactory(condition=draft, heading="Secret", body=words(700))
    assert client.get("/conditions/draft-only/secret/").status_code == 404
    assert condition.live.slug == "milia"


def test_a_part_takes_at_most_four_queries_and_is_cached(client, django_assert_max_num_queries):
    long_article()
    with django_assert_max_num_queries(4):
        html(client.get("/conditions/milia/milia-in-newborn-babies/"))
    with django_assert_max_num_queries(0):
        html(client.get("/conditions/milia/milia-in-newborn-babies/"))


def test_a_part_carries_the_review_notice_and_the_feedback_widget(client):
    long_article()
    page = html(client.get("/conditions/milia/sources/"))
    assert "review-notice" in page and "Was this page helpful?" in page
    assert 'action="/feedback/article/milia/helpful/"' in page


# -- the preview and the kiosk ---------------------------------------------------------------
def test_the_preview_of_a_draft_shows_the_same_parts_inside_the_preview(client):
    condition = long_article()
    SectionFactory(condition=condition, order=9, heading="New draft section", part_title="New part")
    client.force_login(reviewer_user())
    opening = html(client.get("/conditions/milia/preview/"))
    assert 'href="/conditions/milia/preview/new-draft-section/"' in opening
    part = client.get("/conditions/milia/preview/new-draft-section/")
    assert "New draft section" in html(part) and part["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in part["Cache-Control"]
    # Patients do not see it until a reviewer approves it.
    client.logout()
    assert "New part" not in html(client.get("/conditions/milia/"))
    assert client.get("/conditions/milia/new-draft-section/").status_code == 404


def test_the_kiosk_shows_the_same_parts_under_kiosk(client):
    long_article()
    opening = html(client.get("/kiosk/conditions/milia/"))
    assert part_links(opening)[0] == "/kiosk/conditions/milia/what-milia-look-like/"
    page = html(client.get("/kiosk/conditions/milia/milia-in-newborn-babies/"))
    assert 'href="/kiosk/conditions/milia/treatments-2/" rel="next"' in page
    # "Take this home" leads to the part's public address.
    from conditions.templatetags.kiosk_tags import qr_svg

    label = "QR code: scan it with your phone camera to open this page on your phone."
    assert qr_svg("http://testserver/conditions/milia/milia-in-newborn-babies/", label) in page


# -- pictures --------------------------------------------------------------------------------
def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def test_the_article_shows_its_pictures_with_alt_text_skin_tone_and_source(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    condition = long_article()
    image = models.ConditionImage(
        condition=condition,
        image=SimpleUploadedFile("milia.png", png(), content_type="image/png"),
        alt_text="Three tiny white bumps under the lower eyelid",
        caption="Milia under the eye",
        skin_tone=models.ConditionImage.SkinTone.V_VI,
        origin=models.ConditionImage.Origin.ILLUSTRATION,
        credit="Drawn for this clinic",
    )
    image.full_clean()
    image.save()
    make_live(condition)
    page = html(client.get("/conditions/milia/"))
    assert 'alt="Three tiny white bumps under the lower eyelid"' in page
    assert "Milia under the eye" in page
    assert "Skin tone shown: Dark (Fitzpatrick V–VI)." in page
    assert "Source: Drawn for this clinic" in page
    assert "Illustration (a drawing, not a photograph)." in page


def test_a_picture_needs_alt_text_and_its_source():
    picture = models.ConditionImage(condition=ConditionFactory(), alt_text="", credit="")
    with pytest.raises(Exception) as error:
        picture.clean()
    assert {"alt_text", "credit"} <= set(error.value.message_dict)
