"""Authors may delete their own never-published drafts, and parts of any draft.

Deleting a part (a comparison row, a question) only changes a working copy now: patients keep
the live version until a reviewer approves (0008). Deleting a whole item is limited in the
admin to drafts that were never published, and for authors to their own
(conditions/admin/review.py).
"""

from django.db import migrations

AUTHOR_MAY_DELETE = [
    "delete_condition",
    "delete_treatmentcomparison",
    "delete_questionnaire",
    "delete_comparisonrow",
    "delete_question",
]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="conditions", codename__in=AUTHOR_MAY_DELETE
    )
    for group in Group.objects.filter(name__in=["Author", "Clinical reviewer"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="conditions", codename__in=AUTHOR_MAY_DELETE
    )
    for group in Group.objects.filter(name="Author"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("conditions", "0009_search_indexes_live_copies")]

    operations = [migrations.RunPython(grant, revoke)]
