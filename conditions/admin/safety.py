"""Admin for the search safety net: the urgent help card and its emergency terms.

Follows the questionnaire admin loosely (people menus, workflow actions calling the model's
methods, publishing only for clinical reviewers); the shared review admin base will take it
over. Status is never a form field.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from conditions.admin.editorial import (
    PeopleMenusMixin,
    can_publish,
    publish_problems_html,
    run_workflow_step,
)
from conditions.models import EmergencyTerm, UrgentHelp


class EmergencyTermInline(admin.TabularInline):
    model = EmergencyTerm
    fields = ("order", "phrase", "variants")
    extra = 1


WORKFLOW = {
    "submit": ("submit_for_review", gettext_lazy("submitted for review"), False),
    "publish": ("publish", gettext_lazy("published"), True),
    "archive": ("archive", gettext_lazy("archived"), True),
}


@admin.register(UrgentHelp)
class UrgentHelpAdmin(PeopleMenusMixin, SimpleHistoryAdmin):
    list_display = ("heading", "status", "last_reviewed", "next_review_due")
    list_filter = ("status",)
    readonly_fields = ("status", "version", "publish_check")
    fields = (
        "heading",
        "body",
        ("emergency_phone", "urgent_phone"),
        ("source_name", "source_url"),
        "status",
        "author",
        "reviewer",
        "last_reviewed",
        "next_review_due",
        "publish_check",
        "version",
    )
    inlines = [EmergencyTermInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["submit_selected", "publish_selected", "archive_selected"]

    @admin.display(description=gettext_lazy("ready to publish?"))
    def publish_check(self, obj):
        return publish_problems_html(
            obj, unsaved=_("Save first."), ready=_("Yes: a reviewer can publish it.")
        )

    def run_workflow(self, request, obj, action: str) -> None:
        method, verb, needs_publish = WORKFLOW[action]
        if needs_publish and not can_publish(request.user):
            raise PermissionDenied
        run_workflow_step(self, request, obj, method, verb)

    @admin.action(description=gettext_lazy("Submit selected help cards for review"))
    def submit_selected(self, request, queryset):
        for obj in queryset:
            self.run_workflow(request, obj, "submit")

    @admin.action(description=gettext_lazy("Publish selected help cards"))
    def publish_selected(self, request, queryset):
        for obj in queryset:
            self.run_workflow(request, obj, "publish")

    @admin.action(description=gettext_lazy("Archive selected help cards"))
    def archive_selected(self, request, queryset):
        for obj in queryset:
            self.run_workflow(request, obj, "archive")
