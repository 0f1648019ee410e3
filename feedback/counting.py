"""Counting without tracking: page views per item per day, and searches per normalised query.

Page views
    Each counted request adds one to a counter in the app server's memory (no database write,
    no cache round trip, no cookie, no identifier), so a cached page stays as fast as a cache
    hit. At most every PORTAL_VIEW_PUSH_SECONDS (10) a request adds those counts to the shared
    cache counters named by (day, kind, slug), and at exit; a crashed worker loses at most those
    seconds of counts. `flush_page_views()` moves the cache counters into PageViewDay rows. The
    scheduler runs `manage.py flush_page_views` every few minutes; with the local-memory cache
    (one process, `make run`) a request also starts a flush in a background thread at most every
    PORTAL_VIEW_FLUSH_MINUTES, because no other process can see that cache. Requests from bots,
    scripts and prefetches (by user agent and headers), staff with a session, HTMX fragments
    and HEAD requests are not counted. A cache outage skips the count silently.

Searches
    A search is counted under its normalised form (feedback/scrub.py normalise_query). Until a
    query has been searched k times on one day (PORTAL_SEARCH_MIN_COUNT, 5) its counters live
    only in the cache, under a keyed hash of the words, never as text; every search also adds to
    the day's total (SearchDay). At the k-th search the words are written, once, as a
    SearchTerm row with the day's counts, which later searches keep up to date. A rare query
    never reaches the database as text.
    A result opened from the results list goes through a small redirect (feedback/views.py
    search_open) whose link carries a signed token of (day, hash, words); it adds one to
    "opened". It sets no cookie and stores nothing about who clicked.
    Live (as-you-type) results are not counted as searches: they are half-typed words. A result
    opened from them counts the search and the opening at once.
"""

from __future__ import annotations

import atexit
import datetime
import functools
import hashlib
import hmac
import logging
import re
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from feedback.pages import KINDS
from feedback.scrub import normalise_query

logger = logging.getLogger(__name__)

COUNTER_SECONDS = 3 * 24 * 3600  # unflushed counters are kept this long
FLUSH_LOCK = "pageviews:flush-lock"
FLUSH_DUE = "pageviews:flush-due"
FLUSH_DAYS = 3  # today and the two days before: a counter is flushed by then
BATCH = 500
BOT_USER_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|facebookexternalhit|headless|phantom|"
    r"lighthouse|pingdom|uptime|monitor|check|scan|curl|wget|httpie|python|java/|go-http|"
    r"okhttp|axios|node-fetch|libwww|httpclient|apache-http|ruby|perl|php|wrk|ab/|siege|"
    r"locust|k6/|jmeter|feed|reader",
    re.I,
)


# Settings read on every counted page, kept here until a setting changes (Django's lazy
# settings object costs about 0.4 microseconds an attribute, on a hit of about 26).
_hot_settings: dict[str, object] = {}


def _hot_setting(name: str, default):
    try:
        return _hot_settings[name]
    except KeyError:
        return _hot_settings.setdefault(name, getattr(settings, name, default))


@receiver(setting_changed)
def _forget_hot_settings(**kwargs) -> None:
    _hot_settings.clear()


def counting_views() -> bool:
    return _hot_setting("PORTAL_COUNT_VIEWS", True)


@functools.lru_cache(maxsize=512)
def is_bot(user_agent: str) -> bool:
    """Anything that does not say it is a browser, or says it is a robot, is not a reader.
    (Remembered per user-agent string: the same few browsers ask again and again.)"""
    if not user_agent or "mozilla/" not in user_agent.lower():
        return True
    return BOT_USER_AGENTS.search(user_agent) is not None


# -- page views -------------------------------------------------------------------------------
def view_key(day: datetime.date, kind: str, slug: str) -> str:
    return f"pageviews:{day.isoformat()}:{kind}:{slug}"


def _incr(key: str, amount: int = 1) -> int:
    try:
        return cache.incr(key, amount)
    except ValueError:  # no counter yet today
        if cache.add(key, amount, COUNTER_SECONDS):
            return amount
        return cache.incr(key, amount)


