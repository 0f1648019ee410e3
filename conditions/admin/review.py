"""The admin base every reviewable content type shares: one set of workflow buttons, messages,
the changes-against-live page with its approval form, the version check, and the dashboard.

The rules themselves live on the models (conditions/models/review.py); this module only calls
them and reports what they say. Editing never touches what patients see: the admin lists and
changes working copies, and every save through it ends in `record_change(user)`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from conditions.admin import editor
from conditions.models.review import (
    PUBLISH_PERMISSION,
    EditingSession,
    ReviewComment,
    ReviewEvent,
    Status,
    can_review,
    second_reviewer_required,
)

AUTHOR_GROUP = "Author"
REVIEWER_GROUP = "Clinical reviewer"
LONG_TEXT = 120  # characters: longer values are compared word by word


def person_label(user) -> str:
    """How the editor names a colleague in menus and lists."""
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def reviewers(users):
    """Of these users, the active ones who may review (the publish permission or superuser)."""
    app_label, codename = PUBLISH_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__in=permission)
        | Q(user_permissions__in=permission),
        is_active=True,
    ).distinct()


def admin_views(model_admin, *views) -> list:
    """Pages of an admin besides Django's own, each given as (route, view, name suffix) and
    named as Django names its pages (`admin:conditions_condition_review`). They go before
    Django's, whose `<path:object_id>/` would otherwise take them."""
    opts = model_admin.model._meta
    return [
        path(
            route,
            model_admin.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_{suffix}",
        )
        for route, view, suffix in views
    ]


def html_list(items, lead: str = ""):
    """`lead` (text, or HTML from format_html) followed by the items as a bulleted list."""
    return format_html(
        "{}<ul>{}</ul>", lead, format_html_join("", "<li>{}</li>", ((i,) for i in items))
    )


def problems_html(problems, ready: str = ""):
    return html_list(problems) if problems else ready


# -- the version check ---------------------------------------------------------------------------
def stale_message(item):
    """What a refused stale save says, naming who saved last and when."""
    who, when = _("someone else"), ""
    history = getattr(item, "history", None)
    last = (
        history.order_by("-history_date").select_related("history_user").first()
        if history
        else None
    )
    if last is not None:
        if last.history_user_id:
            who = editor.person(last.history_user)
        when = date_format(timezone.localtime(last.history_date), "j F Y, H:i")
    opts = item._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[item.pk])
    return format_html(
        _(
            "{who} saved “{item}” ({when}) after you opened it, so your changes were NOT saved "
            'and nothing was overwritten. What you typed is still in the form below. <a href="{url}">'
            "See what they changed</a>, then open the page again and make your changes there."
        ),
        who=who,
        item=item,
        when=when,
        url=url,
    )


