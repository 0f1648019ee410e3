"""The editorial roles: which permissions the "Author" and "Clinical reviewer" groups hold.

Kept true after every migrate and every test-database flush (a post_migrate receiver,
connected in ConditionsConfig.ready), so the groups can never be missing or out of date.
- Authors add, change and view all patient content and its parts, and delete parts and their
  own never-published drafts (the admin limits which: conditions/admin/review.py).
- Clinical reviewers may also approve and publish (conditions.publish_condition), and delete
  shared treatments and help cards. Both may view outcome tallies and kiosk profiles.
"""

from __future__ import annotations

AUTHOR_GROUP = "Author"
REVIEWER_GROUP = "Clinical reviewer"
EDITED_MODELS = (
    "condition",
    "section",
    "faq",
    "reference",
    "clinicalcode",
    "careadvice",
    "conditionimage",
    "treatment",
    "treatmentcomparison",
    "comparisonrow",
    "questionnaire",
    "question",
    "answeroption",
    "showif",
    "outcome",
    "outcometrigger",
    "urgenthelp",
    "emergencyterm",
)
REVIEWERS_ONLY = {"delete_treatment", "delete_urgenthelp", "publish_condition"}
AUTHOR = {
    f"{action}_{model}" for model in EDITED_MODELS for action in ("add", "change", "delete", "view")
} - REVIEWERS_ONLY | {"view_kioskprofile", "view_outcometally"}
GROUPS = {AUTHOR_GROUP: AUTHOR, REVIEWER_GROUP: AUTHOR | REVIEWERS_ONLY}


def ensure_editorial_groups(sender=None, using="default", **kwargs) -> None:
    """post_migrate: the two groups exist and hold exactly their permissions."""
    from django.contrib.auth.models import Group, Permission

    for name, codenames in GROUPS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = Permission.objects.using(using).filter(
            content_type__app_label="conditions", codename__in=codenames
        )
        group.permissions.set(wanted)
