"""gunicorn settings for production: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`.

The access log records time, method, path WITHOUT its query string, status, size and duration.
No client address, no referrer, no user agent, no query string: a questionnaire step or a
search leaves nothing of the patient's in the log. Every value can be overridden on the
command line or with GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
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
