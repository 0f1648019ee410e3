"""Text pasted into the clinicians' editors (article, comparison, questionnaire and its Build page):
Markdown fields are cleaned, plain-text fields refuse markup.

`PastedTextMixin` goes on a ModelForm and names its fields:
- `markdown_fields`: pasted HTML or Word text becomes Markdown (conditions/cleaning.py: lists
  stay lists, headings stay headings); what was removed or converted is kept on the form and
  shown in an admin message after the save (`report_cleaning`; an admin gets that by
  `PastedTextAdminMixin`).
- `plain_fields` (and `line_fields`, one entry per line): markup is refused with a form error
  that names the field and says what to do, so patients never see literal tags.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from conditions import cleaning


class PastedTextMixin:
    markdown_fields: tuple[str, ...] = ()
    plain_fields: tuple[str, ...] = ()
    line_fields: tuple[str, ...] = ()
    # Where a list or a heading can go instead (a plain-text field's refusal says so).
    markup_advice: str | None = None

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
                advice=self.markup_advice,
            )
            if problem:
                self.add_error(name, problem)
        return cleaned


def _named(form) -> str:
    instance = getattr(form, "instance", None)
    name = str(instance) if instance is not None and instance.pk else ""
    return name or str(getattr(form, "cleaning_name", "")) or _("the new entry")


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


class PastedTextAdminMixin:
    """For a ModelAdmin whose form and inline forms use PastedTextMixin: after the save, one
    message names what the cleaning removed or converted."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report_cleaning(request, form, formsets)


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


# -- pictures: the chosen file survives an error elsewhere on the page -------------------------
class HeldFileWidget(forms.Widget):
    """A held upload's token in a hidden input, and, in its own visible column, which file is
    kept (a hidden field would be rendered out of sight in a tabular inline)."""

    def render(self, name, value, attrs=None, renderer=None):
        from conditions import uploads

        hidden = format_html('<input type="hidden" name="{}" value="{}">', name, value or "")
        kept = uploads.held(value) if value else None
        if not kept:
            return hidden
        return format_html(
            '{}<p class="held-file">{}</p>',
            hidden,
            _(
                "Kept from your last try: %(name)s. It is saved with the page; choose another "
                "file to replace it."
            )
            % {"name": kept[0]},
        )


class ConditionImageForm(PastedTextMixin, forms.ModelForm):
    """A picture row: alt text and caption are plain text; a file chosen on a page that comes
    back with an error (here or in another row) is held and posted back by a token."""

    plain_fields = ("alt_text", "caption")
    held_image = forms.CharField(label=_l("picture kept"), required=False, widget=HeldFileWidget)

    class Meta:
        error_messages = {
            "origin": {
                "required": _l(
                    "Say where the picture comes from: a clinic photo with the patient's "
                    "written consent, a licensed stock photo, or an illustration."
                )
            },
            "skin_tone": {
                "required": _l(
                    "Say which skin tone the picture shows, or that it is not a picture of skin."
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("origin", "skin_tone"):
            # Required, so no choice may be made for the editor: start from an empty one.
            field = self.fields.get(name)
            if field is not None and list(field.choices)[:1] != [("", "---------")]:
                field.choices = [("", "---------"), *field.choices]
        self._held_token = ""
        if not self.is_bound:
            return
        from django.core.files.uploadedfile import SimpleUploadedFile

        from conditions import uploads

        field = self.add_prefix("image")
        token = self.data.get(self.add_prefix("held_image"), "")
        if field not in self.files and token:
            kept = uploads.held(token)
            if kept:
                self.files = self.files.copy()
                self.files[field] = SimpleUploadedFile(kept[0], kept[1])
                self._held_token = token

    def clean(self):
        cleaned = super().clean()
        upload = self.files.get(self.add_prefix("image"))
        if upload is not None and not self.has_error("image") and not self._held_token:
            from conditions import uploads

            try:
                uploads.validate_image_upload(upload)
                data, _format = uploads.without_metadata(upload)
            except (forms.ValidationError, OSError, ValueError):
                return cleaned  # the model's check names the problem
            self._held_token = uploads.hold(data, upload.name)
            # Shown again if the page comes back with an error: the token rides along.
            self.data = self.data.copy()
            self.data[self.add_prefix("held_image")] = self._held_token
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit)
        if self._held_token:
            from conditions import uploads

            uploads.release(self._held_token)
            self._held_token = ""
        return instance