def check_version(item, posted) -> None:
    """Lock the item's row until the save commits, and refuse a save based on an old version.
    Two simultaneous saves: the second waits for the first, then sees its new version."""
    current = (
        type(item)
        ._default_manager.select_for_update()
        .filter(pk=item.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is not None and posted != current:
        raise ValidationError(stale_message(item), code="stale")


class VersionedForm(forms.ModelForm):
    """Carries the version of the item the editor started from (its own, or its parent's)."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def versioned_item(self):
        return self.instance if self.instance.pk else None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.versioned_item()
        if item is not None:
            self.fields["edit_version"].initial = item.version

    def clean(self):
        cleaned = super().clean()
        item = self.versioned_item()
        if item is not None:
            check_version(item, cleaned.get("edit_version"))
        return cleaned


class ReviewableForm(VersionedForm):
    """The form of a reviewed item (article, comparison, questionnaire, help card). Its review
    dates are checked by the model's clean(), and shown beside the field."""


class ReviewDueFilter(admin.SimpleListFilter):
    """The review dashboard as a list filter: by the live version's next review date."""

    title = gettext_lazy("review due")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        from django.conf import settings

        return [
            (
                "due",
                _("Overdue or due within %(n)s days") % {"n": settings.REVIEW_DUE_SOON_DAYS},
            ),
            ("overdue", _("Overdue")),
        ]

    def queryset(self, request, queryset):
        from django.conf import settings

        today = timezone.localdate()
        live = queryset.filter(live__status=Status.PUBLISHED)
        if self.value() == "due":
            soon = today + datetime.timedelta(days=settings.REVIEW_DUE_SOON_DAYS)
            return live.filter(live__next_review_due__lte=soon)
        if self.value() == "overdue":
            return live.filter(live__next_review_due__lt=today)
        return queryset


# -- the base admin --------------------------------------------------------------------------------
WORKFLOW_STEPS = {
    # action: (label, needs a reviewer)
    "submit": (gettext_lazy("Submit for review"), False),
    "publish": (gettext_lazy("Approve and publish"), True),
    "send_back": (gettext_lazy("Send back with a comment"), True),
    "take_offline": (gettext_lazy("Take offline now"), True),
    "archive": (gettext_lazy("Archive"), True),
}


class LivePreviewMixin:
    """For an admin or an inline: the long Markdown fields named in `preview_fields` get a live
    preview with their reading grade under them (static/js/admin-editor.js finds them by
    `data-live-preview`)."""

    preview_fields: tuple = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.preview_fields:
            field.widget.attrs["data-live-preview"] = "markdown"
        return field


class BelongsToItemMixin:
    """For the admin of something that belongs to one content item (the foreign key named
    `item_field`): the item is chosen among working copies, and is fixed once saved."""

    item_field = ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.item_field:
            kwargs["queryset"] = db_field.related_model.objects.working_copies()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, self.item_field] if obj is not None and obj.pk else fields


class ReviewableAdmin(LivePreviewMixin, SimpleHistoryAdmin):
    """Base for the article, comparison and questionnaire admins."""

    form = ReviewableForm
    change_form_template = "admin/conditions/review_change_form.html"
    object_history_template = "admin/conditions/review_object_history.html"
    list_select_related = ["live", "reviewer"]
    list_filter = ["status", ReviewDueFilter]
    review_fields = [
        "status_label",
        "author",
        "reviewer",
        "last_reviewed",
        "next_review_due",
        "provenance_label",
    ]
    actions = None

    class Media:
        css = {"all": ["css/admin-conditions.css"]}
        js = ["js/admin-editor.js"]

    # -- what the editors see and may do -------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_live=False)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "status_label", "reviewer"]
        fields += ["last_reviewed", "publish_checklist", "preview_link", "provenance_label"]
        if not can_review(request.user):
            fields.append("next_review_due")
        return fields

    def has_delete_permission(self, request, obj=None):
        """Only never-published drafts can be deleted: by a reviewer, or by their author."""
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        if obj.live_id:
            return False
        return can_review(request.user) or obj.author_id == request.user.pk

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name == "author":
            field.label_from_instance = person_label
            field.queryset = field.queryset.filter(is_staff=True).order_by(
                "first_name", "last_name", "username"
            )
        return field

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published else None

    # -- saving: every save is a change to the draft ------------------------------------------
    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.record_change(request.user)
        self.after_change(request, form.instance)

    def after_change(self, request, obj) -> None:
        """Hook: e.g. recompute derived values, run the safety check."""

    # -- columns and read-only fields -----------------------------------------------------------
    @admin.display(description=gettext_lazy("status"))
    def status_label(self, obj):
        if obj is None or obj.pk is None:
            return _("New draft")
        return obj.status_label()

    @admin.display(description=gettext_lazy("reviewed elsewhere (provenance)"))
    def provenance_label(self, obj):
        """Where an imported item came from: not this clinic's review, never shown to patients."""
        return (obj.provenance_text if obj is not None else "") or "—"

    @admin.display(description=gettext_lazy("reviewer"), ordering="reviewer__last_name")
    def reviewer_column(self, obj):
        return obj.reviewer_name() or "—"

    @admin.display(description=gettext_lazy("next review due"), ordering="next_review_due")
    def review_state(self, obj):
        if not obj.next_review_due:
            return "—"
        due = date_format(obj.next_review_due, "j M Y")
        if not obj.is_published:
            return due
        today = timezone.localdate()
        soon = datetime.timedelta(days=self._soon_days())
        if obj.next_review_due < today:
            state = format_html('<strong class="review-overdue">{}</strong>', _("Overdue"))
        elif obj.next_review_due <= today + soon:
            state = _("Due within %(n)s days") % {"n": soon.days}
        else:
            state = _("Up to date")
        return format_html("{}<br>{}", due, state)

    @staticmethod
    def _soon_days() -> int:
        from django.conf import settings

        return settings.REVIEW_DUE_SOON_DAYS

    @admin.display(description=gettext_lazy("what still stops approval"))
    def publish_checklist(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the draft first.")
        return problems_html(obj.publish_problems(), ready=_("Nothing: it can be approved."))

    @admin.display(description=gettext_lazy("preview"))
    def preview_link(self, obj):
        url = self.preview_url(obj) if obj is not None and obj.pk else None
        if not url:
            return "—"
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Preview as patient"))

    def preview_url(self, obj) -> str | None:
        return None

    # -- the workflow pages ---------------------------------------------------------------------
    def get_urls(self):
        custom = admin_views(
            self,
            ("<path:object_id>/changes/", self.changes_view, "changes"),
            ("<path:object_id>/workflow/<slug:action>/", self.workflow_view, "workflow"),
            ("<path:object_id>/revert/<int:event_id>/", self.revert_view, "revert"),
            ("text-preview/", self.text_preview_view, "text_preview"),
            ("<path:object_id>/editing/", self.editing_view, "editing"),
            ("<path:object_id>/comments/", self.comment_view, "comment"),
            (
                "<path:object_id>/comments/<int:comment_id>/resolve/",
                self.resolve_comment_view,
                "resolve_comment",
            ),
        )
        return custom + super().get_urls()

    def _url(self, obj, view: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])

    def buttons(self, request, obj) -> list[tuple[str, str]]:
        """The workflow steps this user may take now, as (action, label)."""
        if obj is None or obj.pk is None:
            return []
        steps = []
        if obj.status == Status.DRAFT and self.has_change_permission(request, obj):
            steps.append("submit")
        if can_review(request.user):
            if obj.status in (Status.DRAFT, Status.IN_REVIEW):
                steps.append("publish")
            if obj.status == Status.IN_REVIEW:
                steps.append("send_back")
            if obj.is_published:
                steps.append("take_offline")
            if obj.status != Status.ARCHIVED:
                steps.append("archive")
        return [(step, WORKFLOW_STEPS[step][0]) for step in steps]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        buttons = self.buttons(request, obj)
        extra_context = {
            **(extra_context or {}),
            "workflow_buttons": buttons,
            "may_submit": any(step == "submit" for step, label in buttons),
            # Keeps the save bar to one line; a new article starts from the list.
            "show_save_and_add_another": False,
            "changes_url": self._url(obj, "changes") if obj else None,
            "preview_url": self.preview_url(obj) if obj else None,
            **(self.leaflet_urls(obj) if obj else {}),
        }
        if obj is not None and self.has_change_permission(request, obj):
            EditingSession.touch(obj, request.user, restart=request.method == "GET")
            extra_context |= {
                "editing_others": self.editing_others(request, obj),
                "editing_url": self._url(obj, "editing"),
            }
        if obj is not None:
            extra_context |= self.comment_context(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def leaflet_urls(self, obj) -> dict:
        """Hook: {"leaflet_live_url": the patients' leaflet of the live copy or
        None, "leaflet_draft_url": the DRAFT leaflet of the working copy}."""
        return {}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Every error listed at the top with a link to its field; after a refused stale save,
        the saved values beside what the user typed, and the form ready to save the merge."""
        opts = self.model._meta
        context["text_preview_url"] = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_text_preview"
        )
        adminform = context.get("adminform")
        form = adminform.form if adminform is not None else None
        inlines = context.get("inline_admin_formsets", [])
        if adminform is not None:
            context["form_contents"] = self.form_contents(adminform, inlines)
        if form is not None and form.is_bound and context.get("errors"):
            context["error_summary"] = editor.error_summary(form, inlines)
            stale = any(e.code == "stale" for e in form.errors.as_data().get("__all__", []))
            if stale and obj is not None and obj.pk:
                saved = type(obj)._default_manager.get(pk=obj.pk)
                context["stale"] = editor.stale_changes(form, inlines, saved)
                for item in context["error_summary"]:
                    if item.get("code") == "stale":
                        item["message"] = format_html(
                            _(
                                "{who} saved “{item}” ({when}) after you opened it, so your "
                                "changes were NOT saved and nothing was overwritten. What you "
                                'typed is still in the form; <a href="#stale-changes">what they '
                                "saved</a> is shown below where it differs (and in <a "
                                'href="{history}">the history</a>). Merge the two, then save '
                                "again."
                            ),
                            history=self._url(obj, "history"),
                            who=context["stale"]["who"],
                            item=saved,
                            when=context["stale"]["when"],
                        )
                # Saving again saves the merge the user makes now, on top of the saved version.
                data = form.data.copy()
                data[form.add_prefix("edit_version")] = str(saved.version)
                form.data = data
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        """A workflow button on the form ("Save and submit for review") saves first, then takes
        the step, so nothing typed is lost."""
        if request.POST.get("_workflow") == "submit":
            return self.submit_after_save(request, obj, self._url(obj, "change"))
        if not any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew")):
            EditingSession.end(obj, request.user)  # left the form
        return super().response_change(request, obj)

    def submit_after_save(self, request, obj, back: str):
        """The second half of "Save and submit for review" (the form and the questionnaire's
        Build page): the save is done; submit, say what happened, and go back to the page."""
        try:
            obj.submit_for_review(by=request.user)
        except (ValidationError, PermissionDenied) as error:
            detail = error.messages if isinstance(error, ValidationError) else []
            self.message_user(
                request,
                format_html(
                    "{}{}",
                    _("“%(name)s” was saved but not submitted for review:") % {"name": obj},
                    problems_html(detail),
                ),
                messages.ERROR,
            )
        else:
            EditingSession.end(obj, request.user)
            self.message_user(
                request,
                _("“%(name)s” was saved and submitted for review; the reviewers were told.")
                % {"name": obj},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(back)

    def form_contents(self, adminform, inlines) -> list[tuple[str, str]]:
        """Hook: the on-form contents list, as (anchor, label); none by default."""
        return []

    # -- who else is editing, the live preview, comments ----------------------------------------
    def editing_others(self, request, obj) -> list[dict]:
        return [
            {"name": editor.person(s.user), "since": editor.local_time(s.started)}
            for s in EditingSession.others(obj, request.user)
        ]

    def editing_view(self, request, object_id):
        """The edit form's heartbeat (POST, every minute from admin-editor.js): keeps this
        user's editing session alive and answers with who else has the form open."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise Http404
        EditingSession.touch(obj, request.user)
        return TemplateResponse(
            request,
            "admin/conditions/editing_others.html",
            {"editing_others": self.editing_others(request, obj)},
        )

    def text_preview_view(self, request):
        """One long field's Markdown as patients will see it, with its reading grade and its
        hardest sentences marked (POST, CSRF-checked, editors only): the live preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        source = request.POST.get("text", "")
        if len(source) > editor.PREVIEW_MAX_CHARS:
            return HttpResponse(
                _("Too long to preview: over %(n)s characters.") % {"n": editor.PREVIEW_MAX_CHARS},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        response = TemplateResponse(
            request, "admin/conditions/text_preview.html", {"preview": editor.preview(source)}
        )
        response["Cache-Control"] = "no-store"
        return response

    def comment_subjects(self, obj) -> list[str]:
        """What a comment can be about: the item's own fields and its kinds of part."""
        names = [
            str(f.verbose_name)
            for f in type(obj)._meta.concrete_fields
            if f.editable and not f.primary_key and f.name not in obj.WORKFLOW_FIELDS
        ]
        parts = [
            part.label or str(part.model._meta.verbose_name_plural)
            for part in obj.review_parts()
            if part.path == part.parent
        ]
        return [name[:1].upper() + name[1:] for name in names + parts]

    def comment_context(self, request, obj) -> dict:
        comments = list(ReviewComment.on(obj))
        return {
            "open_comments": [c for c in comments if not c.resolved],
            "resolved_comments": [c for c in comments if c.resolved],
            "comment_subjects": self.comment_subjects(obj),
            "may_comment": self.has_change_permission(request, obj) or can_review(request.user),
        }

    def _comment_target(self, request, object_id):
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        if not (self.has_change_permission(request, obj) or can_review(request.user)):
            raise PermissionDenied
        back = "changes" if request.POST.get("back") == "changes" else "change"
        return obj, HttpResponseRedirect(self._url(obj, back) + "#comments")

    def comment_view(self, request, object_id):
        """A reviewer's (or any editor's) comment on the draft, for its author."""
        obj, response = self._comment_target(request, object_id)
        if obj is None:
            return response
        text = request.POST.get("text", "").strip()
        if not text:
            self.message_user(request, _("Write the comment first."), messages.ERROR)
            return response
        subject = request.POST.get("field", "")
        ReviewComment.objects.create(
            item=obj,
            author=request.user,
            text=text,
            field=subject if subject in self.comment_subjects(obj) else "",
        )
        self.message_user(request, _("Your comment was added."), messages.SUCCESS)
        return response

    def resolve_comment_view(self, request, object_id, comment_id):
        obj, response = self._comment_target(request, object_id)
        if obj is None:
            return response
        comment = get_object_or_404(ReviewComment.on(obj), pk=comment_id)
        comment.resolved = request.POST.get("reopen") != "1"
        comment.resolved_by = request.user if comment.resolved else None
        comment.resolved_at = timezone.now() if comment.resolved else None
        comment.save(update_fields=["resolved", "resolved_by", "resolved_at"])
        return response

    def workflow_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in WORKFLOW_STEPS:
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        needs_reviewer = WORKFLOW_STEPS[action][1]
        if needs_reviewer and not can_review(request.user):
            raise PermissionDenied
        if not needs_reviewer and not self.has_change_permission(request, obj):
            raise PermissionDenied
        text = request.POST.get("comment", "")
        try:
            if action == "submit":
                obj.submit_for_review(by=request.user)
            elif action == "publish":
                seen = request.POST.get("seen_version", "")
                obj.publish(
                    by=request.user,
                    attested=request.POST.get("attest") == "on",
                    seen_version=int(seen) if seen.isdigit() else -1,
                )
            elif action == "send_back":
                obj.send_back(by=request.user, comment=text)
            elif action == "take_offline":
                obj.take_offline(by=request.user, reason=text)
            else:
                obj.archive(by=request.user, reason=text)
        except ValidationError as error:
            self.message_user(
                request,
                format_html(
                    "{}{}",
                    _("“%(name)s”: %(step)s was not done. Still needed:")
                    % {"name": obj, "step": WORKFLOW_STEPS[action][0]},
                    problems_html(error.messages),
                ),
                messages.ERROR,
            )
            back = "changes" if action in ("publish", "send_back") else "change"
            return HttpResponseRedirect(self._url(obj, back))
        done = {
            "submit": _("“%(name)s” was submitted for review; the reviewers were told."),
            "publish": _("“%(name)s” was approved: patients now see this version."),
            "send_back": _("“%(name)s” was sent back to its author with your comment."),
            "take_offline": _("“%(name)s” is offline: patients no longer see it."),
            "archive": _("“%(name)s” was archived."),
        }[action]
        self.message_user(request, done % {"name": obj}, messages.SUCCESS)
        return HttpResponseRedirect(self._url(obj, "change"))

    def revert_view(self, request, object_id, event_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        event = get_object_or_404(ReviewEvent, pk=event_id, action=ReviewEvent.Action.APPROVED)
        try:
            obj.revert_to(event, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _(
                    "A new draft was made from the version approved on %(date)s. Patients still "
                    "see the live version until a reviewer approves this draft."
                )
                % {"date": date_format(timezone.localtime(event.at), "j F Y, H:i")},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._url(obj, "changes"))

    def changes_view(self, request, object_id):
        """What changed against the live version, the approval form and the review history."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        draft = obj.readable()
        live = obj.live.readable() if obj.live_id else {"fields": {}, "parts": {}}
        changers = obj.changed_by()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Changes to “%(name)s”") % {"name": obj},
            "field_changes": field_changes(live["fields"], draft["fields"]),
            "part_changes": part_changes(live["parts"], draft["parts"]),
            "has_live": bool(obj.live_id),
            "problems": obj.publish_problems(),
            "may_review": can_review(request.user),
            "own_changes": second_reviewer_required() and request.user.pk in changers,
            "buttons": dict(self.buttons(request, obj)),
            "events": obj.events()[:50],
            "preview_url": self.preview_url(obj),
            "extra_review": self.extra_review(request, obj),
            **self.comment_context(request, obj),
        }
        return TemplateResponse(request, "admin/conditions/review_changes.html", context)

    def extra_review(self, request, obj):
        """Hook: more for the reviewer to see (the questionnaire's safety check)."""
        return ""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "review_events": obj.events()[:50] if obj is not None else [],
            "history_sentences": editor.history_sentences(obj) if obj is not None else [],
        }
        return super().history_view(request, object_id, extra_context)


# -- comparing versions ------------------------------------------------------------------------
text_diff = editor.text_diff  # one word diff for the changes page and the history


def _change(label, old, new):
    long = len(old) > LONG_TEXT or len(new) > LONG_TEXT
    return {
        "label": label,
        "old": old,
        "new": new,
        "diff": text_diff(old, new) if long and old and new else None,
    }


def field_changes(old: dict, new: dict) -> list[dict]:
    return [
        _change(label, old.get(label, ""), value)
        for label, value in new.items()
        if old.get(label, "") != value
    ]


def part_changes(old: dict, new: dict) -> list[dict]:
    """Per kind of part: rows added, removed and changed (field by field)."""
    kinds = []
    for kind in new.keys() | old.keys():
        before, after = old.get(kind, {}), new.get(kind, {})
        added = [after[i][0] for i in after if i not in before]
        removed = [before[i][0] for i in before if i not in after]
        changed = []
        for identity in after:
            if identity in before and before[identity][1] != after[identity][1]:
                changed.append(
                    {
                        "name": after[identity][0],
                        "fields": field_changes(before[identity][1], after[identity][1]),
                    }
                )
        if added or removed or changed:
            kinds.append({"kind": kind, "added": added, "removed": removed, "changed": changed})
    return sorted(kinds, key=lambda k: k["kind"])


# -- the dashboard -----------------------------------------------------------------------------
# The review dashboard's lists, in the order it shows them: (id, heading, what it says when empty).
DASHBOARD_SECTIONS = (
    ("overdue", gettext_lazy("Overdue for review"), gettext_lazy("Nothing is overdue.")),
    ("due-soon", gettext_lazy("Review due soon"), gettext_lazy("No review is due soon.")),
    (
        "in-review",
        gettext_lazy("Waiting for a clinical reviewer"),
        gettext_lazy("Nothing is waiting for review."),
    ),
    ("drafts", gettext_lazy("Drafts"), gettext_lazy("No drafts.")),
)


def review_dashboard(request, admin_site, models):
    """Everything that needs a clinician, across articles, comparisons and questionnaires."""
    today = timezone.localdate()
    from django.conf import settings

    soon = today + datetime.timedelta(days=settings.REVIEW_DUE_SOON_DAYS)
    sections = {key: [] for key, _heading, _empty in DASHBOARD_SECTIONS}
    for model in models:
        items = model.objects.working_copies().select_related("live", "reviewer", "author")
        live = items.filter(live__status=Status.PUBLISHED)
        sections["overdue"] += list(live.filter(live__next_review_due__lt=today))
        sections["due-soon"] += list(
            live.filter(live__next_review_due__gte=today, live__next_review_due__lte=soon)
        )
        sections["in-review"] += list(items.filter(status=Status.IN_REVIEW))
        sections["drafts"] += list(items.filter(status=Status.DRAFT))
    # Reads over the last 30 days (feedback app): the most-read pages come first for review.
    from feedback.counting import recent_views

    views = recent_views([item for items in sections.values() for item in items])

    def read(item) -> int:
        return views.get((item._meta.label, item.pk), 0)

    for key in ("overdue", "due-soon"):
        sections[key].sort(key=lambda item: (-read(item), item.live.next_review_due))
    for key in ("in-review", "drafts"):
        sections[key].sort(key=lambda item: item.updated_at, reverse=True)

    def row(item) -> dict:
        opts = item._meta
        return {
            "item": item,
            "kind": opts.verbose_name,
            "views": read(item),
            "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk]),
        }

    context = {
        **admin_site.each_context(request),
        "title": _("Content that needs attention"),
        "today": today,
        "sections": [
            {"id": key, "heading": heading, "empty": empty, "rows": [row(i) for i in sections[key]]}
            for key, heading, empty in DASHBOARD_SECTIONS
        ],
    }
    return TemplateResponse(request, "admin/conditions/review_dashboard.html", context)
