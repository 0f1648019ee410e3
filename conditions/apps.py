from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "conditions"
    verbose_name = "Patient content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Cache invalidation (infrastructure, not business rules): see conditions/caching.py.
        from conditions import caching

        caching.connect_receivers()

        from django.db.models.signals import post_migrate

        from conditions.roles import ensure_editorial_groups

        post_migrate.connect(ensure_editorial_groups, sender=self, dispatch_uid="editorial-roles")
