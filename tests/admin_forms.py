"""Post an admin change form back as the editor sees it, with a few fields changed.

`form_as_shown(response)` reads the main form and every inline formset from a rendered admin
change page (GET) and returns the data a browser would post unchanged; tests then override the
fields they change, e.g. `data["sections-0-body"] = "New text"`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.messages import get_messages


def _value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    if isinstance(value, Decimal | int | float):
        return str(value)
    return str(getattr(value, "pk", value))


def _form_data(form, data: dict) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = _value(form[name].value())
        if value is None:
            continue
        data[form.add_prefix(name)] = value


def form_as_shown(response) -> dict:
    context = response.context_data
    data: dict = {}
    _form_data(context["adminform"].form, data)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.initial_forms:
            _form_data(form, data)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
