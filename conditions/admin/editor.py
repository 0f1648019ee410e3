"""The writing side of the shared review admin (conditions/admin/review.py): the error summary,
the panel shown beside a refused stale save, who else has the form open, the live Markdown
preview with its reading grade, and the history told as sentences.

Everything here reads forms and history records and returns plain data for the templates; the
review rules stay on the models.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from conditions import content
from conditions.models.review import ReviewEvent, _display_value, person_name

PREVIEW_MAX_CHARS = 50_000  # one field's Markdown; more is refused with a 413


def person(user) -> str:
    if user is None:
        return _("Someone")
    return person_name(user)


def reading_target() -> int:
    return getattr(settings, "READING_GRADE_TARGET", 8)


def local_time(moment) -> str:
    """10:02 today, else 3 Dec 10:02: how a colleague's start time reads."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j M Y H:i")


# -- the error summary --------------------------------------------------------------------------
def _field_errors(form, row_label: str = "") -> list[dict]:
    items = []
    for name, errors in form.errors.as_data().items():
        if name == "__all__" or name not in form.fields or form.fields[name].widget.is_hidden:
            anchor = ""
            label = row_label
        else:
            bound = form[name]
            anchor = bound.id_for_label or bound.auto_id
            label = f"{row_label}: {bound.label}" if row_label else str(bound.label)
        for error in errors:
            for message in error:
                items.append(
                    {"label": label, "message": message, "anchor": anchor, "code": error.code}
                )
    return items


def error_summary(form, inline_formsets) -> list[dict]:
    """Every error on the page, each with the id of its field, in page order: the main form,
    then each inline group (also the ones shown collapsed: Django opens a group with errors)."""
    items = _field_errors(form) if form is not None and form.is_bound else []
    for inline in inline_formsets:
        formset = inline.formset
        if not formset.is_bound:
            continue
        kind = capfirst(inline.opts.verbose_name)
        group = f"{formset.prefix}-group"
        for message in formset.non_form_errors():
            items.append(
                {"label": capfirst(inline.opts.verbose_name_plural), "message": message}
                | {"anchor": group}
            )
        for index, row in enumerate(formset.forms):
            if not row.errors:
                continue
            name = str(row.instance) if row.instance.pk else ""
            label = f"{kind} {index + 1}" + (f" (“{name}”)" if name else "")
            for item in _field_errors(row, label):
                item["anchor"] = item["anchor"] or f"{formset.prefix}-{index}"
                items.append(item)
    return items


def _model_field(obj, name: str):
    from django.core.exceptions import FieldDoesNotExist

    try:
        return obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None


# -- a refused stale save: what the saved version holds where it differs from the form ---------
def _differences(form, saved, label_prefix: str = "") -> list[dict]:
    initial = model_to_dict(saved, fields=list(form.fields))
    rows = []
    for name, field in form.fields.items():
        if name in ("edit_version", "id", "DELETE") or field.widget.is_hidden or field.disabled:
            continue
        posted = form[name].data
        if not field.has_changed(initial.get(name), posted):
            continue
        model_field = _model_field(saved, name)
        if model_field is None:  # a form-only field: nothing saved to show
            continue
        if model_field.many_to_many:
            theirs = ", ".join(sorted(str(t) for t in getattr(saved, name).all()))
        else:
            theirs = _display_value(model_field, saved)
        yours = posted if isinstance(posted, str) else ""
        rows.append(
            {
                "label": f"{label_prefix}{form[name].label}",
                "anchor": form[name].id_for_label,
                "theirs": theirs,
                "diff": text_diff(theirs, yours) if yours and theirs else None,
            }
        )
    return rows


def stale_changes(form, inline_formsets, saved) -> dict:
    """For a refused stale save: who saved last and when, and, field by field and row by row,
    the saved text wherever it differs from what this user typed (which the form keeps)."""
    history = getattr(saved, "history", None)
    last = history.order_by("-history_date").first() if history is not None else None
    rows = _differences(form, saved)
    removed = []
    for inline in inline_formsets:
        formset = inline.formset
        kind = capfirst(inline.opts.verbose_name)
        for index, row in enumerate(formset.initial_forms):
            pk = row.instance.pk
            current = formset.model._default_manager.filter(pk=pk).first() if pk else None
            if current is None:
                removed.append(f"{kind}: {row.instance}")
                continue
            rows += _differences(row, current, f"{kind} {index + 1} (“{current}”): ")
    return {
        "who": person(last.history_user) if last is not None else _("Someone else"),
        "when": local_time(last.history_date) if last is not None else "",
        "rows": rows,
        "removed": removed,
    }


# -- the live preview -----------------------------------------------------------------------
def preview(source: str) -> dict:
    """Clinician Markdown as patients will see it (the same renderer and sanitiser), its
    reading grade against the target, and the hardest sentences, marked where they appear."""
    rendered = content.render_markdown(source, citations=True)
    text = content.markdown_to_text(source)
    target = reading_target()
    grades = content.reading_grades(text)
    hard = content.hardest_sentences(text, target)
    for sentence in hard:
        escaped = html.escape(sentence.text, quote=False)
        if escaped in rendered:
            rendered = rendered.replace(escaped, f'<mark class="hard-sentence">{escaped}</mark>', 1)
    return {
        "html": mark_safe(rendered),  # noqa: S308 - sanitised by nh3; <mark> around escaped text
        "grade": grades.flesch_kincaid,
        "over": grades.over_target(target),
        "target": target,
        "sentences": grades.sentences,
        "hard": hard,
    }


