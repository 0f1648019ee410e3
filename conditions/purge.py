"""Purging a shared HTTP cache (Varnish, a CDN) of exactly the pages a content change affects.

Every anonymous patient page carries a ``Surrogate-Key`` header (conditions/caching.py
shared_cache_headers): space-separated tags naming the content items it shows.

- ``c<pk>``  a live condition article: its article pages (opening, parts, whole) and its
  treatment comparison, and every article that links to it as related;
- ``q<pk>``  a live questionnaire, on the articles that link to it;
- ``t<pk>``  a treatment, on the comparisons that show it;
- ``list``   the pages that list every article (home, A–Z);
- ``site``   every page (for what is on all of them: urgent help, a clinician's name).

When content is saved or deleted (the same receivers that replace the page cache's content
generation, conditions/caching.py), the change's tags are sent, once the transaction has
committed, to each endpoint in settings.PORTAL_PURGE_URL (comma-separated) as one request:
``PURGE <url>`` with the header ``Surrogate-Key: c12 list`` (PORTAL_PURGE_METHOD,
PORTAL_PURGE_HEADER to change them; deploy/varnish.vcl answers it). A working copy (a draft
no patient sees) purges nothing.

Purges go out from a background thread. The change that caused them waits for them at most
PORTAL_PURGE_WAIT_SECONDS (1 s) so that, normally, the next patient request already gets the
new page; a purge endpoint that fails, refuses or hangs is logged (at most once a minute) and
never fails or holds a publish longer than that. The shared cache's short max-age bounds how
long a page whose purge was lost can stay.
"""

from __future__ import annotations

import http.client
import logging
import queue
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from portal.cache import RateLimitedLogger

logger = logging.getLogger("conditions.purge")
_log = RateLimitedLogger(logger, 60)

LIST_KEY = "list"
SITE_KEY = "site"
# More tags than this on one page: the page is tagged "site" only (purged by any change).
MAX_KEYS = 64
TIMEOUT_SECONDS = 2.0

# Models whose rows are parts of one condition article (a foreign key `condition`).
ARTICLE_PARTS = {"Section", "FAQ", "Reference", "ClinicalCode", "CareAdvice", "ConditionImage"}
# Content on every page, or whose pages are never shared-cached: purge everything / nothing.
SITE_WIDE = {"UrgentHelp", "EmergencyTerm"}
NOT_SHARED = {"Question", "AnswerOption", "ShowIf", "Outcome", "OutcomeTrigger", "KioskProfile"}


# -- tags of a page -------------------------------------------------------------------------
# The tag prefix of the items that have pages of their own.
ITEM_PREFIX = {"Condition": "c", "Questionnaire": "q", "Treatment": "t"}


def _key_of(item) -> str | None:
    name = type(item).__name__
    if name in ITEM_PREFIX:
        return _tag(ITEM_PREFIX[name], item.pk)
    if name == "TreatmentComparison" or name in ARTICLE_PARTS:
        return _tag("c", item.condition_id)
    if name == "ComparisonRow":
        return _tag("t", item.treatment_id)
    return None


def _tag(prefix: str, pk) -> str | None:
    """None for no pk: a row made for a template from JSON (an article's sections or links)
    names no saved item; the page's own items give its tags."""
    return None if pk is None else f"{prefix}{pk}"


def keys_for_context(context: dict) -> list[str]:
    """The tags of the content items in a page's template context (values, and the items of
    lists and evaluated querysets among them)."""
    from django.db.models import Model, QuerySet

    keys: dict[str, None] = {}

    def add(value) -> None:
        if isinstance(value, Model):
            key = _key_of(value)
            if key:
                keys[key] = None
        elif isinstance(value, QuerySet):
            if value._result_cache is not None:
                for item in value._result_cache:
                    add_one(item)
        elif isinstance(value, (list, tuple)):
            for item in value[:500]:
                add_one(item)

    def add_one(item) -> None:
        from django.db.models import Model

        if isinstance(item, Model):
            key = _key_of(item)
            if key:
                keys[key] = None

    for value in context.values():
        add(value)
        if isinstance(value, Model) and type(value).__name__ == "Condition":
            _related_keys(value, keys)
    if len(keys) > MAX_KEYS:
        return []
    return list(keys)


def _related_keys(condition, keys: dict) -> None:
    """The articles and questionnaires an article links to (one query each, on a miss only)."""
    for pk in condition.related.values_list("pk", flat=True):
        keys[f"c{pk}"] = None
    for pk in condition.questionnaires.values_list("pk", flat=True):
        keys[f"q{pk}"] = None


