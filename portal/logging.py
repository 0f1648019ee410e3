"""Keep patients' words and addresses out of server logs.

A request line like "GET /check/milia/?q1=yes HTTP/1.1" or "GET /search/?q=white+spots" carries
questionnaire answers or search words in its query string. StripQueryStrings rewrites every log
record that passes through it so that each URL path loses its "?..." part. It is attached to
Django's console and runserver handlers (settings.LOGGING) and to gunicorn's access log
(portal/gunicorn.conf.py, whose access format also leaves the query string out).

StripIPAddresses replaces every IPv4 and IPv6 address in a record's message with "[ip]": the
privacy page promises our logs leave the patient's address out, and gunicorn's error log names
the peer of a malformed request ("Invalid request from ip=203.0.113.7: ..."), Django's
DisallowedHost warning the Host header it refused. Attached wherever StripQueryStrings is.
"""

from __future__ import annotations

import ipaddress
import logging
import re

# A path followed by a query string: stop at whitespace or a quote (the end of a request line).
_QUERY = re.compile(r"""(/[^\s?"']*)\?[^\s"']*""")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class _RewriteRecords(logging.Filter):
    """Rewrite a record's message, and the text of its traceback, with ``clean``."""

    @staticmethod
    def clean(text: str) -> str:
        raise NotImplementedError

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            # What formatters print for the exception (its message may quote the request).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


class StripQueryStrings(_RewriteRecords):
    clean = staticmethod(strip_query_strings)


# Address-like tokens (with a "." or ":"), each checked with the ipaddress module, so that times
# (12:34:56), versions (3.11.2) and dotted names are left alone. Brackets, a port, an IPv6 zone
# and trailing punctuation ("ip=2001:db8::7: ...") are allowed around the address.
_TOKEN = re.compile(r"(?<![\w.:%\[\]])[\w.:%\[\]]*[.:][\w.:%\[\]]*")
_BRACKETED = re.compile(r"\[([^\]]+)\](?::\d{1,5})?")
_IPV4_PORT = re.compile(r"((?:\d{1,3}\.){3}\d{1,3}):\d{1,5}")
REDACTED_IP = "[ip]"


def _redact(match: re.Match) -> str:
    token = match.group(0)
    core = token.rstrip(":.")
    found = _BRACKETED.fullmatch(core) or _IPV4_PORT.fullmatch(core)
    host = (found.group(1) if found else core).split("%", 1)[0]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return token
    return REDACTED_IP + token[len(core) :]


def strip_ip_addresses(text: str) -> str:
    return _TOKEN.sub(_redact, text)


class StripIPAddresses(_RewriteRecords):
    clean = staticmethod(strip_ip_addresses)
