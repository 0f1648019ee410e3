"""The two editorial roles: "Author" and "Clinical reviewer", and the publish permission.

Data only. Authors create and edit articles and submit them for review; clinical reviewers can
also publish and archive (permission conditions.publish_condition, checked by the admin).
Default model permissions are created here first, because on a fresh database Django only
creates them after all migrations have run.
"""

from django.db import migrations

PUBLISH = ("publish_condition", "Can publish and archive condition articles")
PARTS = ["section", "faq", "reference", "clinicalcode", "careadvice", "conditionimage"]
AUTHOR = [f"{a}_condition" for a in ("add", "change", "view")] + [
    f"{a}_{m}" for m in PARTS for a in ("add", "change", "delete", "view")
]
REVIEWER = [*AUTHOR, PUBLISH[0]]
GROUPS = {"Author": AUTHOR, "Clinical reviewer": REVIEWER}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    app_config = apps.get_app_config("conditions")
    app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    condition_type = ContentType.objects.get(app_label="conditions", model="condition")
    Permission.objects.get_or_create(
        content_type=condition_type, codename=PUBLISH[0], defaults={"name": PUBLISH[1]}
    )
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="conditions", codename__in=codenames
        )
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="conditions", codename=PUBLISH[0]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0002_search_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
