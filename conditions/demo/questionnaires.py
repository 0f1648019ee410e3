"""Demo questionnaire: "White spots on the face or body" (milia), for babies, children and adults.

Written fresh from shared/content-notes/milia.md section 4 (red flags RF-1 to RF-14 and the
self-care pattern) with the corrections of milia-review-2026-12.md. Routes follow the NHS
pattern: emergency (999), urgent (today), routine (GP), self-care.

How it is built, so that the engine can stop at the first urgent answer (NHS 111 online):
- The emergency question comes straight after "who": everyone is asked it, whatever their age.
  Its answers are conditions.demo.signs.EMERGENCY_SIGNS, the list the article uses too.
- The same-day questions come next, then the routine ones: one idea per question, each a
  yes/no wherever it can be, so each answer leads to one clear outcome.
- Emergency and urgent outcomes are red flags: they win over every other answer.
- Age matters: newborn self-care says nothing about removal or sun cream; babies under 4
  weeks with blistered or painful spots get their own questions and outcome.

Product decisions no source makes are marked for clinician sign-off on their outcome
(needs_signoff + signoff_note): the 3-month cut-off (RF-4), the level for blistered or painful
spots in a baby under 4 weeks (the review note), and where spots on the genitals or in the
mouth of an older child or adult are sent. Idempotent: an existing questionnaire is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from conditions.demo import signs
from conditions.models import (
    AnswerOption,
    Condition,
    Outcome,
    OutcomeTrigger,
    Question,
    Questionnaire,
    ShowIf,
)

SLUG = "white-spots"
NEXT_REVIEW_DUE = datetime.date(2027, 11, 1)

INTRO = (
    "Answer a few questions about the white spots on your skin or your child's skin. "
    "We will tell you if they sound like milia, which are harmless, and whether you should "
    "see someone about them. If someone is very unwell, do not wait: call 999."
)

YES_NO = [("yes", "Yes"), ("no", "No")]
NONE = "none"  # the exclusive "None of these" answer

# Show-if rules, as (match, [(question, operator, answer code or number)]).
BABY = ("any", [("who", "is", "baby")])
BABY_OR_CHILD = ("any", [("who", "is", "baby"), ("who", "is", "child")])
NOT_BABY = ("any", [("who", "is_not", "baby")])
ADULT = ("any", [("who", "is", "adult")])
BABY_UNDER_4_WEEKS = ("all", [("who", "is", "baby"), ("baby-age", "lt", Decimal(4))])
NOT_BABY_UNDER_4_WEEKS = ("any", [("who", "is_not", "baby"), ("baby-age", "gte", Decimal(4))])
NEAR_THE_EYE = ("any", [("where", "is", "eyelid")])


def q(key, text, kind="yes_no", options=None, show_if=None, help_text="", **extra) -> dict:
    return {
        "key": key,
        "text": text,
        "kind": kind,
        "options": YES_NO if options is None else options,
        "show_if": show_if,
        "help_text": help_text,
        "extra": extra,
    }


QUESTIONS = [
    q(
        "who",
        "Who are the spots on?",
        "single",
        [
            ("baby", "My baby (under 1 year old)"),
            ("child", "A child (1 to 15 years old)"),
            ("adult", "Me or another adult (16 or older)"),
        ],
        error_text="Select who the spots are on",
    ),
    # -- emergency: everyone, first --------------------------------------------------------------
    q(
        "unwell",
        "Does the person with the spots have any of these right now?",
        "multiple",
        [*signs.EMERGENCY_SIGNS, (NONE, "None of these")],
        help_text=(
            "To do the glass test, press the side of a clear glass firmly on the rash. "
            "If you can still see the spots through the glass, the rash does not fade."
        ),
        error_text="Select the signs the person has now, or “None of these”",
    ),
    # -- same day ----------------------------------------------------------------------------
    q(
        "baby-age",
        "How old is your baby, in weeks?",
        "number",
        [],
        BABY,
        help_text="If you are not sure, give your best guess. There are about 4 weeks in a month.",
        min_value=Decimal(0),
        max_value=Decimal(52),
        unit="weeks",
        error_text="Enter your baby's age in weeks",
    ),
    q(
        "fever",
        "Does your child have a temperature of 38°C or higher?",
        show_if=BABY_OR_CHILD,
        error_text="Select yes if your child has a temperature of 38°C or higher",
    ),
    q(
        "feeding",
        "Is your baby feeding less than usual?",
        show_if=BABY,
        error_text="Select yes if your baby is feeding less than usual",
    ),
    q(
        "sleepy",
        "Is your child much sleepier than usual?",
        show_if=BABY_OR_CHILD,
        error_text="Select yes if your child is much sleepier than usual",
    ),
    q(
        "infection",
        "Has a spot that was squeezed or picked become red, swollen, full of pus or more painful?",
        help_text="Answer no if nobody has squeezed or picked the spots.",
        error_text="Select yes if a squeezed or picked spot has become red, swollen, full of pus or more painful",
    ),
    q(
        "newborn-blisters",
        "Are any of your baby's spots blisters (small bubbles of fluid)?",
        show_if=BABY_UNDER_4_WEEKS,
        error_text="Select yes if any of your baby's spots are blisters",
    ),
    q(
        "newborn-pain",
        "Do the spots seem to hurt your baby?",
        show_if=BABY_UNDER_4_WEEKS,
        error_text="Select yes if the spots seem to hurt your baby",
    ),
    # -- see a GP: one idea per question ----------------------------------------------------------
    q(
        "growing",
        "Is any spot growing, bleeding, crusting or scabbing, or has one not healed in 4 weeks?",
        help_text="Milia stay the same size. They do not bleed or crust.",
        error_text="Select yes if any spot is growing, bleeding, crusting or scabbing, or has not healed in 4 weeks",
    ),
    q(
        "pearly",
        "Is there one lump that looks shiny, pearly or see-through, maybe with tiny blood "
        "vessels on it?",
        show_if=NOT_BABY,
        error_text="Select yes if there is a lump that looks shiny, pearly or see-through",
    ),
    q(
        "typical",
        "Do the spots look like this: small, hard, white or pale yellow bumps, about the size "
        "of a pinhead?",
        error_text="Select yes if the spots are small, hard, white or pale yellow bumps",
    ),
    q(
        "where-baby",
        "Where are your baby's spots?",
        "multiple",
        [
            ("face", "On the face, such as the nose, cheeks, eyelids or forehead"),
            ("mouth", "Inside the mouth, on the gums or the roof of the mouth"),
            ("body", "On the scalp, body, arms or legs"),
            ("nappy", "In the nappy area"),
        ],
        BABY,
        help_text="Choose every place that has them.",
        error_text="Select where your baby's spots are",
    ),
    q(
        "where",
        "Where are the spots?",
        "multiple",
        [
            ("eyelid", "On or near an eyelid or the eye"),
            ("face", "Somewhere else on the face"),
            ("body", "On the scalp, body, arms or legs"),
            ("genitals", "On or near the genitals"),
            ("mouth", "Inside the mouth"),
        ],
        NOT_BABY,
        help_text="Choose every place that has them.",
        error_text="Select where the spots are",
    ),
    q(
        "yellow-flat",
        "Are there flat, yellow patches on the eyelids?",
        show_if=NEAR_THE_EYE,
        error_text="Select yes if there are flat, yellow patches on the eyelids",
    ),
    q(
        "skin-coloured",
        "Are the bumps near the eye skin-coloured or a little see-through, rather than white?",
        show_if=NEAR_THE_EYE,
        error_text="Select yes if the bumps near the eye are skin-coloured or a little see-through",
    ),
    q(
        "near-eye-removal",
        "Do you want spots removed from the edge of the eyelid or very close to the eye?",
        show_if=NEAR_THE_EYE,
        error_text="Select yes if you want spots removed from the edge of the eyelid or very close to the eye",
    ),
    q(
        "dimple",
        "Do any of the bumps have a small dip in the middle?",
        error_text="Select yes if any of the bumps have a small dip in the middle",
    ),
    q(
        "red-pus",
        "Are any of the spots red, or filled with yellow pus?",
        error_text="Select yes if any of the spots are red, or filled with yellow pus",
    ),
    q(
        "blisters",
        "Are any of the spots blisters, or filled with clear fluid?",
        show_if=NOT_BABY_UNDER_4_WEEKS,
        error_text="Select yes if any of the spots are blisters, or filled with clear fluid",
    ),
    q(
        "itch-pain",
        "Do the spots itch or hurt?",
        show_if=NOT_BABY_UNDER_4_WEEKS,
        error_text="Select yes if the spots itch or hurt",
    ),
    q(
        "red-patch",
        "Are the spots on a patch of skin that is red, raised or thick?",
        show_if=NOT_BABY,
        error_text="Select yes if the spots are on a patch of skin that is red, raised or thick",
    ),
    q(
        "sudden-crop",
        "Did a lot of new spots come up over a few weeks?",
        show_if=NOT_BABY,
        error_text="Select yes if a lot of new spots came up over a few weeks",
    ),
    q(
        "after-blisters",
        "Are the spots where there were blisters, a burn or a bad rash before?",
        show_if=NOT_BABY,
        error_text="Select yes if the spots are where there were blisters, a burn or a bad rash before",
    ),
    q(
        "sun-blisters",
        "Does the skin on the backs of your hands blister easily in the sun?",
        show_if=ADULT,
        error_text="Select yes if the skin on the backs of your hands blisters easily in the sun",
    ),
    q(
        "steroid-cream",
        "Has a steroid cream been used on that skin for a long time?",
        show_if=NOT_BABY,
        error_text="Select yes if a steroid cream has been used on that skin for a long time",
    ),
    q(
        "widespread",
        "Are there spots all over the body, not just in one or two places?",
        show_if=BABY_OR_CHILD,
        error_text="Select yes if there are spots all over the body",
    ),
    q(
        "other-signs",
        "Does your child also have problems with their hair, teeth, nails or sweating?",
        show_if=BABY_OR_CHILD,
        error_text="Select yes if your child also has problems with their hair, teeth, nails or sweating",
    ),
]

ALL_CONDITIONS = ["milia"]


def outcome(
    slug,
    title,
    urgency,
    priority,
    rule,
    triggers,
    explanation,
    next_steps,
    signoff_note="",
) -> dict:
    return {
        "slug": slug,
        "title": title,
        "urgency": urgency,
        "priority": priority,
        "rule": rule,
        "triggers": triggers,
        "explanation": explanation,
        "next_steps": next_steps,
        "needs_signoff": bool(signoff_note),
        "signoff_note": signoff_note,
    }


def yes(*keys: str) -> list[tuple[str, str, str]]:
    return [(key, "is", "yes") for key in keys]


OUTCOMES = [
    # -- emergency and urgent: red flags, what to do now only --------------------------------------
    outcome(
        "emergency",
        "Call 999 or go to A&E now",
        "emergency",
        100,
        "red_flag",
        [("unwell", "is", code) for code, _text in signs.EMERGENCY_SIGNS],
        "This could be a serious illness, such as meningitis or sepsis. It needs help now.",
        "- Call **999** now, or go straight to A&E.\n- Do not wait to see if the rash changes.",
    ),
    outcome(
        "urgent",
        "Get medical help today",
        "urgent",
        90,
        "red_flag",
        yes("fever", "feeding", "sleepy", "infection"),
        "This needs a doctor to check it today.",
        "- Call your GP surgery now and ask to be seen today.\n"
        "- If it is closed, call **NHS 111** or use 111 online.\n"
        "- If any of the 999 signs start, call **999**.",
    ),
    outcome(
        "newborn-sore",
        "Get medical help today",
        "urgent",
        85,
        "red_flag",
        yes("newborn-blisters", "newborn-pain"),
        "Newborn milia do not blister or hurt. A doctor should check your baby's skin today.",
        "- Call your GP surgery now and ask to be seen today.\n"
        "- If it is closed, call **NHS 111** or use 111 online.\n"
        "- If your baby seems unwell, or any of the 999 signs start, call **999**.",
        signoff_note=(
            "Level needs clinician sign-off: milia.md RF-3 says routine; NHS Greater Glasgow & "
            "Clyde rash guidance (review 2026-12) says GP or 111 today for painful or "
            "blistering rashes. Set to today, the safer of the two."
        ),
    ),
    # -- see a GP ----------------------------------------------------------------------------------
    outcome(
        "skin-check",
        "See your GP: a doctor should check this spot",
        "routine",
        70,
        "any",
        yes("growing", "pearly"),
        "Milia stay small and white. They do not grow, bleed, crust or form a shiny lump. "
        "A GP should check a spot that does, because some skin cancers start like this. "
        "It is not an emergency, but do not put it off.",
        "- Book an appointment with your GP.\n"
        "- Tell them what the spot does and how long it has been there.\n"
        "- Do not pick at the spot or try to remove it.",
    ),
    outcome(
        "sudden-crop",
        "Book a GP appointment soon",
        "routine",
        65,
        "any",
        yes("sudden-crop"),
        "A lot of new milia in a few weeks is rare. A medicine, another skin problem or a "
        "condition that runs in families can cause it. A GP should look for the cause soon.",
        "- Book a GP appointment soon.\n"
        "- Take a list of every medicine and cream you use, including new ones.\n"
        "- Do not stop a prescribed medicine without advice.",
    ),
    outcome(
        "xanthelasma",
        "See your GP: they may check your cholesterol",
        "routine",
        60,
        "any",
        yes("yellow-flat"),
        "Flat, yellow patches on the eyelids are not milia. They may be xanthelasma: small "
        "fatty deposits in the skin. They are harmless in themselves, but they are often linked "
        "with high cholesterol (fat in the blood).",
        "- Book a routine GP appointment.\n"
        "- Your GP may offer a blood test to check your cholesterol.\n"
        "- Do not try to cut, burn or squeeze the patches off.",
    ),
    outcome(
        "near-eye",
        "Ask your GP about seeing a specialist",
        "routine",
        55,
        "any",
        yes("near-eye-removal"),
        "Milia on the edge of the eyelid or very close to the eye should only be removed by an "
        "experienced skin or eye specialist. Trying it yourself can hurt the eye or leave a scar.",
        "- Do not try to remove them yourself.\n"
        "- Ask your GP if a skin or eye specialist should see you.\n"
        "- The NHS does not usually pay to remove milia for looks alone. Removal is often "
        "private, and it has small risks of scarring and infection.",
    ),
    outcome(
        "see-gp",
        "Book a GP appointment",
        "routine",
        50,
        "any",
        [
            ("typical", "is", "no"),
            *yes(
                "red-pus",
                "blisters",
                "itch-pain",
                "red-patch",
                "after-blisters",
                "sun-blisters",
                "skin-coloured",
                "dimple",
                "steroid-cream",
                "widespread",
                "other-signs",
            ),
            ("where", "is", "genitals"),
            ("where", "is", "mouth"),
            ("where-baby", "is", "nappy"),
        ],
        "Milia are small, white and firm. They do not hurt, itch or change. Something in your "
        "answers does not fit ordinary milia, or needs a closer look, so a GP should check. "
        "They may ask a skin specialist to see you.",
        "- Book a routine appointment with your GP. For a baby, you can also ask your health "
        "visitor.\n"
        "- Tell them what you noticed and when it started, and about any creams or medicines "
        "used on the skin. Do not stop a prescribed cream without advice.\n"
        "- Do not squeeze, pick or try to remove the spots.\n"
        "- If the skin becomes red, swollen, hot or painful, call your GP surgery the same day.",
        signoff_note=(
            "Three triggers need clinician sign-off: spots on the genitals, in the nappy area, "
            "and in the mouth of anyone over 1. The notes give no red flag for these sites "
            "(mouth milia are described in newborns only); sent to a GP as uncertain (RF-11)."
        ),
    ),
    outcome(
        "persistent-baby",
        "Ask your GP or health visitor to check",
        "routine",
        40,
        "all",
        [("who", "is", "baby"), ("baby-age", "gte", Decimal(13))],
        "Milia in newborn babies usually clear within the first 4 weeks. Spots that are still "
        "there when a baby is about 3 months old are worth showing to someone.",
        "- Mention the spots at your baby's next check, or ask your health visitor or GP.\n"
        "- Keep washing your baby's skin gently with warm water. Do not use adult creams.\n"
        "- Do not squeeze the spots.",
        signoff_note=(
            "The cut-off of about 3 months (13 weeks) is a product decision: no source gives it "
            "(content notes, RF-4). A clinician must confirm it."
        ),
    ),
    # -- self-care: babies apart from everyone else -------------------------------------------------
    outcome(
        "self-care-baby",
        "This sounds like newborn milia: they need no treatment",
        "self_care",
        1,
        "all",
        [("who", "is", "baby")],
        "Milia are tiny white bumps of keratin, a normal skin protein, trapped just under the "
        "skin. About half of all newborn babies have them. They are harmless, they do not hurt, "
        "and you cannot catch them. Most clear by themselves within the first 4 weeks and leave "
        "no mark. Tiny white bumps on the gums or the roof of the mouth are the same kind of "
        "harmless bump.",
        "- Leave the spots alone. Do not squeeze or pick them.\n"
        "- Wash your baby's face with warm water once a day, and pat it dry.\n"
        "- Do not put adult creams, lotions or oils on the spots.\n"
        "- Keep babies under 6 months out of direct strong sunlight.\n"
        "- Ask your health visitor or GP if the spots change, or are still there when your "
        "baby is about 3 months old.",
    ),
    outcome(
        "self-care",
        "This sounds like milia: you can look after them at home",
        "self_care",
        0,
        "default",
        [],
        "Milia are tiny, hard, white bumps of keratin, a normal skin protein, trapped just "
        "under the skin. They are harmless and you cannot catch them. In children and adults "
        "they can take months to go, and some stay.",
        "- Leave the spots alone. Do not squeeze or pick them: nothing comes out, and it can "
        "leave a scar.\n"
        "- Use a gentle face wash, and light creams rather than thick, greasy ones.\n"
        "- Protect your skin from the sun. Use a sunscreen with an SPF (sun protection factor) "
        "of 30 or more.\n"
        "- If they bother you, a doctor can remove them. The NHS does not usually pay for this "
        "when it is only for looks, so it is often done privately. It has small risks of "
        "scarring and infection.\n"
        "- See a GP if a spot grows, bleeds, crusts or has not healed in 4 weeks.",
    ),
]


# A typical milia path for each age, in the order the questions come: every answer that
# leads to self-care. For tests and demonstrations; change one answer to reach an outcome.
_ROUTINE_NO = ["dimple", "red-pus"]
SELF_CARE_PATHS: dict[str, list[tuple[str, object]]] = {
    "baby": [
        ("who", "baby"),
        ("unwell", [NONE]),
        ("baby-age", "2"),
        ("fever", "no"),
        ("feeding", "no"),
        ("sleepy", "no"),
        ("infection", "no"),
        ("newborn-blisters", "no"),
        ("newborn-pain", "no"),
        ("growing", "no"),
        ("typical", "yes"),
        ("where-baby", ["face"]),
        *[(key, "no") for key in _ROUTINE_NO],
        ("widespread", "no"),
        ("other-signs", "no"),
    ],
    "child": [
        ("who", "child"),
        ("unwell", [NONE]),
        ("fever", "no"),
        ("sleepy", "no"),
        ("infection", "no"),
        ("growing", "no"),
        ("pearly", "no"),
        ("typical", "yes"),
        ("where", ["face"]),
        *[(key, "no") for key in _ROUTINE_NO],
        *[
            (key, "no")
            for key in [
                "blisters",
                "itch-pain",
                "red-patch",
                "sudden-crop",
                "after-blisters",
                "steroid-cream",
                "widespread",
                "other-signs",
            ]
        ],
    ],
    "adult": [
        ("who", "adult"),
        ("unwell", [NONE]),
        ("infection", "no"),
        ("growing", "no"),
        ("pearly", "no"),
        ("typical", "yes"),
        ("where", ["face"]),
        *[(key, "no") for key in _ROUTINE_NO],
        *[
            (key, "no")
            for key in [
                "blisters",
                "itch-pain",
                "red-patch",
                "sudden-crop",
                "after-blisters",
                "sun-blisters",
                "steroid-cream",
            ]
        ],
    ],
}


class MissingCondition(Exception):
    pass


def _test(model, source: Question, op: str, target, options: dict, **fields):
    """A ShowIf or OutcomeTrigger row: an answer code, or a number for number questions."""
    row = model(source_question=source, operator=op, **fields)
    if isinstance(target, Decimal):
        row.number = target
    else:
        row.option = options[source.key, target]
    row.full_clean()
    row.save()
    return row


def load(author, reviewer) -> list[str]:
    """Create and publish the demo questionnaire if it does not exist; return what was made."""
    if Questionnaire.objects.filter(slug=SLUG).exists():
        return []
    conditions = list(Condition.objects.filter(slug__in=ALL_CONDITIONS))
    if len(conditions) != len(ALL_CONDITIONS):
        raise MissingCondition(
            "The demo questionnaire needs the 'milia' condition article: load "
            "conditions.demo.articles first (python manage.py load_demo_content)."
        )
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title="White spots on the face or body",
            slug=SLUG,
            intro=INTRO,
            featured=True,
            author=author,
        )
        questionnaire.conditions.set(conditions)
        questions, options = {}, {}
        for order, data in enumerate(QUESTIONS):
            show_if = data["show_if"]
            question = Question.objects.create(
                questionnaire=questionnaire,
                order=order * 10,
                key=data["key"],
                text=data["text"],
                help_text=data["help_text"],
                kind=data["kind"],
                show_if_match=show_if[0] if show_if else "any",
                **data["extra"],
            )
            question.full_clean()
            questions[data["key"]] = question
            for n, (code, option_text) in enumerate(data["options"]):
                options[data["key"], code] = AnswerOption.objects.create(
                    question=question,
                    order=n,
                    code=code,
                    text=option_text,
                    exclusive=data["kind"] == "multiple" and code == NONE,
                )
            for source, op, target in show_if[1] if show_if else []:
                _test(ShowIf, questions[source], op, target, options, question=question)
        for data in OUTCOMES:
            fields = {k: v for k, v in data.items() if k != "triggers"}
            result = Outcome.objects.create(questionnaire=questionnaire, **fields)
            result.conditions.set(conditions)
            for source, op, target in data["triggers"]:
                _test(OutcomeTrigger, questions[source], op, target, options, outcome=result)
        # publish() runs the safety check (every path of answers) and refuses, listing the
        # problems, if any path is unsafe: no need to walk the paths twice here.
        questionnaire.next_review_due = NEXT_REVIEW_DUE
        questionnaire.save()
        # The demo's example reviewer signs off the product decisions, as a clinic's clinician
        # would; the pages say this is example content awaiting the clinic's own review.
        for outcome in questionnaire.outcomes.filter(needs_signoff=True):
            outcome.sign_off(reviewer)
        questionnaire.publish(by=reviewer, attested=True)
    return [SLUG]
