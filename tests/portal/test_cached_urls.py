"""{% url %} with each reversed address kept per process (portal/templatetags/cached_urls.py):
the same addresses as Django's reverse(), whatever decides them, and reverse() once for each."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory, override_settings
from django.urls import (
    NoReverseMatch,
    clear_script_prefix,
    resolve,
    reverse,
    set_script_prefix,
)
from django.utils import translation

from portal.templatetags import cached_urls


def render(source: str, **context) -> str:
    return Template(source).render(Context(context)).strip()


@pytest.fixture(autouse=True)
def fresh():
    cached_urls._reversed.cache_clear()
    yield
    cached_urls._reversed.cache_clear()


@pytest.fixture
def reversals(monkeypatch):
    """How many times Django's reverse() ran under the tag."""
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return reverse(*args, **kwargs)

    monkeypatch.setattr(cached_urls, "reverse", counted)
    return calls


def test_the_tag_gives_what_reverse_gives_for_names_arguments_and_keywords():
    assert render("{% url 'conditions:search' %}") == reverse("conditions:search")
    assert render("{% url 'conditions:condition_detail' 'milia' %}") == reverse(
        "conditions:condition_detail", args=["milia"]
    )
    assert render("{% url 'conditions:condition_detail' slug=s %}", s="milia") == reverse(
        "conditions:condition_detail", kwargs={"slug": "milia"}
    )
    assert render("{% url 'conditions:search' as there %}[{{ there }}]") == (
        f"[{reverse('conditions:search')}]"
    )


def test_an_address_is_reversed_once_then_kept(reversals):
    for _ in range(3):
        assert render("{% url 'conditions:condition_detail' s %}", s="milia") == (
            "/conditions/milia/"
        )
    assert render("{% url 'conditions:condition_detail' s %}", s="acne") == "/conditions/acne/"
    assert len(reversals) == 2


def test_the_language_is_part_of_the_address():
    source = "{% url 'conditions:condition_detail' 'milia' %}"
    assert render(source) == "/conditions/milia/"
    with translation.override("pl"):
        assert render(source) == "/pl/conditions/milia/"
    assert render(source) == "/conditions/milia/"


def test_the_script_prefix_is_part_of_the_address():
    source = "{% url 'conditions:search' %}"
    assert render(source) == "/search/"
    set_script_prefix("/clinic/")
    try:
        assert render(source) == "/clinic/search/"
    finally:
        clear_script_prefix()
        set_script_prefix("/")
    assert render(source) == "/search/"


def test_the_current_namespace_is_part_of_the_address():
    source = "{% url 'conditions:search' %}"
    request = RequestFactory().get("/kiosk/search/")
    request.current_app = "kiosk"
    context = Context()
    context.request = request  # as a RequestContext has it
    assert Template(source).render(context) == "/kiosk/search/"
    resolved = RequestFactory().get("/kiosk/conditions/")  # no current_app: the resolved URL's
    resolved.resolver_match = resolve("/kiosk/conditions/")
    context = Context()
    context.request = resolved
    assert Template(source).render(context) == "/kiosk/search/"
    assert render(source) == "/search/"


@override_settings(ROOT_URLCONF="tests.portal.other_urls")
def test_other_url_patterns_give_their_own_addresses():
    assert render("{% url 'elsewhere' %}") == "/somewhere-else/"


def test_a_name_that_does_not_reverse_fails_as_with_django():
    with pytest.raises(NoReverseMatch):
        render("{% url 'conditions:no_such_page' %}")
    assert render("{% url 'conditions:no_such_page' as there %}[{{ there }}]") == "[]"
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_an_argument_that_is_not_plain_text_or_a_number_is_reversed_each_time(reversals):
    class Slug:
        def __str__(self):
            return "milia"

    for _ in range(2):
        assert render("{% url 'conditions:condition_detail' s %}", s=Slug()) == (
            "/conditions/milia/"
        )
    assert len(reversals) == 2
    assert cached_urls._reversed.cache_info().currsize == 0


def test_every_template_uses_the_kept_addresses():
    node = Template("{% url 'conditions:search' %}").nodelist[0]
    assert isinstance(node, cached_urls.CachedURLNode)
