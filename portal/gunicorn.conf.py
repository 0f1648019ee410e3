"""gunicorn settings for production: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`.

The access log records time, method, path WITHOUT its query string, status, size and duration.
No client address, no referrer, no user agent, no query string: a questionnaire step or a
search leaves nothing of the patient's in the log. Every value can be overridden on the
command line or with GUNICORN_CMD_ARGS.
"""

import os

# Loopback only: the reverse proxy in front (deploy/nginx.conf.template) is the only client.
# Bind another address only for a proxy on another host, and then never a public one.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, not sync workers. nginx in front reads every request in full and buffers
# every response, so a thread is held only while Django works on one request, never by a slow
# client. A request stuck on a hung dependency (PostgreSQL, Redis) holds one thread, not a
# whole process: with 2 workers x 8 threads, 15 more requests are served meanwhile, and the
# app's database and cache timeouts free the stuck thread within seconds. Django is thread-safe;
# each thread keeps its own database connection (workers x threads connections per server,
# 16 by default, well under PostgreSQL's max_connections of 100 for several servers).
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker whose main loop stops answering the master for 30 s (not one slow request: the
# threads' loop keeps beating) is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a stop or reload, requests in progress get 20 s to finish before their worker is killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Keep-alive connections from the proxy: 5 s, longer than nginx's upstream keepalive_timeout
# (4 s), so nginx always closes an idle connection first and never reuses one gunicorn closed.
keepalive = 5
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# The proxy in front sets X-Forwarded-Proto; settings.SECURE_PROXY_SSL_HEADER reads it.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """Belt and braces: strip query strings from anything else written to the access log, and
    from the error log ("Error handling request /path?query" when a request fails); strip client
    addresses from both ("Invalid request from ip=203.0.113.7: ..." for a malformed request)."""
    import logging

    from portal.logging import StripIPAddresses, StripQueryStrings

    for name in ("gunicorn.access", "gunicorn.error"):
        log = logging.getLogger(name)
        for kind in (StripQueryStrings, StripIPAddresses):
            if not any(isinstance(f, kind) for f in log.filters):
                log.addFilter(kind())


def post_worker_init(worker):
    """Once a worker has loaded the site: everything loaded so far (Django, the URL patterns,
    compiled templates, about 130,000 objects) is moved out of the garbage collector's view
    (gc.freeze), as it lives as long as the worker. A full collection then walks only what
    requests made: measured on search pages at 50,000 conditions, 5 ms instead of 46-50 ms,
    once in about every 750 requests, each such pause holding up every request queued on
    that worker."""
    import gc

    gc.collect()
    gc.freeze()


# After these many requests (counted per worker), again: what the first requests load lazily
# (each page's compiled templates, URL and translation caches, content kept per generation:
# about 29,000 objects after twenty searches) would otherwise stay in view, and each full
# collection walked them: measured in one process on search pages at 50,000 conditions, up
# to 18.7 ms a pause, about every 500 requests, against at most 1.3 ms with these steps. Few
# and spaced out, because a frozen object caught in a reference cycle is never collected.
FREEZE_AFTER_REQUESTS = frozenset({1, 10, 100, 1_000, 10_000})


def post_request(worker, req, environ, resp):
    """After the response is sent: collect and freeze at FREEZE_AFTER_REQUESTS."""
    import gc

    worker.requests_served = getattr(worker, "requests_served", 0) + 1
    if worker.requests_served in FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