# -- tags of a change -----------------------------------------------------------------------
def keys_for_change(sender, instance=None, **kwargs) -> set[str]:
    """The tags of the pages a saved, deleted or relinked row changes."""
    name = getattr(sender, "__name__", "")
    if instance is None:
        return set()
    model = type(instance).__name__
    if kwargs.get("action"):  # m2m_changed: the row whose links changed, and those linked
        keys = keys_for_change(type(instance), instance)
        linked = getattr(kwargs.get("model"), "__name__", "")
        prefix = {"Condition": "c", "Questionnaire": "q"}.get(linked)
        if prefix and keys:
            keys |= {f"{prefix}{pk}" for pk in kwargs.get("pk_set") or ()}
        return keys
    reviewable = model in ("Condition", "Questionnaire", "TreatmentComparison", "UrgentHelp")
    if reviewable and not getattr(instance, "is_live", True):
        return set()  # a working copy: no patient sees it
    if model == "Condition":
        return {f"c{instance.pk}", LIST_KEY}
    if model == "Questionnaire":
        return {f"q{instance.pk}", LIST_KEY}
    if model == "ComparisonRow":
        from conditions.models import TreatmentComparison

        condition = (
            TreatmentComparison.all_copies.filter(pk=instance.comparison_id, is_live=True)
            .values_list("condition_id", flat=True)
            .first()
        )
        return {f"c{condition}"} if condition else set()
    if name == get_user_model_name():
        # A clinician's name is on the pages they reviewed; a new account is on none yet.
        return set() if kwargs.get("created") else {SITE_KEY}
    if model in SITE_WIDE:
        return {SITE_KEY}
    if model in NOT_SHARED:
        return set()
    key = _key_of(instance)
    return {key} if key else set()


def get_user_model_name() -> str:
    from django.contrib.auth import get_user_model

    return get_user_model().__name__


# -- sending --------------------------------------------------------------------------------
def endpoints() -> list[str]:
    value = getattr(settings, "PORTAL_PURGE_URL", "") or ""
    return [url.strip() for url in value.split(",") if url.strip()]


def content_changed(sender=None, using=None, **kwargs) -> None:
    """Signal receiver (connected with the page cache's): purge the change's pages."""
    if kwargs.get("action", "post_").startswith("pre_") or not endpoints():
        return
    try:
        keys = keys_for_change(sender, **kwargs)
    except Exception:  # never let a purge break a save
        logger.exception("Could not work out which pages to purge; purging every page")
        keys = {SITE_KEY}
    if not keys:
        return
    using = using or DEFAULT_DB_ALIAS
    if transaction.get_connection(using).in_atomic_block:
        _pending_for(using).update(keys)
    else:
        purge(keys)


class _Batch:
    """The tags of one transaction's changes, sent together when it commits."""

    def __init__(self):
        self.keys: set[str] = set()

    def __call__(self) -> None:
        purge(self.keys)


def _pending_for(using: str) -> set[str]:
    """This transaction's batch (registered once with on_commit; a rollback drops it)."""
    connection = transaction.get_connection(using)
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Batch):
            return entry[1].keys
    batch = _Batch()
    transaction.on_commit(batch, using=using)
    return batch.keys


class _Sender:
    """One background thread sending purges in order; callers wait for theirs, briefly."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def submit(self, keys: set[str], urls: list[str]) -> threading.Event:
        done = threading.Event()
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="purge", daemon=True)
                self.thread.start()
        self.queue.put((keys, urls, done))
        return done

    def run(self) -> None:
        while True:
            keys, urls, done = self.queue.get()
            try:
                for url in urls:
                    send_purge(url, keys)
            finally:
                done.set()


_sender = _Sender()


def purge(keys: set[str]) -> bool:
    """Send the purge of ``keys`` to every endpoint; True when it finished within the wait."""
    urls = endpoints()
    if not keys or not urls:
        return True
    done = _sender.submit(set(keys), urls)
    return done.wait(float(getattr(settings, "PORTAL_PURGE_WAIT_SECONDS", 1.0)))


def send_purge(url: str, keys: set[str]) -> bool:
    """One purge request; failures are logged, never raised."""
    method = getattr(settings, "PORTAL_PURGE_METHOD", "PURGE")
    header = getattr(settings, "PORTAL_PURGE_HEADER", "Surrogate-Key")
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    started = time.monotonic()
    try:
        conn = kind(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
        try:
            conn.request(method, parts.path or "/", headers={header: " ".join(sorted(keys))})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        _log.warning("Shared-cache purge to %s failed (%s: %s)", url, type(exc).__name__, exc)
        return False
    if response.status >= 300:
        _log.warning("Shared-cache purge to %s answered %s", url, response.status)
        return False
    logger.debug("Purged %s from %s in %.3f s", keys, url, time.monotonic() - started)
    return True
