"""Admin for the search safety net: the urgent help card and its emergency terms, on the
shared review admin (a change is a draft until a second clinician approves it)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy

from conditions.admin import pasting
from conditions.admin.review import ReviewableAdmin, ReviewableForm
from conditions.models import EmergencyTerm, UrgentHelp


class EmergencyTermInline(admin.TabularInline):
    model = EmergencyTerm
    fields = ("order", "phrase", "variants")
    extra = 1


class UrgentHelpForm(pasting.PastedTextMixin, ReviewableForm):
    markdown_fields = ("body",)
    plain_fields = ("heading", "source_name")
    markup_advice = gettext_lazy("put them in the card's text, which takes Markdown")

    class Meta:
        model = UrgentHelp
        fields = [
            "heading",
            "body",
            "emergency_phone",
            "urgent_phone",
            "source_name",
            "source_url",
            "author",
            "next_review_due",
        ]


@admin.register(UrgentHelp)
class UrgentHelpAdmin(pasting.PastedTextAdminMixin, ReviewableAdmin):
    form = UrgentHelpForm
    preview_fields = ("body",)
    list_display = ("heading", "status_label", "reviewer_column", "review_state")
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "heading",
                    "body",
                    ("emergency_phone", "urgent_phone"),
                    ("source_name", "source_url"),
                    "edit_version",
                ]
            },
        ),
        (
            gettext_lazy("Review and publishing"),
            {"fields": [*ReviewableAdmin.review_fields, "publish_checklist"]},
        ),
    ]
    inlines = [EmergencyTermInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
