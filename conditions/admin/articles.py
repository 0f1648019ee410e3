"""The clinician's editor for condition articles.

Workflow rules live on the model (publish_problems, submit_for_review, publish, archive); this
admin calls them, says exactly what is missing, and enforces who may do what on the server:
- "Author" group: create and edit drafts (and articles in review), submit them for review.
- "Clinical reviewer" group (permission conditions.publish_condition): also publish, archive,
  return to draft, set the reviewer and review dates, and edit published articles.
Status is never a form field: it changes only through the workflow buttons and actions.
Every save is checked against the `version` the editor started from (optimistic concurrency).
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from conditions import content
from conditions.admin.editorial import (
    PeopleMenusMixin,
    can_edit,
    can_publish,
    current_status,
    publish_problems_html,
    run_workflow_step,
)
from conditions.models import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    Condition,
    ConditionImage,
    Reference,
    Section,
    Status,
)

AUTHOR_GROUP = "Author"
REVIEWER_GROUP = "Clinical reviewer"
REVIEW_FIELDS = ("reviewer", "last_reviewed", "next_review_due")
MAX_REVIEW_INTERVAL_DAYS = 366  # the editorial statement promises a check every 12 months
ARTICLE_PARTS = (Section, FAQ, Reference, ClinicalCode, CareAdvice, ConditionImage)


def history_url(obj) -> str:
    return reverse("admin:conditions_condition_history", args=[obj.pk])


def restore_parts(condition: Condition, when: datetime.datetime) -> None:
    """Put sections, FAQs, references, codes, care advice and images back as they were."""
    for model in ARTICLE_PARTS:
        old = list(model.history.as_of(when).filter(condition_id=condition.pk))
        keep = [item.pk for item in old]
        for item in model.objects.filter(condition=condition).exclude(pk__in=keep):
            item.delete()
        for item in old:
            item.save()


# -- the form --------------------------------------------------------------------------------
class ConditionAdminForm(forms.ModelForm):
    """Carries the version the editor started from; a stale save is refused in clean()."""

    restoring = False

    class Meta:
        model = Condition
        # Never status or published_at: those change only through the workflow methods.
        fields = [
            "name",
            "slug",
            "also_known_as",
            "summary",
            "featured",
            "version",
            "author",
            *REVIEW_FIELDS,
            "related",
        ]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.fields["version"].widget = forms.HiddenInput()
        if self.restoring and self.instance.pk:
            # Restoring an old version restores its text, not its workflow state: status,
            # publication and (unless this user may change them) the review fields stay.
            live = Condition.objects.get(pk=self.instance.pk)
            self.initial["version"] = live.version
            for name in ("status", "published_at", *REVIEW_FIELDS):
                if name not in self.fields:
                    attname = Condition._meta.get_field(name).attname
                    setattr(self.instance, attname, getattr(live, attname))

    def clean(self):
        cleaned = super().clean()
        last, due = cleaned.get("last_reviewed"), cleaned.get("next_review_due")
        if last and due and due > last + datetime.timedelta(days=MAX_REVIEW_INTERVAL_DAYS):
            self.add_error(
                "next_review_due",
                _("Set the next review within 12 months of the last review."),
            )
        if self.instance.pk and "version" in self.fields and "version" not in self._errors:
            live = (
                Condition.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if live is not None and cleaned.get("version") != live:
                raise ValidationError(self.conflict_message(), code="stale")
        return cleaned

    def conflict_message(self):
        last = self.instance.history.order_by("-history_date").select_related("history_user")
        last = last.first()
        who = _("someone else")
        when = ""
        if last is not None:
            if last.history_user_id:
                user = last.history_user
                who = user.get_full_name() or user.get_username()
            when = date_format(timezone.localtime(last.history_date), "j F Y, H:i")
        return format_html(
            _(
                "{who} saved this article ({when}) after you opened it, so your changes were "
                'NOT saved and nothing was overwritten. <a href="{url}">See what they '
                "changed in the history</a>, copy anything you want to keep, then open the "
                "article again and make your changes there."
            ),
            who=who,
            when=when,
            url=history_url(self.instance),
        )


# -- inlines ---------------------------------------------------------------------------------
class RequiredWhenPublishedFormSet(BaseInlineFormSet):
    """A published article may not lose its last section or reference."""

    required_message = ""

    def clean(self):
        super().clean()
        if current_status(self.instance) != Status.PUBLISHED:
            return
        remaining = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]
        if not remaining:
            raise ValidationError(self.required_message)


class SectionFormSet(RequiredWhenPublishedFormSet):
    required_message = gettext_lazy("A published article needs at least one section.")


class ReferenceFormSet(RequiredWhenPublishedFormSet):
    required_message = gettext_lazy("A published article needs at least one reference.")


class ArticlePartInline:
    """Inlines follow the article: read-only when the user may not edit the article."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit(request.user, obj)


