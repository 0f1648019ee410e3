"""Admin for kiosk profiles: one per waiting-room screen (idle times, featured tiles, printer)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from conditions.models import KioskProfile


@admin.register(KioskProfile)
class KioskProfileAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "in_use",
        "idle_seconds",
        "warning_seconds",
        "printer_available",
    ]
    list_editable = ["in_use", "printer_available"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["featured_conditions", "featured_questionnaires"]
    readonly_fields = ["setup_link"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "in_use", "welcome_text"]}),
        (
            _("Start screen"),
            {
                "fields": ["featured_conditions", "featured_questionnaires"],
                "description": _(
                    "Only published articles and questionnaires appear on the kiosk, even if "
                    "others are chosen here."
                ),
            },
        ),
        (
            _("Privacy and hardware"),
            {"fields": ["idle_seconds", "warning_seconds", "printer_available"]},
        ),
        (_("Setting up a screen"), {"fields": ["setup_link"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Pick items (their working copies); the kiosk shows their live copies."""
        if db_field.name in ("featured_conditions", "featured_questionnaires"):
            kwargs["queryset"] = db_field.related_model.objects.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("address to open once on the kiosk screen"))
    def setup_link(self, obj: KioskProfile) -> str:
        if not obj.pk:
            return _("Save the profile first.")
        return format_html(
            "<code>{}</code><br>{}",
            reverse("kiosk_start", args=[obj.slug]),
            _(
                "Open this address once in the kiosk's browser: the screen remembers its "
                "profile (a signed cookie that “Start again” keeps) and goes to the start screen. "
                "Point the browser's start page at /kiosk/."
            ),
        )
