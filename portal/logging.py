"""Keep patients' words out of server logs.

A request line like "GET /check/milia/?q1=yes HTTP/1.1" or "GET /search/?q=white+spots" carries
questionnaire answers or search words in its query string. StripQueryStrings rewrites every log
record that passes through it so that each URL path loses its "?..." part. It is attached to
Django's console and runserver handlers (settings.LOGGING) and to gunicorn's access log
(portal/gunicorn.conf.py, whose access format also leaves the query string out).
"""

from __future__ import annotations

import logging
import re

# A path followed by a query string: stop at whitespace or a quote (the end of a request line).
_QUERY = re.compile(r"""(/[^\s?"']*)\?[^\s"']*""")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class StripQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        cleaned = strip_query_strings(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