# -- comparing text ----------------------------------------------------------------------------
def text_diff(old: str, new: str):
    """Words removed and added, marked up with <del> and <ins>."""
    import difflib

    old_words, new_words = old.split(), new.split()
    out = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(format_html("{}", " ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            out.append(format_html("<del>{}</del>", " ".join(old_words[a1:a2])))
        if b2 > b1:
            out.append(format_html("<ins>{}</ins>", " ".join(new_words[b1:b2])))
    return mark_safe(" ".join(str(part) for part in out))  # noqa: S308 - each part escaped


def change_html(old: str, new: str):
    """A readable change: a word diff for text of several words, "from … to …" for single
    values (a date, a choice, a code)."""
    if not old:
        return format_html("<ins>{}</ins>", new) if new else ""
    if not new:
        return format_html("{} <del>{}</del>", _("removed"), old)
    if len(old.split()) > 2 and len(new.split()) > 2:
        return text_diff(old, new)
    return format_html("{} <del>{}</del> {} <ins>{}</ins>", _("from"), old, _("to"), new)


# -- history as sentences ---------------------------------------------------------------------
_SKIP_FIELDS = {"id", "source", "search_text", "reading_grade", "smog_grade"}


def _record_value(record, name: str) -> str:
    try:
        return _display_value(record._meta.get_field(name), record)
    except Exception:  # noqa: BLE001 - a link to a row since deleted
        return ""


def _field_label(record, name: str) -> str:
    try:
        return str(record._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001
        return name


def _changes(record, previous, skip) -> list[tuple[str, object]]:
    delta = record.diff_against(previous).changes
    out = []
    for change in delta:
        name = change.field
        if name in skip or name.endswith("_html") or name in _SKIP_FIELDS:
            continue
        old, new = _record_value(previous, name), _record_value(record, name)
        if old == new:
            continue
        out.append((_field_label(record, name), change_html(old, new)))
    return out


def history_sentences(item, limit: int = 100) -> list[dict]:
    """What happened to the item, newest first, as sentences: "Grace Hopper changed the
    summary", "Ada added the section “Treatment”", "Bob approved and published version 4";
    each change to text with its words removed and added."""
    entries = []
    kind = str(item._meta.verbose_name)
    skip = set(item.WORKFLOW_FIELDS) | set(item.DERIVED_FIELDS)
    records = item.history.select_related("history_user").order_by("-history_date")
    records = list(records[: limit + 1])[::-1]  # oldest first; one more, to diff the first
    previous = None
    for record in records:
        if previous is not None or len(records) <= limit:
            entries += _item_sentences(record, previous, kind, skip)
        previous = record
    for part in item.review_parts():
        history = getattr(part.model, "history", None)
        if history is None or part.path != part.parent:
            continue
        part_records = (
            history.filter(**{f"{part.parent}_id": item.pk})
            .select_related("history_user")
            .order_by("-history_date")
        )
        part_records = list(part_records[:limit])[::-1]
        last_of_row: dict = {}  # row id -> its record before this one
        for record in part_records:
            entries += _part_sentences(
                record, last_of_row.get(record.id), part.model._meta.verbose_name, part.parent
            )
            last_of_row[record.id] = record
    entries += _event_sentences(item)
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def _item_sentences(record, previous, kind: str, skip) -> list[dict]:
    who = person(record.history_user)
    if record.history_type == "+" or previous is None:
        sentence = _("%(who)s created the %(kind)s “%(name)s”.") % {
            "who": who,
            "kind": kind,
            "name": record.history_object,
        }
        return [{"at": record.history_date, "sentence": sentence}]
    return [
        {
            "at": record.history_date,
            "sentence": _("%(who)s changed the %(field)s:") % {"who": who, "field": label},
            "diff": diff,
        }
        for label, diff in _changes(record, previous, skip)
    ]


def _part_sentences(record, previous, kind, parent: str) -> list[dict]:
    values = {"who": person(record.history_user), "kind": kind, "name": record.history_object}
    if record.history_type == "+":
        return [
            {
                "at": record.history_date,
                "sentence": _("%(who)s added the %(kind)s “%(name)s”.") % values,
            }
        ]
    if record.history_type == "-":
        return [
            {
                "at": record.history_date,
                "sentence": _("%(who)s removed the %(kind)s “%(name)s”.") % values,
            }
        ]
    if previous is None:
        previous = record.prev_record  # its earlier record fell outside the window
    if previous is None:
        return []
    return [
        {
            "at": record.history_date,
            "sentence": _("%(who)s changed the %(field)s of the %(kind)s “%(name)s”:")
            % (values | {"field": label}),
            "diff": diff,
        }
        for label, diff in _changes(record, previous, {parent})
    ]


def _event_sentences(item) -> list[dict]:
    out = []
    approvals = 0
    for event in reversed(list(item.events())):  # oldest first, to number the versions
        who = person(event.by)
        action = ReviewEvent.Action
        if event.action == action.APPROVED:
            approvals += 1
            sentence = _("%(who)s approved and published version %(n)s.") % {
                "who": who,
                "n": approvals,
            }
        else:
            sentence = {
                action.SUBMITTED: _("%(who)s submitted it for review."),
                action.SENT_BACK: _("%(who)s sent it back to the author:"),
                action.TAKEN_OFFLINE: _("%(who)s took it offline:"),
                action.ARCHIVED: _("%(who)s archived it."),
                action.REVERTED: _("%(who)s made a new draft from an earlier version:"),
            }.get(event.action, "%(who)s " + str(event.get_action_display())) % {"who": who}
        entry = {"at": event.at, "sentence": sentence}
        if event.comment:
            entry["comment"] = event.comment
        out.append(entry)
    return out
