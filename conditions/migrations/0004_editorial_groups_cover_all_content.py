"""Give the two editorial roles the treatment comparisons and questionnaires as well.

0003 covered condition articles only, so a clinician in the Author group could not open a
treatment comparison or a questionnaire. Authors add, change and view both and their parts;
clinical reviewers may also delete them. Publishing all three still needs
conditions.publish_condition. Both may view (not change) outcome tallies and kiosk profiles,
which belong to the clinic's administrator.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

EDITED = ["treatment", "treatmentcomparison", "comparisonrow", "questionnaire", "question"]
PARTS = ["answeroption", "showif", "outcome", "outcometrigger"]
VIEWED = ["outcometally", "kioskprofile"]

AUTHOR = (
    [f"{a}_{m}" for m in EDITED for a in ("add", "change", "view")]
    + [f"{a}_{m}" for m in PARTS for a in ("add", "change", "delete", "view")]
    + [f"view_{m}" for m in VIEWED]
)
REVIEWER = [*AUTHOR, *(f"delete_{m}" for m in EDITED)]
GROUPS = {"Author": AUTHOR, "Clinical reviewer": REVIEWER}


def grant(apps, schema_editor):
    # On a fresh database Django creates default permissions only after every migration.
    app_config = apps.get_app_config("conditions")
    app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="conditions", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="conditions", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0003_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
