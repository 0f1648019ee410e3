"""Helpers for the condition-article admin tests: users in the editorial groups, form data."""

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import UserFactory

INLINE_FIELDS = {
    "sections": ["order", "heading", "slug", "body"],
    "faqs": ["order", "question", "verdict", "answer"],
    "care_advice": ["level", "signs", "action"],
    "references": ["order", "title", "publisher", "url", "checked_on"],
    "codes": ["system", "version", "code", "display"],
    "images": ["order", "alt_text", "caption", "origin", "credit", "skin_tone"],
}


def user_in(group_name: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def change_url(condition) -> str:
    return reverse("admin:conditions_condition_change", args=[condition.pk])


def workflow_url(condition, action: str) -> str:
    return reverse("admin:conditions_condition_workflow", args=[condition.pk, action])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _value(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def form_data(condition, *, new_sections=(), **overrides) -> dict:
    """What the change form posts for `condition` as it is now, with `overrides` applied."""
    data = {
        "name": condition.name,
        "slug": condition.slug,
        "also_known_as": condition.also_known_as,
        "summary": condition.summary,
        "edit_version": condition.version,
        "author": _value(condition.author_id),
        "next_review_due": _value(condition.next_review_due),
        "related": [str(pk) for pk in condition.related.values_list("pk", flat=True)],
    }
    if condition.featured:
        data["featured"] = "on"
    for prefix, fields in INLINE_FIELDS.items():
        items = list(getattr(condition, prefix).all())
        rows = [{f: _value(getattr(item, f)) for f in fields} | {"id": item.pk} for item in items]
        if prefix == "sections":
            rows += [dict(row, id="") for row in new_sections]
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(items)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, row in enumerate(rows):
            for field, value in row.items():
                data[f"{prefix}-{i}-{field}"] = value
            data[f"{prefix}-{i}-condition"] = condition.pk
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
