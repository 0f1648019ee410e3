from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "conditions"
    verbose_name = "Patient content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Cache invalidation (infrastructure, not business rules): see conditions/caching.py.
        from conditions import caching

        caching.connect_receivers()
