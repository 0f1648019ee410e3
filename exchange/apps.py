from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """How other systems reach the published content: the HL7 Infobutton for EHRs and the
    read-only JSON content API. Reads live copies only; owns no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "exchange"
    verbose_name = "Infobutton and content API"