# Reads waiting to be pushed, by (day, kind, slug): the cache key is written at the push, not
# on every read (a read of a cached page costs about 26 microseconds in all; counting it
# cost 4.2 of them with the reader checks, now 2.5).
_pending: dict[tuple[datetime.date, str, str], int] = {}
_pending_lock = threading.Lock()
_last_push = [time.monotonic()]
# What this process has pushed since its last flush (guarded by _pending_lock), kept only
# with the local-memory cache: a shared cache is flushed by the command, in another process.
# With the local cache the counters a flush here can find are exactly these; reading every
# published item's counters instead (150,000 keys at 50,000 articles) took a worker seconds
# of CPU beside the patients' requests.
_pushed: set[tuple[datetime.date, str, str]] = set()
MAX_PENDING_KEYS = 500


def _push_seconds() -> float:
    return float(_hot_setting("PORTAL_VIEW_PUSH_SECONDS", 10))


_today = [0.0, datetime.date.min]  # (next local midnight as a timestamp, today)


def _local_today() -> datetime.date:
    """timezone.localdate(), worked out once a day rather than on every read."""
    now = time.time()
    if now >= _today[0]:
        local = timezone.localtime()
        midnight = (local + datetime.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        _today[:] = [midnight.timestamp(), local.date()]
    return _today[1]


def count_view(kind: str, slug: str) -> None:
    """One read of a page: counted in memory, pushed to the cache now and then. Never raises."""
    key = (_local_today(), kind, slug)
    with _pending_lock:
        _pending[key] = _pending.get(key, 0) + 1
        due = (
            time.monotonic() - _last_push[0] >= _push_seconds() or len(_pending) > MAX_PENDING_KEYS
        )
    if due:
        push_views()
        _maybe_flush_soon()


def push_views() -> int:
    """Add this process's counts to the shared cache counters; a cache outage drops them."""
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
        _last_push[0] = time.monotonic()
    pushed = 0
    local = _cache_is_local()  # only a flush in this process reads _pushed
    for (day, kind, slug), count in batch.items():
        try:
            _incr(view_key(day, kind, slug), count)
        except Exception:
            logger.debug("page views not counted: the cache did not answer")
            return pushed
        if local:
            with _pending_lock:
                _pushed.add((day, kind, slug))
        pushed += count
    return pushed


atexit.register(push_views)


def _flush_interval_seconds() -> int:
    return int(getattr(settings, "PORTAL_VIEW_FLUSH_MINUTES", 5) * 60)


def _maybe_flush_soon() -> None:
    """With a process-local cache, flush now and then in a background thread."""
    seconds = _flush_interval_seconds()
    if seconds <= 0 or not _cache_is_local():
        return
    try:
        if not cache.add(FLUSH_DUE, 1, seconds):
            return
    except Exception:
        return
    threading.Thread(target=_flush_in_thread, name="flush-page-views", daemon=True).start()


def _cache_is_local() -> bool:
    return "locmem" in settings.CACHES["default"]["BACKEND"].lower()


def _flush_in_thread() -> None:
    try:
        flush_page_views(pushed_only=True)
    except Exception:
        logger.exception("could not flush the page view counters")
    finally:
        close_old_connections()
        connection.close()


def _published_items(kind: str, slugs: list[str] | None = None) -> list[tuple[str, int]]:
    """(slug in the address, working copy id) of every live item of a kind, or of those of
    `slugs` (read 500 at a time)."""
    spec = KINDS[kind]
    rows = spec.model.all_copies.filter(is_live=True, working_copy__isnull=False).values_list(
        spec.slug_field, "working_copy__pk"
    )
    if slugs is None:
        return list(rows)
    items = []
    for start in range(0, len(slugs), BATCH):
        chunk = slugs[start : start + BATCH]
        items += rows.filter(**{f"{spec.slug_field}__in": chunk})
    return items


def flush_page_views(today: datetime.date | None = None, pushed_only: bool = False) -> int:
    """Move the cache counters into PageViewDay; returns how many views were moved.

    `pushed_only`: only the counters this process pushed since its last flush (_pushed), all
    there is to find in a local-memory cache; otherwise every published item's.

    Each counter is read, then lowered by what was read (an atomic DECR), so views counted
    meanwhile stay for the next flush. A lock keeps two flushes from moving the same views.
    """
    from django.contrib.contenttypes.models import ContentType

    from feedback.models import PageViewDay

    push_views()  # this process's own counts first
    if not cache.add(FLUSH_LOCK, 1, 300):
        return 0
    moved = 0
    pushed = None
    if pushed_only:
        with _pending_lock:
            pushed = set(_pushed)
            _pushed.clear()
    try:
        today = today or timezone.localdate()
        days = [today - datetime.timedelta(days=n) for n in range(FLUSH_DAYS)]
        for kind, spec in KINDS.items():
            content_type = ContentType.objects.get_for_model(spec.model)
            slugs = None
            if pushed is not None:
                slugs = sorted({slug for day, k, slug in pushed if k == kind and day in days})
            keys = {
                view_key(day, kind, slug): (day, pk)
                for slug, pk in _published_items(kind, slugs)
                for day in days
            }
            names = list(keys)
            for start in range(0, len(names), BATCH):
                found = cache.get_many(names[start : start + BATCH])
                for key, count in found.items():
                    if not count:
                        continue
                    cache.decr(key, count)
                    day, pk = keys[key]
                    try:
                        _add_views(PageViewDay, content_type, pk, day, count)
                    except BaseException:
                        _incr(key, count)  # not written: back in the counter for the next flush
                        raise
                    moved += count
    except BaseException:
        if pushed:
            with _pending_lock:
                _pushed.update(pushed)  # not moved: the next flush looks again
        raise
    finally:
        cache.delete(FLUSH_LOCK)
    return moved


def _add_views(model, content_type, pk: int, day, count: int) -> None:
    rows = model.objects.filter(content_type=content_type, object_id=pk, day=day)
    if rows.update(views=F("views") + count):
        return
    try:
        with transaction.atomic():
            model.objects.create(content_type=content_type, object_id=pk, day=day, views=count)
    except IntegrityError:  # created meanwhile by another flush
        rows.update(views=F("views") + count)


# -- searches -----------------------------------------------------------------------------------
TOKEN_SALT = "feedback.search-open"  # noqa: S105 - a signing salt, not a secret
TOKEN_MAX_AGE = 24 * 3600


def min_count() -> int:
    """k: a query is written down (and shown) only once searched this often in a day."""
    return max(1, int(getattr(settings, "PORTAL_SEARCH_MIN_COUNT", 5)))


def digest(words: str) -> str:
    key = f"{settings.SECRET_KEY}:search-count".encode()
    return hmac.new(key, words.encode(), hashlib.sha256).hexdigest()[:32]


def _search_key(day: datetime.date, hashed: str, field: str) -> str:
    return f"searchcount:{day.isoformat()}:{hashed}:{field}"


def _day_totals(day, **amounts) -> None:
    from feedback.models import SearchDay

    changes = {name: F(name) + n for name, n in amounts.items()}
    if SearchDay.objects.filter(day=day).update(**changes):
        return
    try:
        with transaction.atomic():
            SearchDay.objects.create(day=day, **amounts)
    except IntegrityError:
        SearchDay.objects.filter(day=day).update(**changes)


def _mirror(day, hashed: str, words: str) -> None:
    """Once a query has reached k searches today: write (or raise) its row from the counters."""
    from feedback.models import SearchTerm

    fields = ("searches", "no_results", "opened")
    found = cache.get_many([_search_key(day, hashed, f) for f in fields])
    counts = {f: int(found.get(_search_key(day, hashed, f)) or 0) for f in fields}
    if counts["searches"] < min_count():
        return
    rows = SearchTerm.objects.filter(day=day, digest=hashed)
    if rows.update(**{f: Greatest(F(f), n) for f, n in counts.items()}) or not words:
        return
    try:
        with transaction.atomic():
            SearchTerm.objects.create(day=day, digest=hashed, query=words, **counts)
    except IntegrityError:
        rows.update(**{f: Greatest(F(f), n) for f, n in counts.items()})


def search_token(query: str, counted: bool) -> str:
    """The token a result link carries: the day, the hash and the normalised words."""
    words = normalise_query(query)
    day = timezone.localdate()
    payload = [day.isoformat(), digest(words) if words else "", words, 1 if counted else 0]
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


# A result's link (result_url). A page of results links thirty slugs through the same two or
# three patterns: each is reversed once a page with stand-ins, and every slug put in its place
# (0.9 of 12 ms for a search page with reverse() each time). A <slug> converter takes only
# ASCII letters, digits, "-" and "_", which a URL carries as they are, so putting a slug in
# place of its stand-in gives what reverse() would.
_SLUG, _PART = "0slug0", "0part0"
_SLUG_CHARS = re.compile(r"[-a-zA-Z0-9_]+\Z")
_STAND_INS = re.compile(f"({_SLUG}|{_PART})")


def result_url(memo: dict, slug: str, token: str, part: str = "", kiosk: bool = False) -> str:
    """A search result's link: through the counted redirect when the search has a token; to
    the article's part `part` (a section's anchor) when the words were found there. `memo`:
    a dict kept for one page of results (the reversed patterns)."""
    if not token:
        name = "conditions:condition_part" if part else "conditions:condition_detail"
        return _url_of(memo, name, "kiosk" if kiosk else "conditions", slug, part)
    name = f"{'kiosk-feedback' if kiosk else 'feedback'}:search_open"
    url = _url_of(memo, name, None, slug)
    return f"{url}?t={token}" + (f"&{urlencode({'part': part})}" if part else "")


def _url_of(memo: dict, name: str, app: str | None, slug: str, part: str = "") -> str:
    args = [slug, part] if part else [slug]
    if not all(_SLUG_CHARS.match(arg) for arg in args):
        return reverse(name, args=args, current_app=app)  # reverse() says what is wrong
    pieces = memo.get((name, app))
    if pieces is None:
        stand_ins = [_SLUG, _PART] if part else [_SLUG]
        url = reverse(name, args=stand_ins, current_app=app)
        pieces = memo[(name, app)] = _STAND_INS.split(url)
    values = {_SLUG: slug, _PART: part}
    return "".join(values.get(piece, piece) for piece in pieces)


def count_search(query: str, found: bool) -> None:
    """A submitted search (not a live preview). Never raises."""
    try:
        _count_search(normalise_query(query), found)
    except Exception:
        logger.warning("search not counted", exc_info=logger.isEnabledFor(logging.DEBUG))


def _count_search(words: str, found: bool, opened: bool = False) -> None:
    day = timezone.localdate()
    _day_totals(day, searches=1, no_results=0 if found else 1, opened=1 if opened else 0)
    if not words:
        return
    hashed = digest(words)
    if not found:
        _incr(_search_key(day, hashed, "no_results"))
    if opened:
        _incr(_search_key(day, hashed, "opened"))
    if _incr(_search_key(day, hashed, "searches")) >= min_count():
        _mirror(day, hashed, words)


def count_opened(token: str) -> bool:
    """A result opened from a results list; False when the token is not ours or too old."""
    try:
        day_text, hashed, words, counted = signing.loads(
            token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE
        )
        day = datetime.date.fromisoformat(day_text)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    try:
        if not counted:  # from live results: the search itself was not counted yet
            _count_search(words, found=True, opened=True)
            return True
        _day_totals(day, opened=1)
        if hashed:
            _incr(_search_key(day, hashed, "opened"))
            _mirror(day, hashed, words)
    except Exception:
        logger.warning("opened result not counted")
    return True


# -- for editors ------------------------------------------------------------------------------------
def recent_views(items, days: int = 30, today: datetime.date | None = None) -> dict:
    """Views of each item (working copies) over the last `days` days: {(model label, pk): n}."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Sum

    from feedback.models import PageViewDay

    today = today or timezone.localdate()
    by_type: dict = {}
    for item in items:
        content_type = ContentType.objects.get_for_model(type(item))
        by_type.setdefault(content_type, set()).add(item.pk)
    views = {}
    for content_type, pks in by_type.items():
        rows = (
            PageViewDay.objects.filter(
                content_type=content_type,
                object_id__in=pks,
                day__gt=today - datetime.timedelta(days=days),
            )
            .values_list("object_id")
            .annotate(n=Sum("views"))
            .order_by()
        )
        label = content_type.model_class()._meta.label
        views.update({(label, pk): n for pk, n in rows})
    return views
