from django.apps import AppConfig

# What the editorial groups (conditions/roles.py) may do here: read feedback, reports and counts,
# set a report's status; reviewers may also delete feedback and reports (e.g. an abusive note).
EDITOR_PERMISSIONS = {
    "view_pagefeedback",
    "view_problemreport",
    "change_problemreport",
    "view_searchterm",
}
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS | {"delete_pagefeedback", "delete_problemreport"}


def grant_editorial_permissions(sender=None, using="default", **kwargs) -> None:
    """post_migrate (after the conditions app's, which sets the groups' own permissions)."""
    from django.contrib.auth.models import Group, Permission

    from conditions.roles import AUTHOR_GROUP, REVIEWER_GROUP

    for name, codenames in (
        (AUTHOR_GROUP, EDITOR_PERMISSIONS),
        (REVIEWER_GROUP, REVIEWER_PERMISSIONS),
    ):
        group = Group.objects.using(using).filter(name=name).first()
        if group is None:
            continue
        wanted = Permission.objects.using(using).filter(
            content_type__app_label="feedback", codename__in=codenames
        )
        group.permissions.add(*wanted)


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Patient feedback and reading counts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(
            grant_editorial_permissions, sender=self, dispatch_uid="feedback-editorial-roles"
        )
