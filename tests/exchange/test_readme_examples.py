"""The README's infobutton examples answer as the README says, on the demo content."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

from conditions.demo import articles as demo_articles
from tests.factories import editors

README = Path(__file__).parents[2] / "README.md"
HOST = "https://info.example-clinic.org"


def readme_examples() -> list[str]:
    text = README.read_text()
    section = text[text.index("#### Example requests") : text.index("A template to give")]
    return re.findall(rf"^{re.escape(HOST)}(/infobutton/\?\S+)$", section, re.M)


# Where each example leads, in README order: a page (302), or 200 with what the body holds.
EXPECTED = [
    ("redirect", "/conditions/milia/"),
    ("redirect", "/conditions/xanthelasma/"),
    ("redirect", "/conditions/milia/"),
    ("redirect", "/conditions/syringoma/"),
    ("redirect", "/conditions/milia/"),
    ("redirect", "/conditions/milia/#"),  # the baby part's anchor
    ("html", "/conditions/milia/"),  # the language note, then the page
    ("json", "/conditions/milia/"),
    ("atom", "/conditions/acne/"),
]


@pytest.fixture
def demo(db, settings):
    settings.PORTAL_PUBLIC_URL = HOST
    demo_articles.load(*editors())


def test_every_readme_example_is_listed_here():
    assert len(readme_examples()) == len(EXPECTED)


def test_the_readme_examples_answer_as_the_readme_says(client, demo):
    for path, (kind, target) in zip(readme_examples(), EXPECTED, strict=True):
        response = client.get(path)
        if kind == "redirect":
            assert response.status_code == 302, (path, response.content[:200])
            assert response["Location"].startswith(target), (path, response["Location"])
            if target.endswith("#"):
                assert len(response["Location"]) > len(target), path
            else:
                assert response["Location"] == target, path
            continue
        assert response.status_code == 200, (path, response.content[:200])
        if kind == "html":
            assert response["Content-Type"].startswith("text/html")
            assert f'href="{target}"' in response.content.decode(), path
        elif kind == "json":
            links = [e["link"][0]["href"] for e in response.json()["feed"]["entry"]]
            assert links[0] == HOST + target, path
        else:
            feed = feedparser.parse(response.content)
            assert not feed.bozo, feed.bozo_exception
            assert feed.entries[0].link == HOST + target, path
