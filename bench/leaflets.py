"""How long a printed leaflet takes: typeset afresh, and served from the cache.

Builds a fresh SQLite database under var/bench/ with the demo content, then for every live
article and comparison, standard and large print, times through Django's test client (the whole
request: queries, the leaflet's HTML, the digest, the cache, the response):

- uncached: the first request, which typesets the PDF with WeasyPrint (median of --runs, the
  cache cleared before each);
- cached: a later request, served from the cache (median of --runs);
- typeset only: WeasyPrint's share of the uncached time.

    .venv/bin/python bench/leaflets.py [--runs 5]

Prints one row per leaflet with pages and size; exits 1 if any request fails. WeasyPrint's first
use in a process (its import, fonts) is timed separately and left out of the medians.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    database = ROOT / "var" / "bench" / "leaflets.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.pop("CACHE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", stdout=io.StringIO())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup()

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from pypdf import PdfReader

    from conditions import leaflets
    from conditions.models import Condition, TreatmentComparison

    client = Client(HTTP_HOST="localhost")
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
    started = time.perf_counter()
    leaflets.render_pdf('<html lang="en"><title>warm up</title><p>warm up</p></html>')
    print(f"WeasyPrint's first use in this process: {time.perf_counter() - started:.2f} s")

    print(f"{'leaflet':58} {'pages':>5} {'KB':>5} {'uncached':>9} {'typeset':>8} {'cached':>8}")
    failed = False
    for url in urls:
        for query in ("", "?size=large"):
            uncached, typeset, cached = [], [], []
            response = None
            for _ in range(args.runs):
                cache.clear()
                t0 = time.perf_counter()
                response = client.get(url + query)
                uncached.append(time.perf_counter() - t0)
                if response.status_code != 200 or response["X-Leaflet-Cache"] != "miss":
                    failed = True
                t0 = time.perf_counter()
                hit = client.get(url + query)
                cached.append(time.perf_counter() - t0)
                if hit.status_code != 200 or hit["X-Leaflet-Cache"] != "hit":
                    failed = True
            # WeasyPrint alone, on the same HTML the view made.
            for _ in range(args.runs):
                html = _html_for(client, url + query)
                t0 = time.perf_counter()
                leaflets.render_pdf(html)
                typeset.append(time.perf_counter() - t0)
            pages = len(PdfReader(io.BytesIO(response.content)).pages)
            print(
                f"{url + query:58} {pages:>5} {len(response.content) // 1024:>5} "
                f"{statistics.median(uncached) * 1000:>7.0f}ms "
                f"{statistics.median(typeset) * 1000:>6.0f}ms "
                f"{statistics.median(cached) * 1000:>6.1f}ms"
            )
    if failed:
        print("FAILED: a request did not answer 200 with the expected cache status")
        return 1
    return 0


def _html_for(client, url: str) -> str:
    """The leaflet HTML the view renders for `url` (through the view's own helpers)."""
    from urllib.parse import parse_qs, urlsplit

    from django.test import RequestFactory

    from conditions import leaflets
    from conditions.models import Condition, TreatmentComparison
    from conditions.views import leaflets as views

    parts = urlsplit(url)
    request = RequestFactory(HTTP_HOST="localhost").get(url)
    size = leaflets.size_from((parse_qs(parts.query).get("size") or [""])[0])
    slug = parts.path.split("/")[2]
    if "/treatments/" in parts.path:
        comparisons = TreatmentComparison.objects.published()
        return views._comparison_html(request, comparisons, slug, size, draft=False)
    return views._condition_html(request, Condition.objects.published(), slug, size, draft=False)


if __name__ == "__main__":
    sys.exit(main())
