"""The milia article stays light: under 100 KB over the wire with its CSS, scripts and images,
all from this site. Sizes are gzip-compressed, as whitenoise serves static files and
as a proxy compresses the page."""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

BUDGET = 100_000


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            self.urls.append(values["href"])
        elif tag in ("script", "img") and values.get("src"):
            self.urls.append(values["src"])
        elif tag == "link" and "icon" in (values.get("rel") or "").split():
            self.urls.append(values["href"])


def asset_bytes(url: str) -> bytes:
    path = urlsplit(url).path
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        assert found, f"{url} is not a static file"
        return Path(found).read_bytes()
    if path.startswith(settings.MEDIA_URL):
        return (Path(settings.MEDIA_ROOT) / path.removeprefix(settings.MEDIA_URL)).read_bytes()
    raise AssertionError(f"{url} is neither a static nor an uploaded file")


def wire_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_the_milia_article_weighs_under_100_kb_with_everything_it_loads(client):
    call_command("load_demo_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.get("/conditions/milia/")
    assert response.status_code == 200
    parser = Assets()
    parser.feed(response.content.decode())
    assert any(url.endswith(".css") for url in parser.urls)
    assert any("htmx" in url for url in parser.urls)
    for url in parser.urls:
        host = urlsplit(url).netloc
        assert host in ("", "testserver"), f"{url} comes from another site"
    sizes = {"page": wire_size(response.content)}
    sizes |= {url: wire_size(asset_bytes(url)) for url in parser.urls}
    total = sum(sizes.values())
    assert total < BUDGET, sizes
    assert total > wire_size(asset_bytes(next(u for u in parser.urls if "htmx" in u))), sizes
    print(f"milia article over the wire: {total:,} bytes", sizes)
