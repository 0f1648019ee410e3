"""What editors see: feedback and reports per page, content gaps from search, reading counts.

- Page feedback: counts per page (helpful / not helpful, this month and last) above the notes,
  each with a button that opens the page's draft (the working copy's admin page).
- Problem reports: a status per report (new, acted on, dismissed) with who set it and when.
- Content gaps (the counted searches' list): the most frequent no-result and no-click queries
  over a period, queries that now find a page marked, and "Start a draft" for each.
All of it is read-only for editors except a report's status and the draft button.
"""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from feedback.models import PageFeedback, ProblemReport, SearchTerm
from feedback.pages import kind_of

GAP_PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
GAP_ROWS = 30


def draft_url(item) -> str:
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])


def open_draft_button(item):
    if item is None:
        return "—"
    return format_html('<a class="button" href="{}">{}</a>', draft_url(item), _("Open the draft"))


def month_starts(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    return this_month, last_month


def _items(pairs) -> dict[tuple[int, int], object]:
    """Load the items behind (content_type_id, object_id) pairs, a query per kind."""
    by_type: dict[int, set[int]] = {}
    for ct, pk in pairs:
        by_type.setdefault(ct, set()).add(pk)
    found = {}
    for ct, pks in by_type.items():
        model = ContentType.objects.get_for_id(ct).model_class()
        manager = getattr(model, "all_copies", model._default_manager)
        for obj in manager.filter(pk__in=pks):
            found[(ct, obj.pk)] = obj
    return found


def feedback_per_page(today: datetime.date | None = None) -> list[dict]:
    """Helpful / not helpful this month and last, and open reports, for each page."""
    today = today or timezone.localdate()
    this_month, last_month = month_starts(today)
    counts = (
        PageFeedback.objects.filter(created__gte=last_month)
        .values("content_type", "object_id")
        .annotate(
            yes_now=Count("pk", filter=Q(helpful=True, created__gte=this_month)),
            no_now=Count("pk", filter=Q(helpful=False, created__gte=this_month)),
            yes_before=Count("pk", filter=Q(helpful=True, created__lt=this_month)),
            no_before=Count("pk", filter=Q(helpful=False, created__lt=this_month)),
            notes=Count("pk", filter=~Q(note="")),
        )
        .order_by()
    )
    reports = {
        (ct, pk): n
        for ct, pk, n in ProblemReport.objects.filter(status=ProblemReport.State.NEW)
        .values("content_type", "object_id")
        .annotate(n=Count("pk"))
        .values_list("content_type", "object_id", "n")
        .order_by()
    }
    rows = {(r["content_type"], r["object_id"]): r for r in counts}
    for key in reports:
        rows.setdefault(
            key,
            {"yes_now": 0, "no_now": 0, "yes_before": 0, "no_before": 0, "notes": 0},
        )
    items = _items(rows)
    table = []
    for key, row in rows.items():
        item = items.get(key)
        if item is None:
            continue
        kind = kind_of(item)
        table.append(
            {
                **row,
                "item": item,
                "kind": kind.label if kind else item._meta.verbose_name,
                "open_reports": reports.get(key, 0),
                "draft_url": draft_url(item),
                "notes_url": reverse("admin:feedback_pagefeedback_changelist")
                + f"?content_type__id__exact={key[0]}&object_id={key[1]}",
            }
        )
    table.sort(key=lambda r: (-r["no_now"], -r["open_reports"], -r["no_before"], str(r["item"])))
    return table


class AboutPageAdmin(admin.ModelAdmin):
    list_select_related = ("content_type",)

    @admin.display(description=gettext_lazy("page"))
    def page(self, obj):
        return obj.item or "—"

    @admin.display(description=gettext_lazy("kind"))
    def kind(self, obj):
        kind = kind_of(obj.item) if obj.item is not None else None
        return kind.label if kind else "—"

    @admin.display(description=gettext_lazy("draft"))
    def draft(self, obj):
        return open_draft_button(obj.item)

    def has_add_permission(self, request):
        return False  # only patients add feedback, through the site


@admin.register(PageFeedback)
class PageFeedbackAdmin(AboutPageAdmin):
    list_display = ("page", "kind", "helpful_label", "note", "created", "draft")
    list_filter = ("helpful", "created", "content_type")
    search_fields = ("note",)
    readonly_fields = ("page", "kind", "helpful", "note", "created", "draft")
    fields = readonly_fields
    change_list_template = "admin/feedback/pagefeedback/change_list.html"
    date_hierarchy = "created"

    @admin.display(description=gettext_lazy("helpful"), boolean=True, ordering="helpful")
    def helpful_label(self, obj):
        return obj.helpful

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        this_month, last_month = month_starts(today)
        extra = {
            "per_page": feedback_per_page(today),
            "this_month": this_month,
            "last_month": last_month,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)


@admin.register(ProblemReport)
class ProblemReportAdmin(AboutPageAdmin):
    list_display = ("page", "kind", "problem", "note", "created", "status", "decided", "draft")
    list_filter = ("status", "kind", "created")
    search_fields = ("note",)
    readonly_fields = ("page", "kind", "problem", "note", "created", "decided", "draft")
    fields = ("page", "kind", "problem", "note", "created", "draft", "status", "decided")
    actions = ("mark_acted_on", "mark_dismissed")

    @admin.display(description=gettext_lazy("problem"), ordering="kind")
    def problem(self, obj):
        return obj.get_kind_display()

    @admin.display(description=gettext_lazy("status set by"))
    def decided(self, obj):
        if not obj.status_at:
            return "—"
        who = obj.status_by.get_username() if obj.status_by else _("someone")
        when = timezone.localtime(obj.status_at).strftime("%-d %b %Y %H:%M")
        return f"{who}, {when}"

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.set_status(obj.status, request.user)  # records who and when
        else:
            super().save_model(request, obj, form, change)

    def _mark(self, request, queryset, status):
        for report in queryset:
            report.set_status(status, request.user)
        self.message_user(request, _("%(n)d report(s) marked.") % {"n": len(queryset)})

    @admin.action(description=gettext_lazy("Mark as acted on"), permissions=["change"])
    def mark_acted_on(self, request, queryset):
        self._mark(request, queryset, ProblemReport.State.ACTED_ON)

    @admin.action(description=gettext_lazy("Mark as dismissed"), permissions=["change"])
    def mark_dismissed(self, request, queryset):
        self._mark(request, queryset, ProblemReport.State.DISMISSED)


# -- content gaps --------------------------------------------------------------------------------
def gaps(start: datetime.date, end: datetime.date, limit: int = GAP_ROWS) -> dict[str, list]:
    """The most frequent no-result and no-click queries between two days (inclusive).

    Only SearchTerm rows exist to sum, and each is a query searched at least k times on its day.
    "Not opened" is a lower bound: searches with results minus results opened (a patient who
    opens two results counts twice), never below zero per day.
    """
    zero = Value(0, output_field=IntegerField())
    not_opened = Greatest(F("searches") - F("no_results") - F("opened"), zero)
    rows = (
        SearchTerm.objects.filter(day__gte=start, day__lte=end)
        .values("query")
        .annotate(
            total=Sum("searches"),
            empty=Sum("no_results"),
            unopened=Coalesce(Sum(not_opened), zero),
            days=Count("day"),
        )
        .order_by()
    )
    no_result = [r for r in rows.order_by("-empty", "query")[:limit] if r["empty"]]
    no_click = [r for r in rows.order_by("-unopened", "query")[:limit] if r["unopened"]]
    return {"no_result": no_result, "no_click": no_click}


def mark_found(rows: list[dict]) -> None:
    """What each query finds now (a page added since), and any draft started from it."""
    from conditions.models import Condition

    for row in rows:
        found = Condition.objects.search(row["query"], limit=1)
        row["finds_now"] = found[0] if found else None
        row["draft"] = (
            Condition.objects.filter(also_known_as__icontains=row["query"])
            .only("pk", "name")
            .first()
        )


@admin.register(SearchTerm)
class SearchTermAdmin(admin.ModelAdmin):
    """The counted searches are shown only as the content-gaps page."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "draft/",
                self.admin_site.admin_view(require_POST(self.start_draft_view)),
                name="feedback_searchterm_draft",
            )
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = request.GET.get("days", "30")
        days = GAP_PERIODS.get(period, 30)
        end = timezone.localdate()
        start = end - datetime.timedelta(days=days - 1)
        found = gaps(start, end)
        for rows in found.values():
            mark_found(rows)
        from conditions.models import Condition
        from feedback.counting import min_count
        from feedback.models import SearchDay

        totals = SearchDay.objects.filter(day__gte=start, day__lte=end).aggregate(
            searches=Coalesce(Sum("searches"), 0), no_results=Coalesce(Sum("no_results"), 0)
        )
        shown = SearchTerm.objects.filter(day__gte=start, day__lte=end).aggregate(
            searches=Coalesce(Sum("searches"), 0)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Content gaps: what patients search for and do not find"),
            "opts": self.model._meta,
            "periods": [(key, n) for key, n in GAP_PERIODS.items()],
            "period": str(days),
            "start": start,
            "end": end,
            "k": min_count(),
            "totals": totals,
            "rare": max(totals["searches"] - shown["searches"], 0),
            "can_add": request.user.has_perm("conditions.add_condition"),
            "condition_model": Condition._meta,
            **found,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/feedback/content_gaps.html", context)

    def start_draft_view(self, request):
        """Start a draft condition from a counted query: name and "also known as" filled in."""
        from conditions.models import Condition, Status

        if not request.user.has_perm("conditions.add_condition"):
            raise PermissionDenied
        query = request.POST.get("query", "")
        if not SearchTerm.objects.filter(query=query).exists():
            messages.error(request, _("That search is not in the counted searches."))
            return HttpResponseRedirect(reverse("admin:feedback_searchterm_changelist"))
        name, slug = _free_name(query)
        condition = Condition(
            name=name,
            slug=slug,
            also_known_as=query,
            summary=_("To be written. Patients searched for “%(query)s” and found nothing.")
            % {"query": query},
            status=Status.DRAFT,
            author=request.user,
        )
        condition._change_reason = f"Started from the content-gap search “{query}”"
        condition.save()
        condition.record_change(by=request.user)
        messages.success(
            request, _("A draft “%(name)s” was started from the search.") % {"name": name}
        )
        return HttpResponseRedirect(draft_url(condition))


def _free_name(query: str) -> tuple[str, str]:
    from conditions.models import Condition

    title = query[:1].upper() + query[1:]
    for n in range(1, 100):
        name = title if n == 1 else f"{title} ({n})"
        slug = slugify(name)[:120] or "new-condition"
        taken = Condition.all_copies.filter(Q(name__iexact=name) | Q(slug=slug)).exists()
        if not taken:
            return name[:120], slug
    raise PermissionDenied("too many drafts with this name")
