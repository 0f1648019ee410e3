"""The admin's "Import a text" page: paste or upload a text, get a draft article.

The same importer as `manage.py import_article` (conditions/importer.py reads, conditions/
drafts.py writes): one importer, two front doors. The logged-in user is recorded as the
author. A title that names an existing article asks first whether to replace that article's
draft text or to make a separate draft. Bad files get a 400 and a message, never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conditions import drafts, importer
from conditions.admin.review import html_list

PASTED = "pasted text"


class ImportTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90}),
        help_text=gettext_lazy(
            "From a web page, Word or a plain-text file. Put each section heading on its own "
            "short line (or use # headings)."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Or upload a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,.docx"}),
        help_text=gettext_lazy("Plain text (.txt), Markdown (.md) or Word (.docx), up to 2 MB."),
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)
    removed = forms.CharField(widget=forms.HiddenInput, required=False)
    choice = forms.CharField(required=False)

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if self.errors:
            return cleaned
        if upload is not None and text.strip():
            raise forms.ValidationError(_("Paste a text or upload a file, not both."))
        try:
            if upload is not None:
                if upload.size > importer.MAX_BYTES:
                    raise importer.ImportProblem("the file is too large for an article (over 2 MB)")
                self.article = importer.read_file(upload.name, upload.read())
                self.source = upload.name
            elif text.strip():
                kept = [line for line in cleaned.get("removed", "").split("\n") if line]
                self.article = importer.parse_text(text, kept)
                self.source = cleaned.get("source") or PASTED
            else:
                raise forms.ValidationError(_("Paste a text or choose a file to import."))
        except importer.ImportProblem as problem:
            field = "file" if upload is not None else "text"
            self.add_error(field, _("This text cannot be imported: %(why)s.") % {"why": problem})
        return cleaned


def dropped_html(article: importer.ImportedArticle):
    lines = article.dropped() + [f"converted: {what}" for what in article.converted]
    if not lines:
        return _("Nothing was dropped.")
    return html_list(lines, _("Left out or changed, please check:"))


def import_text_view(model_admin, request):
    """GET: the form. POST: a draft (redirect to it), or the question what to do with a title
    that names an existing article, or the form again with what is wrong (400)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    opts = model_admin.model._meta
    form = ImportTextForm(request.POST or None, request.FILES or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": _("Import a text"),
        "form": form,
        "matches": [],
    }
    template = "admin/conditions/condition/import.html"
    if request.method != "POST":
        return TemplateResponse(request, template, context)
    if not form.is_valid():
        return TemplateResponse(request, template, context, status=400)

    article, source = form.article, form.source
    matches = drafts.matching_conditions(article.title)
    choice = form.cleaned_data["choice"]
    updatable = {
        str(m.pk): m
        for m in matches
        if model_admin.has_change_permission(request, m) and not drafts.update_problem(m)
    }
    if matches and not choice:
        # Ask first. The text (a file: its cleaned text) is carried in the form.
        data = request.POST.copy()
        data.update(
            {
                "text": article.source_text,
                "source": source,
                "removed": "\n".join(article.removed_markup),
            }
        )
        context.update(
            form=ImportTextForm(data),
            article=article,
            dropped=dropped_html(article),
            matches=[(m, str(m.pk) in updatable) for m in matches],
            new_name=drafts.unique_name_and_slug(article.title)[0],
        )
        return TemplateResponse(request, template, context)
    try:
        if choice and choice != "new":
            condition = updatable.get(choice)
            if condition is None:
                form.add_error(None, _("Choose one of the articles shown, or a separate draft."))
                return TemplateResponse(request, template, context, status=400)
            condition = drafts.update_draft(condition, article, source, by=request.user)
            done = _(
                "The draft of “%(name)s” now has the imported text from %(source)s. Patients "
                "still see the live page until a reviewer approves this draft."
            )
        else:
            condition = drafts.create_draft(article, source, author=request.user)
            done = _("“%(name)s” was imported from %(source)s as a draft. Nothing is published.")
    except drafts.DraftProblem as problem:
        form.add_error(None, str(problem))
        return TemplateResponse(request, template, context, status=400)
    messages.success(request, done % {"name": condition.name, "source": source})
    level = messages.WARNING if article.dropped() else messages.INFO
    messages.add_message(request, level, dropped_html(article))
    return HttpResponseRedirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[condition.pk])
    )
