"""Emails of the editorial workflow, through Django's mail (console backend by default).

Reviewers hear when a draft is submitted; the author and everyone who changed the draft hear
when it is approved or sent back. A failing mail server never stops the workflow step.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from conditions.models.review import person_name

logger = logging.getLogger(__name__)


def _name(user) -> str:
    if user is None:
        return _("someone")
    return person_name(user)


def _admin_link(item) -> str:
    opts = item._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])
    return f"{settings.PORTAL_PUBLIC_URL.rstrip('/')}{path}"


def _send(subject: str, body: str, recipients) -> int:
    addresses = sorted({r for r in recipients if r})
    if not addresses:
        return 0
    try:
        return send_mail(subject, body, None, addresses)
    except Exception:  # a mail outage must not undo an editorial decision
        logger.exception("Could not send the editorial email %r", subject)
        return 0


def reviewer_addresses(exclude=()) -> list[str]:
    from conditions.models.review import PUBLISH_PERMISSION

    app_label, codename = PUBLISH_PERMISSION.split(".")
    permission = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    users = get_user_model().objects.filter(permission | Q(is_superuser=True), is_active=True)
    return list(
        users.exclude(pk__in=[u.pk for u in exclude if u is not None])
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def draft_submitted(item, by) -> int:
    subject = _("Please review: %(item)s") % {"item": item}
    body = _(
        "%(who)s submitted “%(item)s” for review.\n\nSee the changes and approve or send it "
        "back: %(link)s\n"
    ) % {"who": _name(by), "item": item, "link": _admin_link(item)}
    return _send(subject, body, reviewer_addresses(exclude=[by]))


def people_to_tell(item, by) -> list[str]:
    """Addresses of the author and whoever changed the draft since the last approval."""
    users = get_user_model().objects.filter(pk__in=_people(item), is_active=True)
    return list(users.exclude(pk=by.pk).exclude(email="").values_list("email", flat=True))


def draft_decided(item, by, approved: bool, comment: str = "", addresses=None) -> int:
    if addresses is None:
        addresses = people_to_tell(item, by)
    if approved:
        subject = _("Approved and published: %(item)s") % {"item": item}
        body = _("%(who)s approved “%(item)s”. Patients now see this version.\n\n%(link)s\n")
    else:
        subject = _("Sent back: %(item)s") % {"item": item}
        body = _("%(who)s sent “%(item)s” back with this comment:\n\n%(comment)s\n\n%(link)s\n")
    body = body % {"who": _name(by), "item": item, "comment": comment, "link": _admin_link(item)}
    return _send(subject, body, addresses)


def _people(item) -> set[int]:
    """The author and whoever changed the draft since the approval before this one."""
    from conditions.models.review import ReviewEvent

    people = {item.author_id} if item.author_id else set()
    people |= set(item.contributors.values_list("pk", flat=True))
    last_approval = item.events().filter(action=ReviewEvent.Action.APPROVED).first()
    history = getattr(item, "history", None)
    if history is not None:
        records = history.filter(id=item.pk).exclude(history_user=None)
        if last_approval is not None:
            records = records.filter(history_date__gte=last_approval.at)
        people |= set(records.values_list("history_user_id", flat=True)[:50])
    return people
