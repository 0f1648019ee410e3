"""Pasted HTML and Word text: lists stay lists, headings stay headings, removals are
named after the save; plain-text fields refuse markup with a message naming the field."""

import pytest

from conditions import cleaning
from conditions.content import render_markdown
from tests.conditions.article_admin import change_url, form_data, messages_of, user_in
from tests.factories import ConditionFactory

WORD_TEXT = (
    "Things you can do at home:\n"
    "•\tWash your face gently once a day\n"
    "•\tPat the skin dry\n"
    "o\tUse a soft towel\n"
    "·\tLeave the spots alone\n"
    "Ask for help if:\n"
    "1)\tthe spots hurt\n"
    "2)\tthey spread quickly\n"
    "That is all."
)

PASTED_HTML = """
<h2>At home</h2>
<p>Some <b>gentle</b> care, see <a href="https://www.nhs.uk/conditions/milia/">the NHS page</a>
or <a href="https://cosmetics.example/cream?utm_source=newsletter&amp;utm_medium=email">this cream</a>.</p>
<ul><li>Wash gently<ul><li>with warm water</li></ul></li><li>Pat dry</li></ul>
<script>alert("x")</script><style>p { color: red }</style>
<img src="https://cosmetics.example/before-after.jpg"><h3>  </h3>
<ol><li>First step</li><li>Second step</li></ol>
"""


# -- the cleaning function -------------------------------------------------------------------
def test_word_bullets_and_numbers_become_markdown_lists():
    result = cleaning.clean_markdown(WORD_TEXT)
    html = render_markdown(result.text)
    assert "<ul>\n<li>Wash your face gently once a day</li>" in html
    assert "<li>Pat the skin dry<ul>\n<li>Use a soft towel</li>" in html  # Word's "o" is nested
    assert "<li>Leave the spots alone</li>" in html
    assert "<ol>\n<li>the spots hurt</li>\n<li>they spread quickly</li>\n</ol>" in html
    assert "<p>That is all.</p>" in html
    assert result.changed == [
        "4 bulleted lines became list items",
        "2 numbered lines became numbered list items",
    ]


def test_pasted_html_keeps_lists_headings_and_links_and_names_what_it_removed():
    result = cleaning.clean_markdown(PASTED_HTML)
    assert result.text.startswith("### At home")
    assert "**gentle**" in result.text
    assert "[the NHS page](https://www.nhs.uk/conditions/milia/)" in result.text
    assert "this cream" in result.text and "cosmetics.example" not in result.text
    html = render_markdown(result.text)
    assert "<li>Wash gently<ul>\n<li>with warm water</li>" in html
    assert "<ol>\n<li>First step</li>" in html
    assert "alert" not in result.text and "color" not in result.text
    assert result.removed == [
        "1 script",
        "1 style block",
        "1 picture",
        "1 tracking link (cosmetics.example); its words were kept",
        "1 empty heading",
    ]


def test_plain_markdown_passes_through_unchanged():
    text = "Milia are small.\n\n- one\n- two\n\n### More\n\nSee [NHS](https://www.nhs.uk/)."
    result = cleaning.clean_markdown(text)
    assert result.text == text
    assert result.notes() == []


def test_smart_quotes_and_ordinary_symbols_are_fine_in_plain_text():
    assert cleaning.markup_problem("Milia are “milk spots” (1–2 mm) & harmless; 3 < 4.", "S") == ""


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Milia are <b>small</b>", "HTML tags such as “<b>”"),
        ("<p>Milia are small.</p>", "HTML tags such as “<p>”"),
        ("Milia&nbsp;are small", "HTML codes such as “&nbsp;”"),
        ("Milia are **small**", "Markdown bold"),
        ("See [NHS](https://www.nhs.uk/)", "Markdown link"),
        ("## Milia", "heading mark"),
        ("- Milia are small", "bullet or number"),
    ],
)
def test_markup_in_a_plain_text_field_is_refused_naming_the_field(value, words):
    problem = cleaning.markup_problem(value, "Summary")
    assert problem.startswith("Summary")
    assert words in problem


