from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The Django admin, with portal.admin.PortalAdminSite as `admin.site`.

    Its ready() also registers the portal's system checks (portal/checks.py) and drops the
    site language's empty fallback catalogs (portal/translations.py).
    """

    default_site = "portal.admin.PortalAdminSite"

    def ready(self):
        super().ready()
        from portal import checks  # noqa: F401  (registers the checks)
        from portal.translations import drop_empty_fallbacks

        drop_empty_fallbacks()