class SectionInline(ArticlePartInline, admin.StackedInline):
    model = Section
    formset = SectionFormSet
    fields = ["order", "heading", "slug", "body"]
    ordering = ["order", "pk"]
    extra = 1


class FAQInline(ArticlePartInline, admin.StackedInline):
    model = FAQ
    fields = ["order", "question", "verdict", "answer"]
    ordering = ["order", "pk"]


class CareAdviceInline(ArticlePartInline, admin.StackedInline):
    model = CareAdvice
    fields = ["level", "signs", "action"]
    max_num = len(CareAdvice.Level.choices)

    def get_queryset(self, request):
        """From self-care to emergency, as the patient page shows them."""
        rank = models.Case(
            *(
                models.When(level=level, then=models.Value(index))
                for index, level in enumerate(CareAdvice.LEVEL_ORDER)
            ),
            default=models.Value(len(CareAdvice.LEVEL_ORDER)),
        )
        return super().get_queryset(request).order_by(rank, "pk")


class ReferenceInline(ArticlePartInline, admin.TabularInline):
    model = Reference
    formset = ReferenceFormSet
    # A plain address box: the admin's "Currently: <link> Change:" widget doubles the row.
    formfield_overrides = {
        models.URLField: {
            "assume_scheme": "https",
            "widget": forms.URLInput(attrs={"class": "vURLField"}),
        }
    }
    fields = ["order", "title", "publisher", "url", "accessed"]
    ordering = ["order", "pk"]


class ClinicalCodeInline(ArticlePartInline, admin.TabularInline):
    model = ClinicalCode
    fields = ["system", "version", "code", "display"]


class ConditionImageInline(ArticlePartInline, admin.TabularInline):
    model = ConditionImage
    fields = ["order", "image", "alt_text", "caption", "skin_tone"]
    ordering = ["order", "pk"]


