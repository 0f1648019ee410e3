"""Infobutton knowledge responses as an Atom feed and as its JSON form.

The shape follows the HL7 Infobutton knowledge response (URL-based implementation guide) as
MedlinePlus Connect serves it: a feed whose categories repeat the request's criteria, with one
entry per page (title, link, id, summary, updated). Each entry also says what the portal
knows that a clinician needs: the other names patients use, the language, when a clinician
last reviewed it, and how it matched (the code itself, a broader code, the name, or a related
page). The JSON form is described by exchange/schemas/infobutton-response.schema.json.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from exchange.infobutton import Answer, Match, absolute, page_url

FEED_TITLE = "Patient information pages"
KIND_LABELS = {
    "exact": "coded with this code",
    "broader": "coded with a broader code",
    "name": "found by the name",
    "same-category": "related: coded in the same ICD-10 category",
    "same-group": "related: coded in the same ICD-10 group",
}


def _updated(match: Match) -> datetime.datetime:
    return match.condition.updated_at or timezone.now()


def _criteria(answer: Answer) -> list[tuple[str, str]]:
    request = answer.request
    pairs = [
        ("mainSearchCriteria.v.c", request.code),
        ("mainSearchCriteria.v.cs", request.system_oid if request.code else ""),
        ("mainSearchCriteria.v.dn", request.display_name),
        ("informationRecipient", request.recipient),
        ("informationRecipient.languageCode.c", request.served_language),
    ]
    return [(scheme, term) for scheme, term in pairs if term]


def entry(match: Match, language: str) -> dict:
    condition = match.condition
    data = {
        "title": {"_value": condition.name, "type": "text"},
        "link": [
            {
                "href": absolute(page_url(match)),
                "rel": "alternate",
                "type": "text/html",
                "hreflang": language,
                "title": condition.name,
            }
        ],
        "id": {"_value": absolute(condition.get_absolute_url())},
        "updated": {"_value": _updated(match).isoformat(timespec="seconds")},
        "summary": {"_value": condition.summary, "type": "text"},
        "alsoCalled": condition.synonyms,
        "language": language,
        "lastReviewed": condition.last_reviewed.isoformat() if condition.last_reviewed else None,
        "nextReviewDue": (
            condition.next_review_due.isoformat() if condition.next_review_due else None
        ),
        "exampleContent": condition.is_example,
        "match": {"kind": match.kind, "label": KIND_LABELS[match.kind]},
        "babyPart": bool(match.anchor),
    }
    if match.code is not None:
        data["match"]["code"] = {
            "system": match.code.system_uri,
            "code": match.code.code,
            "display": match.code.display,
        }
    return data


def json_response(answer: Answer, request_url: str) -> dict:
    request = answer.request
    feed = {
        "xml:lang": request.served_language,
        "title": {"_value": FEED_TITLE, "type": "text"},
        "subtitle": {"_value": subtitle(answer), "type": "text"},
        "id": {"_value": request_url},
        "updated": {"_value": timezone.now().isoformat(timespec="seconds")},
        "author": {"name": {"_value": settings.PORTAL_PUBLISHER}},
        "category": [{"scheme": scheme, "term": term} for scheme, term in _criteria(answer)],
        "language": {
            "requested": request.language or None,
            "served": request.served_language,
            "note": request.language_note or None,
        },
        "notes": request.notes,
        "entry": [entry(match, request.served_language) for match in answer.matches],
    }
    return {"feed": feed}


def subtitle(answer: Answer) -> str:
    request = answer.request
    what = request.code or request.display_name
    text = f"{len(answer.matches)} page(s) for {what}" if answer.matches else f"No page for {what}"
    return " ".join(part for part in (text + ".", request.language_note) if part)


class InfobuttonFeed(Atom1Feed):
    """Atom 1.0 with the request criteria as scheme'd categories and the entry extras."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for scheme, term in self.feed["criteria"]:
            handler.addQuickElement("category", "", {"scheme": scheme, "term": term})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("summary", item["summary"], {"type": "text"})
        for name in item["also_called"]:
            handler.addQuickElement(
                "category", "", {"scheme": "alsoCalled", "term": name, "label": name}
            )
        handler.addQuickElement(
            "category", "", {"scheme": "match", "term": item["kind"], "label": item["label"]}
        )
        if item["last_reviewed"]:
            handler.addQuickElement(
                "category", "", {"scheme": "lastReviewed", "term": item["last_reviewed"]}
            )


def atom_response(answer: Answer, request_url: str) -> bytes:
    request = answer.request
    feed = InfobuttonFeed(
        title=FEED_TITLE,
        link=absolute("/"),
        description="",
        subtitle=subtitle(answer),
        language=request.served_language,
        feed_url=request_url,
        feed_guid=request_url,
        author_name=settings.PORTAL_PUBLISHER,
        criteria=_criteria(answer),
    )
    for match in answer.matches:
        condition = match.condition
        feed.add_item(
            title=condition.name,
            link=absolute(page_url(match)),
            description=None,  # the summary below, as plain text
            unique_id=absolute(condition.get_absolute_url()),
            updateddate=_updated(match),
            summary=condition.summary,
            also_called=condition.synonyms,
            kind=match.kind,
            label=KIND_LABELS[match.kind],
            last_reviewed=condition.last_reviewed.isoformat() if condition.last_reviewed else "",
        )
    return feed.writeString("utf-8").encode("utf-8")