# -- in the admin ----------------------------------------------------------------------------
@pytest.fixture
def editor(client):
    client.force_login(user_in("Author"))


@pytest.mark.django_db
def test_word_text_pasted_into_a_section_is_saved_as_a_list_and_reported(client, editor):
    condition = ConditionFactory()
    section = condition.sections.get()
    response = client.post(
        change_url(condition), form_data(condition, **{"sections-0-body": WORD_TEXT})
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert "- Wash your face gently once a day" in section.body
    assert "<ul>" in section.body_html and "<ol>" in section.body_html
    notes = " ".join(messages_of(response))
    assert f"“{section.heading}”" in notes
    assert "4 bulleted lines became list items" in notes


@pytest.mark.django_db
def test_html_pasted_into_an_faq_answer_is_cleaned_and_the_removals_named(client, editor):
    condition = ConditionFactory()
    data = form_data(condition)
    data.update(
        {
            "faqs-TOTAL_FORMS": 1,
            "faqs-0-order": 1,
            "faqs-0-question": "Can I use a cream?",
            "faqs-0-verdict": "",
            "faqs-0-answer": PASTED_HTML,
            "faqs-0-condition": condition.pk,
        }
    )
    response = client.post(change_url(condition), data)
    assert response.status_code == 302
    faq = condition.faqs.get()
    assert "<script" not in faq.answer and "utm_source" not in faq.answer
    assert "- Wash gently" in faq.answer
    notes = " ".join(messages_of(response))
    assert "1 script" in notes and "1 picture" in notes and "1 tracking link" in notes


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("summary", "<p>Milia are small white bumps.</p>", "Summary"),
        ("name", "<b>Milia</b>", "Name"),
        ("also_known_as", "milk spots\n- white bumps", "Also known as"),
        ("sections-0-heading", "<h2>What causes milia</h2>", "Heading"),
    ],
)
@pytest.mark.django_db
def test_markup_in_plain_text_fields_is_refused_with_the_field_named(
    client, editor, field, value, label
):
    condition = ConditionFactory()
    before = (condition.version, condition.summary)
    response = client.post(change_url(condition), form_data(condition, **{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{label} is shown to patients as plain text" in page or (
        f"{label}: write one entry per line" in page
    )
    condition.refresh_from_db()
    assert (condition.version, condition.summary) == before


# What Word puts on the clipboard as HTML for a bulleted list with a second level and a
# numbered list: paragraphs with mso-list styles, the bullet typed in an mso-list:Ignore span,
# inside Word's conditional comments.
WORD_CLIPBOARD = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<style><!-- p.MsoNormal {margin:0} --></style></head><body lang=EN-GB>
<p class=MsoNormal>Things to try at home:<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Wash gently<o:p></o:p></p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:72.0pt;text-indent:-18.0pt;mso-list:l0 level2 lfo1'><![if !supportLists]><span style='font-family:"Courier New"'><span style='mso-list:Ignore'>o<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>with warm water<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span>&nbsp;&nbsp; </span></span></span><![endif]>Pat dry<o:p></o:p></p>
<p class=MsoNormal><b>Then</b> if it does not help:<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-list:Ignore'>1.<span>&nbsp;&nbsp; </span></span><![endif]>See a GP<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-list:Ignore'>2.<span>&nbsp;&nbsp; </span></span><![endif]>Ask a nurse<o:p></o:p></p>
</body></html>"""


def test_word_clipboard_html_lists_become_nested_markdown_lists():
    result = cleaning.clean_markdown(WORD_CLIPBOARD)
    assert result.text == (
        "Things to try at home:\n\n- Wash gently\n    - with warm water\n- Pat dry\n\n"
        "**Then** if it does not help:\n\n1. See a GP\n2. Ask a nurse"
    )
    assert "supportLists" not in result.text and "mso" not in result.text
