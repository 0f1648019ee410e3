"""The search page's result items, written by a template tag rather than a {% for %} loop."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils.safestring import mark_safe

from conditions.templatetags.portal import search_result_items


def result(**values) -> SimpleNamespace:
    fields = {"href": "/conditions/milia/", "name": "Milia", "also_called": "", "snippet": ""}
    return SimpleNamespace(**{**fields, **values})


def test_each_value_is_escaped_as_the_template_would_escape_it():
    risky = "<script>alert(\"x\")</script> & 'quoted'"
    html = search_result_items(
        [result(name=risky, href='/c/?t=1&part="x"', also_called=risky, snippet=risky)]
    )
    escaped = Template("{{ value }}").render(Context({"value": risky}))
    assert "<script>" not in html
    assert html.count(escaped) == 3  # name, "also called", snippet
    assert 'href="/c/?t=1&amp;part=&quot;x&quot;"' in html


def test_safe_snippets_keep_their_marks_and_items_without_a_synonym_have_no_aka_line():
    snippet = mark_safe("white <mark>spots</mark> on the face")
    html = search_result_items([result(snippet=snippet), result(name="Acne", also_called="Spots")])
    assert '<p class="result-snippet">white <mark>spots</mark> on the face</p>' in html
    assert html.count('<li class="result">') == 2
    assert html.count('class="result-aka"') == 1
    assert '<p class="result-aka">Spots</p>' in html
    assert '<h2 class="result-title"><a href="/conditions/milia/">Milia</a></h2>' in html


def test_no_results_no_items():
    assert search_result_items([]) == ""
