"""What every reviewable thing's admin shares: who may publish or edit, the people menus, and
the message after a workflow step (submit, publish, archive).

Condition articles, treatment comparisons and questionnaires all follow one review workflow
(conditions.models.review.Reviewable) and one permission: conditions.publish_condition, held by
the "Clinical reviewer" group (migrations 0003 and 0004).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from conditions.models import Status

PUBLISH_PERMISSION = "conditions.publish_condition"
# Authors change drafts and things in review; live or archived ones need a clinical reviewer.
EDITABLE_BY_AUTHORS = (Status.DRAFT, Status.IN_REVIEW)


def can_publish(user) -> bool:
    """Publishing, archiving and editing live content are for clinical reviewers."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def current_status(obj) -> str | None:
    """The status in the database (a form or a history view may hold a different one)."""
    if obj is None or obj.pk is None:
        return None
    manager = obj._meta.model._default_manager
    return manager.filter(pk=obj.pk).values_list("status", flat=True).first()


def can_edit(user, obj) -> bool:
    status = current_status(obj)
    return status is None or status in EDITABLE_BY_AUTHORS or can_publish(user)


def person_label(user) -> str:
    """How the editor names a colleague in the author and reviewer menus."""
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def reviewers(users):
    """Of these users, the ones who may review: holders of the publish permission (through
    the "Clinical reviewer" group or directly) and superusers, all active."""
    app_label, codename = PUBLISH_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__in=permission)
        | Q(user_permissions__in=permission),
        is_active=True,
    ).distinct()


class PeopleMenusMixin:
    """Author and reviewer menus list colleagues by full name, sorted by it; the reviewer menu
    offers only clinicians who may review, so "Reviewed by" never names someone who cannot."""

    class Media:
        css = {"all": ["css/admin-conditions.css"]}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in ("author", "reviewer"):
            field.label_from_instance = person_label
            field.queryset = field.queryset.order_by("first_name", "last_name", "username")
        return field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("reviewer")  # absent where the user may not set it
        if field is not None:
            users = field.queryset.model._default_manager
            # The current reviewer stays a valid choice even after leaving the group.
            current = getattr(obj, "reviewer_id", None)
            field.queryset = users.filter(
                Q(pk__in=reviewers(users.all()).values("pk")) | Q(pk=current)
            ).order_by("first_name", "last_name", "username")
        return form


def publish_problems_html(obj, *, unsaved: str, ready: str):
    """What still stops obj from being published, as a list for the change form."""
    if obj is None or obj.pk is None:
        return unsaved
    problems = obj.publish_problems()
    if not problems:
        return ready
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems)))


def run_workflow_step(modeladmin, request, obj, method: str, verb) -> bool:
    """Call obj.<method>(by=user) and tell the clinician what happened, or exactly what is
    still needed. Returns whether the step was taken."""
    try:
        getattr(obj, method)(by=request.user)
    except ValidationError as exc:
        modeladmin.message_user(
            request,
            format_html(
                "{}<ul>{}</ul>",
                _("“%(name)s” was not %(verb)s. Still needed:") % {"name": obj, "verb": verb},
                format_html_join("", "<li>{}</li>", ((p,) for p in exc.messages)),
            ),
            messages.ERROR,
        )
        return False
    modeladmin.message_user(
        request, _("“%(name)s” was %(verb)s.") % {"name": obj, "verb": verb}, messages.SUCCESS
    )
    return True
