"""Demo questionnaire: "White spots on the face or body" (milia), for babies, children and adults.

Written fresh from shared/content-notes/milia.md section 4 (red flags RF-1 to RF-14 and the
self-care pattern). Routes follow the NHS pattern: emergency, urgent, routine, self-care.
The one product-decision threshold (RF-4, "still there after about 3 months") sits in its own
outcome marked for clinician sign-off. Idempotent: an existing questionnaire is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from conditions import safety
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
LAST_REVIEWED = datetime.date(2026, 11, 1)
NEXT_REVIEW_DUE = datetime.date(2027, 11, 1)

INTRO = (
    "Answer a few questions about the white spots on your skin or your child's skin. "
    "We will tell you if they sound like milia, which are harmless, and whether you should "
    "see someone about them."
)

YES_NO = [("yes", "Yes"), ("no", "No")]

# (key, text, help text, kind, options [(code, text)], show-if (match, [(question, code)]), extra)
QUESTIONS = [
    (
        "who",
        "Who are the spots on?",
        "",
        "single",
        [
            ("baby", "My baby (under 1 year old)"),
            ("child", "A child (1 to 15 years old)"),
            ("adult", "Me or another adult (16 or older)"),
        ],
        None,
        {},
    ),
    (
        "baby-age",
        "How old is your baby, in weeks?",
        "If you are not sure, give your best guess. There are about 4 weeks in a month.",
        "number",
        [],
        ("any", [("who", "baby")]),
        {"min_value": Decimal(0), "max_value": Decimal(52), "unit": "weeks"},
    ),
    (
        "unwell",
        "Does your child have any of these right now?",
        "To do the glass test, press the side of a clear glass firmly on the rash. "
        "If you can still see the spots through the glass, the rash does not fade.",
        "multiple",
        [
            ("no-fade", "A rash that does not fade when you press a glass on it"),
            ("breathing", "Fast breathing, or finding it hard to breathe"),
            ("colour", "Skin, lips or tongue that look pale, blue, grey or blotchy"),
            ("neck-light", "A stiff neck, or bright light hurts their eyes"),
            ("drowsy", "Very sleepy, floppy, confused or hard to wake"),
            ("none", "None of these"),
        ],
        ("any", [("who", "baby"), ("who", "child")]),
        {},
    ),
    (
        "fever",
        "Has your child had a temperature of 38°C or higher, or are they feeding less or much "
        "sleepier than usual?",
        "",
        "yes_no",
        YES_NO,
        ("any", [("who", "baby"), ("who", "child")]),
        {},
    ),
    (
        "look",
        "What do the spots look like?",
        "",
        "multiple",
        [
            ("typical", "Small, hard, white or pale yellow bumps, about the size of a pinhead"),
            ("red-pus", "Red, or filled with yellow pus"),
            ("blisters", "Blisters, or bumps filled with clear fluid"),
            ("pearly", "One shiny, pearly or see-through lump, maybe with tiny blood vessels"),
            ("changing", "A spot that grows, bleeds, crusts, or has not healed after 4 weeks"),
            ("yellow-flat", "Flat yellow patches on or near the eyelids"),
            ("dimpled", "Yellow or skin-coloured bumps with a small dip in the middle"),
            ("red-patch", "Many spots on a patch of skin that is red, raised or thick"),
            ("unsure", "None of these describe them"),
        ],
        None,
        {},
    ),
    (
        "itch-pain",
        "Do the spots itch or hurt?",
        "",
        "yes_no",
        YES_NO,
        None,
        {},
    ),
    (
        "squeezed",
        "Has anyone squeezed, picked or tried to remove the spots?",
        "",
        "yes_no",
        YES_NO,
        None,
        {},
    ),
    (
        "infection",
        "Since then, is there redness that is spreading, swelling, pus, growing pain or a "
        "temperature?",
        "",
        "yes_no",
        YES_NO,
        ("any", [("squeezed", "yes")]),
        {},
    ),
    (
        "history",
        "Do any of these apply?",
        "",
        "multiple",
        [
            ("sudden-crop", "A lot of new spots came up over a few weeks"),
            ("new-medicine", "The spots started after a new medicine"),
            (
                "after-blisters",
                "The spots are where blisters, a burn or a rash have been, or the skin "
                "blisters easily in the sun",
            ),
            ("steroid-cream", "A steroid cream has been used on that skin for a long time"),
            ("near-eye", "I want spots removed from the edge of the eyelid or close to the eye"),
            (
                "widespread",
                "The spots are all over the body, or there are also problems with hair, teeth, "
                "nails or sweating",
            ),
            ("none", "None of these"),
        ],
        None,
        {},
    ),
]

ALL_CONDITIONS = ["milia"]

# (slug, title, urgency, priority, rule, triggers [(question, op, code or number)],
#  explanation, next steps, needs_signoff, signoff_note)
OUTCOMES = [
    (
        "emergency",
        "Call 999 or go to A&E now",
        "emergency",
        100,
        "red_flag",
        [
            ("unwell", "is", "no-fade"),
            ("unwell", "is", "breathing"),
            ("unwell", "is", "colour"),
            ("unwell", "is", "neck-light"),
            ("unwell", "is", "drowsy"),
        ],
        "A child with a rash who also has one of these signs can be seriously ill, for example "
        "with meningitis or sepsis. This needs help straight away. It is not about milia.",
        "- Call **999** now, or go straight to A&E.\n"
        "- Do not wait to see if the rash changes.\n"
        "- Take your child's medicines with you if you can.",
        False,
        "",
    ),
    (
        "urgent",
        "Get medical advice today",
        "urgent",
        90,
        "red_flag",
        [("fever", "is", "yes"), ("infection", "is", "yes")],
        "A rash with a temperature, poor feeding or unusual sleepiness in a child, or signs "
        "that a squeezed spot has become infected, should be checked by a doctor today.",
        "- Call your GP surgery today and ask for an urgent appointment.\n"
        "- If it is closed, call **NHS 111** or use 111 online.\n"
        "- If your child gets worse, or has any of the emergency signs, call **999**.",
        False,
        "",
    ),
    (
        "see-gp",
        "Book an appointment with your GP",
        "routine",
        50,
        "any",
        [
            ("look", "is", "red-pus"),
            ("look", "is", "blisters"),
            ("look", "is", "pearly"),
            ("look", "is", "changing"),
            ("look", "is", "yellow-flat"),
            ("look", "is", "dimpled"),
            ("look", "is", "red-patch"),
            ("look", "is", "unsure"),
            ("itch-pain", "is", "yes"),
            ("history", "is", "sudden-crop"),
            ("history", "is", "new-medicine"),
            ("history", "is", "after-blisters"),
            ("history", "is", "steroid-cream"),
            ("history", "is", "near-eye"),
            ("history", "is", "widespread"),
        ],
        "Milia are white, painless and do not change much. Something in your answers does not "
        "fit milia, or needs a closer look. It is very likely not serious, but a GP, nurse or "
        "health visitor should check it. They may send you to a skin specialist.",
        "- Book a routine appointment with your GP, practice nurse or health visitor.\n"
        "- Tell them what you noticed and when it started.\n"
        "- Do not squeeze, pick or try to remove the spots yourself, especially near the eye.\n"
        "- If the skin becomes red, swollen, hot or painful, get advice the same day.",
        False,
        "",
    ),
    (
        "persistent-baby",
        "Ask your GP or health visitor to check",
        "routine",
        40,
        "all",
        [("who", "is", "baby"), ("baby-age", "gte", Decimal(13))],
        "Milia in newborn babies usually go away by themselves within a few weeks. Spots that "
        "are still there when a baby is about 3 months old are very likely harmless, but they "
        "are worth showing to someone.",
        "- Mention the spots at your baby's next check, or ask your health visitor or GP.\n"
        "- Keep washing your baby's skin with plain water. Do not use adult creams.\n"
        "- Do not squeeze the spots.",
        True,
        "The cut-off of about 3 months (13 weeks) is a product decision: no source gives it "
        "(content notes, RF-4). A clinician must confirm it.",
    ),
    (
        "self-care",
        "This sounds like milia: you can look after it at home",
        "self_care",
        0,
        "default",
        [],
        "Milia are tiny hard white bumps. They are made of keratin, a normal skin protein, "
        "trapped just under the skin. They are harmless and are not catching. In babies they "
        "usually go away by themselves in a few weeks. In older children and adults they can "
        "last longer.",
        "- Leave the spots alone. Do not squeeze or pick them: this does not work and can "
        "scar.\n"
        "- Wash with plain water or a gentle cleanser. Avoid thick, greasy creams on the "
        "area.\n"
        "- Use sun protection on your face.\n"
        "- If they bother you, a GP or skin specialist can remove them safely.\n"
        "- Ask for advice if the spots change, hurt, or have not gone after a few months.",
        False,
        "",
    ),
]


class MissingCondition(Exception):
    pass


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
        for order, (key, text, help_text, kind, choices, show_if, extra) in enumerate(QUESTIONS):
            question = Question.objects.create(
                questionnaire=questionnaire,
                order=order * 10,
                key=key,
                text=text,
                help_text=help_text,
                kind=kind,
                show_if_match=show_if[0] if show_if else "any",
                **extra,
            )
            question.full_clean()
            questions[key] = question
            for n, (code, option_text) in enumerate(choices):
                options[key, code] = AnswerOption.objects.create(
                    question=question, order=n, code=code, text=option_text
                )
            for source, code in show_if[1] if show_if else []:
                rule = ShowIf(
                    question=question,
                    source_question=questions[source],
                    operator="is",
                    option=options[source, code],
                )
                rule.full_clean()
                rule.save()
        for slug, title, urgency, priority, rule, triggers, why, steps, signoff, note in OUTCOMES:
            outcome = Outcome.objects.create(
                questionnaire=questionnaire,
                slug=slug,
                title=title,
                urgency=urgency,
                priority=priority,
                rule=rule,
                explanation=why,
                next_steps=steps,
                needs_signoff=signoff,
                signoff_note=note,
            )
            outcome.conditions.set(conditions)
            for source, op, target in triggers:
                trigger = OutcomeTrigger(outcome=outcome, source_question=questions[source])
                trigger.operator = op
                if isinstance(target, Decimal):
                    trigger.number = target
                else:
                    trigger.option = options[source, target]
                trigger.full_clean()
                trigger.save()
        problems = safety.safety_problems(questionnaire.spec())
        if problems:
            raise ValueError(
                "The demo questionnaire fails its safety check: " + "; ".join(problems)
            )
        questionnaire.next_review_due = NEXT_REVIEW_DUE
        questionnaire.save()
        # The demo's example reviewer signs off the product decisions, as a clinic's clinician
        # would; the pages say this is example content awaiting the clinic's own review.
        for outcome in questionnaire.outcomes.filter(needs_signoff=True):
            outcome.sign_off(reviewer)
        questionnaire.publish(by=reviewer, attested=True)
    return [SLUG]