# -- list filter: the review dashboard as a filter --------------------------------------------
class ReviewDueFilter(admin.SimpleListFilter):
    title = gettext_lazy("review due")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("due", _("Overdue or due within 30 days")),
            ("overdue", _("Overdue")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.due_for_review()
        if self.value() == "overdue":
            return queryset.overdue()
        return queryset


# -- the admin -------------------------------------------------------------------------------
WORKFLOW_ACTIONS = {
    # action: (model method, verb for messages, needs publish permission)
    "submit": ("submit_for_review", gettext_lazy("submitted for review"), False),
    "publish": ("publish", gettext_lazy("published"), True),
    "archive": ("archive", gettext_lazy("archived"), True),
    "return_to_draft": ("unpublish", gettext_lazy("returned to draft"), True),
}


@admin.register(Condition)
class ConditionAdmin(PeopleMenusMixin, SimpleHistoryAdmin):
    form = ConditionAdminForm
    change_form_template = "admin/conditions/condition/change_form.html"
    change_list_template = "admin/conditions/condition/change_list.html"
    object_history_template = "admin/conditions/condition/object_history.html"
    inlines = [
        SectionInline,
        FAQInline,
        CareAdviceInline,
        ReferenceInline,
        ClinicalCodeInline,
        ConditionImageInline,
    ]
    list_display = [
        "name",
        "status",
        "reviewer_column",
        "review_state",
        "reading_level_column",
        "view_link",
    ]
    list_filter = ["status", ReviewDueFilter, "featured"]
    list_select_related = ["reviewer"]
    search_fields = ["name", "slug", "also_known_as", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["related"]
    actions = ["submit_selected", "publish_selected", "archive_selected"]
    history_list_display = ["status", "version"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "also_known_as", "summary", "featured", "version"]}),
        (
            gettext_lazy("Review and publishing"),
            {
                "fields": [
                    "status",
                    "publish_checklist",
                    "author",
                    "reviewer",
                    "last_reviewed",
                    "next_review_due",
                    "published_at",
                ]
            },
        ),
        (gettext_lazy("Reading level"), {"fields": ["reading_level", "preview_link"]}),
        (gettext_lazy("Related conditions"), {"fields": ["related"]}),
    ]

    def view_on_site(self, obj):
        """Only published articles have a patient page; drafts use "Preview as patient"."""
        return obj.get_absolute_url() if obj.is_published else None

    # -- permissions ---------------------------------------------------------------------------
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = ["status", "published_at", "publish_checklist", "reading_level", "preview_link"]
        if not can_publish(request.user):
            fields += list(REVIEW_FIELDS)
        return fields

    def has_publish_permission(self, request, obj=None):
        return can_publish(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        related = form.base_fields.get("related")
        if related is not None and obj is not None and obj.pk:
            related.queryset = related.queryset.exclude(pk=obj.pk)  # not related to itself
        if getattr(request, "_condition_restore", None) is not None:
            form = type("ConditionRestoreForm", (form,), {"restoring": True})
        return form

    # -- saving --------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        record = getattr(request, "_condition_restore", None)
        if record is not None:
            obj._change_reason = _("Restored the version saved on %(date)s") % {
                "date": date_format(timezone.localtime(record.history_date), "j F Y, H:i")
            }
        super().save_model(request, obj, form, change)
        if record is not None:
            # A version's parts are saved just after the article itself (save_related), so
            # take them as they stood at the end of that version, before the next save.
            following = record.next_record
            until = (
                following.history_date - datetime.timedelta(microseconds=1) if following else None
            )
            restore_parts(obj, until or timezone.now())
            obj.refresh_derived()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_derived()

    # -- history and restore -------------------------------------------------------------------
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        record = get_object_or_404(
            Condition.history.model, id=unquote(object_id), history_id=unquote(version_id)
        )
        if request.method == "POST" and not self.has_change_permission(request, record.instance):
            # simple-history lets anyone who may *view* the history post the revert form.
            raise PermissionDenied
        request._condition_restore = record
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """Besides the article's own fields, list changes to its sections, FAQs and so on."""
        extra_context = {**(extra_context or {}), "part_changes": self.part_changes(object_id)}
        return super().history_view(request, object_id, extra_context)

    def part_changes(self, object_id, limit: int = 50) -> list[dict]:
        changes = []
        for model in ARTICLE_PARTS:
            records = (
                model.history.filter(condition_id=unquote(object_id))
                .select_related("history_user")
                .order_by("-history_date")[:limit]
            )
            for record in records:
                previous = record.prev_record
                delta = record.diff_against(previous).changes if previous else []
                changes.append(
                    {
                        "kind": model._meta.verbose_name,
                        "record": record,
                        "changes": [(c.field, c.old, c.new) for c in delta],
                    }
                )
        changes.sort(key=lambda c: c["record"].history_date, reverse=True)
        return changes[:limit]

    # -- workflow --------------------------------------------------------------------------------
    def get_urls(self):
        custom = [
            path(
                "review/",
                self.admin_site.admin_view(self.review_dashboard_view),
                name="conditions_condition_review",
            ),
            path(
                "<path:object_id>/workflow/<slug:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="conditions_condition_workflow",
            ),
        ]
        return custom + super().get_urls()

    def run_workflow(self, request, obj, action: str) -> bool:
        """Call the model's workflow method; report exactly what stopped it. Server-side check."""
        method, verb, needs_publish = WORKFLOW_ACTIONS[action]
        allowed = (
            can_publish(request.user) if needs_publish else self.has_change_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        obj._change_reason = str(verb).capitalize()
        return run_workflow_step(self, request, obj, method, verb)

    def workflow_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in WORKFLOW_ACTIONS:
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        self.run_workflow(request, obj, action)
        return HttpResponseRedirect(reverse("admin:conditions_condition_change", args=[obj.pk]))

    def _bulk(self, request, queryset, action):
        if WORKFLOW_ACTIONS[action][2] and not can_publish(request.user):
            raise PermissionDenied
        for obj in queryset:
            if not self.has_change_permission(request, obj) and action == "submit":
                self.message_user(
                    request, _("You cannot change “%(name)s”.") % {"name": obj}, messages.ERROR
                )
                continue
            self.run_workflow(request, obj, action)

    @admin.action(
        description=gettext_lazy("Submit selected articles for review"), permissions=["change"]
    )
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description=gettext_lazy("Publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description=gettext_lazy("Archive selected articles"), permissions=["publish"])
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "archive")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "workflow_buttons": self.buttons(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def buttons(self, request, obj) -> list[tuple[str, str]]:
        """The workflow buttons this user may press for this article, as (action, label)."""
        if obj is None:
            return []
        buttons = []
        if obj.status in (Status.DRAFT, Status.ARCHIVED) and self.has_change_permission(
            request, obj
        ):
            buttons.append(("submit", _("Submit for review")))
        if can_publish(request.user):
            if obj.status != Status.PUBLISHED:
                buttons.append(("publish", _("Publish")))
            if obj.status in (Status.IN_REVIEW, Status.PUBLISHED):
                buttons.append(("return_to_draft", _("Return to draft")))
            if obj.status != Status.ARCHIVED:
                buttons.append(("archive", _("Archive")))
        return buttons

    # -- the review dashboard ------------------------------------------------------------------
    def review_dashboard_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        conditions = Condition.objects.select_related("reviewer", "author")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Articles that need attention"),
            "today": today,
            "overdue": conditions.overdue(today=today).order_by("next_review_due"),
            "due_soon": conditions.due_for_review(today=today)
            .filter(next_review_due__gte=today)
            .order_by("next_review_due"),
            "in_review": conditions.filter(status=Status.IN_REVIEW).order_by("updated_at"),
            "drafts": conditions.filter(status=Status.DRAFT).order_by("-updated_at"),
        }
        return TemplateResponse(
            request, "admin/conditions/condition/review_dashboard.html", context
        )

    # -- columns and read-only fields -----------------------------------------------------------
    @admin.display(description=gettext_lazy("reviewer"), ordering="reviewer__last_name")
    def reviewer_column(self, obj):
        return obj.reviewer_name() or "—"

    @admin.display(description=gettext_lazy("next review due"), ordering="next_review_due")
    def review_state(self, obj):
        """The due date and what it means, in one column (the list must fit beside the filters)."""
        if not obj.next_review_due:
            return "—"
        due = date_format(obj.next_review_due, "j M Y")
        if not obj.is_published:
            return due
        today = timezone.localdate()
        if obj.next_review_due < today:
            state = format_html('<strong class="review-overdue">{}</strong>', _("Overdue"))
        elif obj.next_review_due <= today + datetime.timedelta(days=30):
            state = _("Due within 30 days")
        else:
            state = _("Up to date")
        return format_html("{}<br>{}", due, state)

    @admin.display(description=gettext_lazy("reading grade"), ordering="reading_grade")
    def reading_level_column(self, obj):
        if obj.reading_grade is None:
            return "—"
        return self._grade_html(obj.reading_grade)

    def _grade_html(self, grade: float):
        target = content_target()
        if grade > target:
            return format_html(
                '{} <strong class="reading-over-target">{}</strong>',
                grade,
                _("above target %(target)s") % {"target": target},
            )
        return format_html("{} <span>{}</span>", grade, _("OK"))

    @admin.display(description=gettext_lazy("reading level"))
    def reading_level(self, obj):
        if obj is None or obj.pk is None:
            return _("Shown after the first save.")
        grades = content.reading_grades(obj.patient_text())
        if grades.flesch_kincaid is None:
            return _("No text yet.")
        target = content_target()
        fk = format_html(
            "{}: {} ({})",
            _("Flesch-Kincaid grade"),
            self._grade_html(grades.flesch_kincaid),
            _("target: grade %(target)s or below") % {"target": target},
        )
        if grades.smog is not None:
            smog = format_html("{}: {}", _("SMOG grade"), self._grade_html(grades.smog))
        else:
            smog = _(
                "SMOG grade: not shown, because SMOG needs at least %(min)s sentences "
                "and this article has %(n)s."
            ) % {"min": content.SMOG_MIN_SENTENCES, "n": grades.sentences}
        advice = ""
        if grades.over_target(target):
            advice = _("To lower it: use shorter sentences and everyday words.")
        return format_html("{}<br>{}<br>{}", fk, smog, advice)

    @admin.display(description=gettext_lazy("ready to publish"))
    def publish_checklist(self, obj):
        return publish_problems_html(
            obj,
            unsaved=_("Save the draft first."),
            ready=_("Yes: it has a reviewer, review dates, a section and a reference."),
        )

    @admin.display(description=gettext_lazy("preview"))
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("conditions:condition_preview", args=[obj.slug])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Preview as patient"))

    @admin.display(description=gettext_lazy("page"))
    def view_link(self, obj):
        if obj.is_published:
            url = reverse("conditions:condition_detail", args=[obj.slug])
            return format_html('<a href="{}">{}</a>', url, _("Live page"))
        url = reverse("conditions:condition_preview", args=[obj.slug])
        return format_html('<a href="{}">{}</a>', url, _("Preview as patient"))


def content_target() -> int:
    from django.conf import settings

    return getattr(settings, "READING_GRADE_TARGET", 8)
