"""The clinician's questionnaire builder.

Questions, answers, show-if rules and outcome triggers are picked from lists BY THEIR TEXT
(never by number or id), limited to earlier questions of the same questionnaire and their
answers. Rules point at questions by foreign key, so reordering keeps them right; the safety
check (conditions/rules.py) runs on every save and shows each problem, and publishing is
refused while it fails (Questionnaire.publish_problems).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from conditions import safety
from conditions.admin import pasting, questionnaire_builder
from conditions.admin.questionnaire_builder import MARKUP_ADVICE, QuestionnaireTextForm
from conditions.admin.review import (
    BelongsToItemMixin,
    ReviewableAdmin,
    ReviewableForm,
    VersionedForm,
    admin_views,
    html_list,
)
from conditions.models import (
    AnswerOption,
    Condition,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
)
from conditions.models.review import can_review, person_name


def earlier_questions(question: Question | None):
    """Questions that come before `question` in its questionnaire (by order, then id)."""
    if question is None or question.pk is None:
        return Question.objects.none()
    return Question.objects.filter(questionnaire_id=question.questionnaire_id).filter(
        Q(order__lt=question.order) | Q(order=question.order, pk__lt=question.pk)
    )


def safety_report(questionnaire: Questionnaire) -> list[str]:
    return safety.safety_problems(questionnaire.spec())


def warn_about_safety(request, questionnaire: Questionnaire) -> None:
    """Run the safety check after a save and show every problem."""
    problems = safety_report(questionnaire)
    if not problems:
        messages.success(request, _("Safety check passed: every path of answers has an outcome."))
        return
    messages.warning(
        request,
        html_list(
            problems, _("Safety check: this draft cannot be approved until these are fixed:")
        ),
    )


# -- questionnaire ------------------------------------------------------------------------------
class QuestionInlineForm(QuestionnaireTextForm):
    plain_fields = ("text",)


class OutcomeInlineForm(QuestionnaireTextForm):
    plain_fields = ("title",)


class QuestionInline(admin.TabularInline):
    model = Question
    form = QuestionInlineForm
    fields = ("order", "key", "text", "kind", "required", "min_value", "max_value", "unit")
    extra = 0
    show_change_link = True
    verbose_name_plural = gettext_lazy(
        "Questions (save, then use “Change” to add answers and show-if rules)"
    )


class OutcomeInline(admin.TabularInline):
    model = Outcome
    form = OutcomeInlineForm
    fields = ("title", "slug", "urgency", "priority", "rule", "score_threshold", "signoff_label")
    readonly_fields = ("signoff_label",)
    extra = 0
    show_change_link = True
    verbose_name_plural = gettext_lazy("Outcomes (use “Change” to set trigger answers)")

    @admin.display(description=gettext_lazy("sign-off"))
    def signoff_label(self, obj):
        return signoff_badge(obj)


def signoff_badge(outcome: Outcome):
    if not outcome.needs_signoff:
        return "–"
    return format_html(
        '<strong class="needs-signoff">{}</strong> {}',
        _("needs clinician sign-off"),
        outcome.signoff_note,
    )


class QuestionnaireForm(pasting.PastedTextMixin, ReviewableForm):
    plain_fields = ("title", "intro")
    markup_advice = MARKUP_ADVICE

    class Meta:
        model = Questionnaire
        fields = ["title", "slug", "intro", "conditions", "featured", "author", "next_review_due"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(pasting.PastedTextAdminMixin, ReviewableAdmin):
    form = QuestionnaireForm
    preview_fields = ("intro",)
    list_display = ("title", "status_label", "featured", "review_state", "safety_column")
    list_filter = (*ReviewableAdmin.list_filter, "featured")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("conditions",)
    fieldsets = [
        (None, {"fields": ["title", "slug", "intro", "conditions", "featured", "edit_version"]}),
        (
            gettext_lazy("Review and publishing"),
            {"fields": [*ReviewableAdmin.review_fields, "publish_checklist"]},
        ),
        (gettext_lazy("Safety"), {"fields": ["safety_check", "links"]}),
    ]
    inlines = [QuestionInline, OutcomeInline]
    change_form_template = "admin/conditions/questionnaire_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "safety_check", "links"]

    # -- the one-page builder (conditions/admin/questionnaire_builder.py) -----------------------
    def get_urls(self):
        custom = admin_views(self, ("<path:object_id>/build/", self.build_view, "build"))
        return custom + super().get_urls()

    def build_view(self, request, object_id):
        return questionnaire_builder.build_view(self, request, object_id)

    def build_url(self, obj) -> str:
        return reverse("admin:conditions_questionnaire_build", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "build_url": self.build_url(obj) if obj is not None else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_inline_instances(self, request, obj=None):
        # A new questionnaire gets its questions and outcomes on the build page.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def response_add(self, request, obj, post_url_continue=None):
        """A new questionnaire goes straight on to its build page."""
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            _("“%(title)s” was added. Now write its questions and outcomes.")
            % {"title": obj.title},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.build_url(obj))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "conditions":
            kwargs["queryset"] = Condition.objects.working_copies()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("safety check"))
    def safety_column(self, obj):
        problems = safety_report(obj)
        if not problems:
            return _("passes")
        return format_html("<strong>{}</strong>", _("%(n)d problem(s)") % {"n": len(problems)})

    @admin.display(description=gettext_lazy("safety check"))
    def safety_check(self, obj):
        if obj is None or obj.pk is None:
            return _("Runs when you save.")
        problems = safety_report(obj)
        if not problems:
            return _("Passes: every path of answers reaches an outcome, and red flags always win.")
        return html_list(
            problems, format_html('<strong class="safety-problems">{}</strong>', _("Problems:"))
        )

    @admin.display(description=gettext_lazy("try it"))
    def links(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', self.preview_url(obj), _("Walk through the draft")
        )

    def preview_url(self, obj):
        return reverse("conditions:questionnaire_preview", args=[obj.slug])

    def extra_review(self, request, obj):
        return self.safety_check(obj)

    def after_change(self, request, obj) -> None:
        warn_about_safety(request, obj)


class PartOfQuestionnaireAdmin(
    BelongsToItemMixin, pasting.PastedTextAdminMixin, SimpleHistoryAdmin
):
    """Questions and outcomes have their own pages; each save is a change to the draft of the
    questionnaire they belong to, checked against the version the editor started from."""

    item_field = "questionnaire"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(questionnaire__is_live=False)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        questionnaire = form.instance.questionnaire
        questionnaire.record_change(request.user)
        warn_about_safety(request, questionnaire)


class PartOfQuestionnaireForm(pasting.PastedTextMixin, VersionedForm):
    markup_advice = MARKUP_ADVICE

    def versioned_item(self):
        return self.instance.questionnaire if self.instance.pk else None


# -- question -----------------------------------------------------------------------------------
class AnswerOptionForm(QuestionnaireTextForm):
    plain_fields = ("text",)


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    form = AnswerOptionForm
    fields = ("order", "code", "text", "score")
    extra = 0


class EarlierAnswerInline(admin.TabularInline):
    """An AnswerCondition inline whose question and answer lists hold only allowed choices, by text."""

    fields = ("source_question", "operator", "option", "number")
    extra = 0

    def allowed_questions(self, obj):
        raise NotImplementedError

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        questions = self.allowed_questions(obj)
        options = AnswerOption.objects.filter(question__in=questions).select_related("question")
        base = formset.form

        class Form(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.fields["source_question"].queryset = questions
                self.fields["option"].queryset = options
                self.fields["option"].label_from_instance = lambda o: (
                    f"{o.question.text} → {o.text}"
                )

        formset.form = Form
        return formset


class ShowIfInline(EarlierAnswerInline):
    model = ShowIf
    fk_name = "question"
    verbose_name = gettext_lazy("show this question only if")
    verbose_name_plural = gettext_lazy("show this question only if (earlier questions only)")

    def allowed_questions(self, obj):
        return earlier_questions(obj)


class QuestionForm(PartOfQuestionnaireForm):
    plain_fields = ("text", "help_text", "error_text")


@admin.register(Question)
class QuestionAdmin(PartOfQuestionnaireAdmin):
    form = QuestionForm
    list_display = ("text", "questionnaire", "order", "kind", "required")
    list_filter = ("questionnaire", "kind")
    list_select_related = ("questionnaire",)
    search_fields = ("text", "key")
    fields = (
        "questionnaire",
        "order",
        "key",
        "text",
        "help_text",
        "error_text",
        "kind",
        "required",
        ("min_value", "max_value", "unit"),
        "show_if_match",
        "edit_version",
    )
    inlines = [AnswerOptionInline, ShowIfInline]

    def save_related(self, request, form, formsets, change):
        form.instance.add_yes_no_answers()
        super().save_related(request, form, formsets, change)


# -- outcome ------------------------------------------------------------------------------------
class OutcomeTriggerInline(EarlierAnswerInline):
    model = OutcomeTrigger
    verbose_name = gettext_lazy("trigger answer")
    verbose_name_plural = gettext_lazy("trigger answers")

    def allowed_questions(self, obj):
        if obj is None:
            return Question.objects.none()
        return Question.objects.filter(questionnaire_id=obj.questionnaire_id)


class OutcomeForm(PartOfQuestionnaireForm):
    plain_fields = ("title", "explanation")
    markdown_fields = ("next_steps",)


@admin.register(Outcome)
class OutcomeAdmin(PartOfQuestionnaireAdmin):
    form = OutcomeForm
    list_display = ("title", "questionnaire", "urgency", "rule", "priority", "signoff_column")
    list_filter = ("questionnaire", "urgency", "rule", "needs_signoff")
    list_select_related = ("questionnaire",)
    search_fields = ("title", "slug")
    filter_horizontal = ("conditions",)
    fields = (
        "questionnaire",
        "title",
        "slug",
        *Outcome.CLINICAL_FIELDS,
        "conditions",
        "needs_signoff",
        "signoff_note",
        "signoff_state",
        "edit_version",
    )
    readonly_fields = ("signoff_state",)
    inlines = [OutcomeTriggerInline]
    change_form_template = "admin/conditions/outcome_change_form.html"

    @admin.display(description=gettext_lazy("sign-off"))
    def signoff_column(self, obj):
        return signoff_badge(obj)

    @admin.display(description=gettext_lazy("signed off"))
    def signoff_state(self, obj):
        if obj is None or not obj.signed_off_at:
            return _("Not signed off.")
        who = person_name(obj.signed_off_by)
        when = timezone.localtime(obj.signed_off_at).strftime("%d %b %Y %H:%M")
        return _("Signed off by %(who)s on %(when)s.") % {"who": who, "when": when}

    def get_urls(self):
        custom = admin_views(self, ("<path:object_id>/sign-off/", self.sign_off_view, "sign_off"))
        return custom + super().get_urls()

    def sign_off_view(self, request, object_id):
        """A clinical reviewer signs off the judgement an outcome needs (who and when)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_review(request.user):
            raise PermissionDenied
        outcome = self.get_object(request, unquote(object_id))
        if outcome is None:
            raise Http404
        outcome.sign_off(request.user)
        outcome.questionnaire.record_change(None)
        self.message_user(
            request,
            _("“%(title)s” is signed off by you. The questionnaire's draft needs approval.")
            % {"title": outcome.title},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:conditions_outcome_change", args=[outcome.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_sign_off": can_review(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            obj.lapse_sign_off(form.changed_data)
        super().save_model(request, obj, form, change)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "conditions":
            kwargs["queryset"] = Condition.objects.working_copies()
        return super().formfield_for_manytomany(db_field, request, **kwargs)
