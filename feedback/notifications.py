"""The email editors get for a new problem report (in the style of conditions/notifications.py).

It goes to settings.EDITORIAL_CONTACT_EMAIL (PORTAL_EDITORIAL_EMAIL); with none set, no email.
It names the page and the kind of problem, never the note: notes are deleted after 90 days and
a copy in a mailbox would outlive that. Editors read the note in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from conditions.notifications import _send


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_PUBLIC_URL.rstrip('/')}{path}"


def problem_reported(report) -> int:
    address = getattr(settings, "EDITORIAL_CONTACT_EMAIL", "")
    if not address:
        return 0
    item = report.item
    subject = _("Problem reported: %(item)s") % {"item": item}
    body = _(
        "Someone reported a problem with “%(item)s”: %(kind)s.\n\n"
        "Read the report and mark what you did: %(report)s\n"
        "Open the draft: %(draft)s\n"
    ) % {
        "item": item,
        "kind": report.get_kind_display().lower(),
        "report": _absolute(reverse("admin:feedback_problemreport_change", args=[report.pk])),
        "draft": _absolute(
            reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk])
        ),
    }
    return _send(subject, body, [address])
