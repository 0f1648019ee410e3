"""Text pasted into the article editor: Markdown fields are cleaned, plain-text fields refuse
markup (issue 14).

`PastedTextMixin` goes on a ModelForm and names its fields:
- `markdown_fields`: pasted HTML or Word text becomes Markdown (conditions/cleaning.py: lists
  stay lists, headings stay headings); what was removed or converted is kept on the form and
  shown in an admin message after the save (`report_cleaning`).
- `plain_fields` (and `line_fields`, one entry per line): markup is refused with a form error
  that names the field and says what to do, so patients never see literal tags.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from conditions import cleaning


class PastedTextMixin:
    markdown_fields: tuple[str, ...] = ()
    plain_fields: tuple[str, ...] = ()
    line_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        self.cleaning_notes = []
        for name in self.markdown_fields:
            value = cleaned.get(name)
            if not value:
                continue
            result = cleaning.clean_markdown(value)
            if result.text != value.strip():
                cleaned[name] = result.text
            if result.notes():
                self.cleaning_notes.append((self.fields[name].label, result.notes()))
        for name in (*self.plain_fields, *self.line_fields):
            value = cleaned.get(name)
            if not value or name not in self.fields:
                continue
            problem = cleaning.markup_problem(
                value,
                str(self.fields[name].label).capitalize(),
                allow_lines=name in self.line_fields,
            )
            if problem:
                self.add_error(name, problem)
        return cleaned


def _named(form) -> str:
    instance = getattr(form, "instance", None)
    return str(instance) if instance is not None and str(instance) else _("the article")


def report_cleaning(request, form, formsets) -> None:
    """After a save: one message naming what the cleaning removed or converted, per field."""
    items = []
    forms_ = [form] + [f for formset in formsets for f in formset.forms]
    for item in forms_:
        for label, notes in getattr(item, "cleaning_notes", []):
            items.append((_named(item), str(label), "; ".join(notes)))
    if not items:
        return
    messages.warning(
        request,
        format_html(
            "{}<ul>{}</ul>",
            _("Pasted text was cleaned before saving. Please check:"),
            format_html_join("", "<li>“{}”, {}: {}</li>", items),
        ),
    )


class SectionForm(PastedTextMixin, forms.ModelForm):
    markdown_fields = ("body",)
    plain_fields = ("heading",)


class FAQForm(PastedTextMixin, forms.ModelForm):
    markdown_fields = ("answer",)
    plain_fields = ("question",)


class CareAdviceForm(PastedTextMixin, forms.ModelForm):
    markdown_fields = ("signs",)
    plain_fields = ("action",)


class ClinicalCodeForm(PastedTextMixin, forms.ModelForm):
    plain_fields = ("display",)


class ReferenceForm(PastedTextMixin, forms.ModelForm):
    plain_fields = ("title", "publisher")
