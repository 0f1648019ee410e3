from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import ProblemReport

# What a patient may type; the stored note is scrubbed and cut to NOTE_MAX_LENGTH.
TYPED_MAX = 2000


class HelpfulForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])


class NoteForm(forms.Form):
    answer = forms.CharField(max_length=400)
    note = forms.CharField(
        label=_("What was missing or wrong? (optional)"),
        required=False,
        max_length=TYPED_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is the problem?"),
        choices=ProblemReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of problem it is.")},
    )
    note = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=TYPED_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
