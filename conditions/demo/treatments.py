"""Demo content: the milia treatment comparison (every option from the content notes, §3).

Facts and sources come from /shared/content-notes/milia.md; the sentences are written fresh in
plain language. Evidence levels follow the notes' key: C -> consensus and case series,
C- -> case reports only, D -> no evidence found, X -> evidence of harm. No randomised trials
were found for any milia treatment, so nothing is rated higher than consensus.

`load(author, reviewer)` is idempotent (an existing comparison is left alone; refresh=True
writes back the demo values that differ, and nothing else) and expects the milia
condition (slug "milia") to exist already: conditions.demo.articles creates it.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from conditions.demo.sources import SOURCES
from conditions.models import (
    ComparisonRow,
    Condition,
    CostBand,
    EvidenceLevel,
    Recommendation,
    Reference,
    Setting,
    Status,
    Suitability,
    Treatment,
    TreatmentComparison,
)

NEXT_REVIEW_DUE = datetime.date(2027, 11, 1)

E, C, S, R = EvidenceLevel, CostBand, Suitability, Recommendation

# Sources (conditions.demo.sources), matched to the condition's references by URL and
# created if missing. Only the authoritative sources from the notes; no clinic or shop pages.
REFERENCES = {
    key: SOURCES[key]
    for key in [
        "cc",
        "cc_treatment",
        "cc_prevention",
        "cc_outlook",
        "dermnet",
        "statpearls",
        "medscape_peds_treatment",
        "medscape_workup",
        "nhs_ht_baby_rash",
        "gpnotebook",
        "gponline",
        "nhs_cryo",
        "aad_sunscreen",
        "peel_complications",
        "periocular_laser",
        "steroid_milia",
        "mem_case",
        "acv_burn",
    ]
}

# (slug, name, setting, who does it, plain description)
TREATMENTS = {
    "no-treatment": (
        "No treatment: wait and see",
        Setting.HOME,
        "You, or your baby's parent or carer",
        "Leave the spots alone and keep washing the skin gently as usual.",
    ),
    "gentle-skin-care": (
        "Gentle skin care",
        Setting.HOME,
        "You",
        "Use light products instead of thick creams, protect the skin from the sun, and wash "
        "babies with water and a mild soap only.",
    ),
    "pharmacy-exfoliant": (
        "Exfoliating skin products from a pharmacy",
        Setting.PHARMACY,
        "You, with advice from a pharmacist",
        "Skin products with mild acids called AHA and BHA (short for alpha and beta hydroxy "
        "acids). They help dead skin cells come away.",
    ),
    "prescription-retinoid": (
        "Prescription retinoid cream or gel",
        Setting.GP,
        "A GP or dermatologist prescribes it; you put it on at home",
        "A vitamin A cream or gel, such as tretinoin or adapalene, put on at night.",
    ),
    "de-roofing": (
        "De-roofing and extraction by a clinician",
        Setting.GP,
        "A doctor or nurse",
        "A clinician makes a tiny opening in the top of the spot with a sterile needle or "
        "blade and presses the contents out.",
    ),
    "electrosurgery": (
        "Electrosurgery (electrodesiccation or curettage)",
        Setting.DERMATOLOGIST,
        "A doctor or trained nurse",
        "A weak electric current dries out and opens the top of the spot (this is called "
        "electrodesiccation). The contents are scraped out with a small spoon-shaped tool (this "
        "is called curettage) or left to come away.",
    ),
    "cryotherapy": (
        "Cryotherapy (freezing)",
        Setting.GP,
        "A doctor or nurse",
        "Very cold liquid nitrogen freezes the spot for a few seconds. A blister forms and "
        "then peels off.",
    ),
    "chemical-peel": (
        "Chemical peel",
        Setting.DERMATOLOGIST,
        "A dermatologist or trained practitioner",
        "A strong acid is put on the skin to remove its top layers.",
    ),
    "dermabrasion": (
        "Dermabrasion",
        Setting.DERMATOLOGIST,
        "A dermatologist",
        "The top layers of the skin are sanded away with a special tool.",
    ),
    "microdermabrasion": (
        "Microdermabrasion and facials",
        Setting.AESTHETIC,
        "An aesthetic practitioner",
        "A light, surface-only sanding or polishing of the skin in a beauty or aesthetic clinic.",
    ),
    "laser-ablation": (
        "Laser ablation",
        Setting.DERMATOLOGIST,
        "A dermatologist or laser specialist",
        "A strong laser (such as CO2 or erbium) burns away the top of the spot or the skin "
        "around it.",
    ),
    "minocycline": (
        "Minocycline tablets",
        Setting.DERMATOLOGIST,
        "A doctor prescribes a course of tablets",
        "An antibiotic taken by mouth, used for one rare type of milia.",
    ),
    "treat-the-cause": (
        "Treating the underlying cause",
        Setting.GP,
        "A GP or dermatologist",
        "Finding and treating what caused the milia, such as a blistering skin disease or "
        "long-term use of a steroid cream.",
    ),
    "steroid-injection": (
        "Steroid injections into the spots",
        Setting.AESTHETIC,
        "Suggested by some websites; no medical reference lists it",
        "A steroid medicine injected into each spot.",
    ),
    "squeezing-at-home": (
        "Squeezing or picking at home",
        Setting.HOME,
        "You",
        "Squeezing, picking or digging at the spots with fingers, tweezers or a tool, "
        "sometimes after steaming the face.",
    ),
    "pore-strips-scrubbing": (
        "Pore strips and harsh scrubbing",
        Setting.HOME,
        "You",
        "Sticky strips pulled off the skin, or rough scrubs rubbed hard on the face.",
    ),
    "apple-cider-vinegar": (
        "Home remedies such as apple cider vinegar",
        Setting.HOME,
        "You",
        "Putting apple cider vinegar, baking soda paste, coconut oil or warm compresses on "
        "the spots, or changing diet or drinking more water to clear them.",
    ),
    "milia-remover-creams": (
        "Creams sold as milia removers",
        Setting.HOME,
        "You, with a product bought online or in a shop",
        "Creams advertised as removing milia.",
    ),
}

# One dict per row, in the order patients see them (Option Grid: waiting first).
ROWS = [
    {
        "treatment": "no-treatment",
        "involves": "Nothing to do. Keep washing the skin gently. Do not squeeze the spots.",
        "effectiveness": (
            "Newborn milia clear on their own, usually in about 4 weeks. In older children and "
            "adults they can take months, or stay. Milia that follow skin damage may not go away."
        ),
        "evidence": E.CONSENSUS,
        "pain": "None",
        "downtime": "None",
        "risks": "None. Milia are harmless. The spots may stay for a while.",
        "cost": C.FREE,
        "near_eyes": S.YES,
        "children": S.YES,
        "babies": S.YES,
        "recommendation": R.RECOMMENDED,
        "reason": ("Milia are harmless and often go away. For babies, waiting is the best choice."),
        "references": ["nhs_ht_baby_rash", "statpearls", "cc_outlook"],
    },
    {
        "treatment": "gentle-skin-care",
        "involves": (
            "Swap thick creams and ointments for light ones. Protect your skin from the sun. "
            "For babies: warm water and a mild soap, pat dry, no adult lotions or oils, and keep "
            "babies under 6 months out of direct strong sunlight."
        ),
        "effectiveness": (
            "Does not remove milia you already have. It may help stop new ones that come from "
            "heavy creams or sun damage."
        ),
        "evidence": E.CONSENSUS,
        "pain": "None",
        "downtime": "None",
        "risks": "Very few.",
        "cost": C.LOW,
        "near_eyes": S.YES,
        "children": S.YES,
        "babies": S.YES,
        "recommendation": R.RECOMMENDED,
        "reason": "Safe for everyone, and it may prevent some new milia.",
        "references": ["cc_prevention", "cc_treatment", "aad_sunscreen"],
    },
    {
        "treatment": "pharmacy-exfoliant",
        "involves": "Use a mild acid skin product regularly, as the label says.",
        "effectiveness": (
            "May help a little over several weeks. The evidence is weak: reference texts say "
            "adults can try it, but we found no studies."
        ),
        "evidence": E.WEAK,
        "pain": "May sting a little",
        "downtime": "None",
        "risks": "Redness, dryness and irritation. It stings if it gets in the eyes.",
        "cost": C.LOW,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "Adults may try it. Not for babies, and keep it away from the eyes.",
        "references": ["cc_treatment"],
    },
    {
        "treatment": "prescription-retinoid",
        "involves": "Put a thin layer on the skin at night for several weeks.",
        "effectiveness": (
            "Helps when there are many milia. It works slowly: expect to wait weeks."
        ),
        "evidence": E.CONSENSUS,
        "pain": "Mild stinging",
        "downtime": "None, but the skin may peel",
        "risks": (
            "Redness, peeling, stinging and skin that burns more easily in the sun. Tell the "
            "prescriber if you are pregnant, planning a pregnancy or breastfeeding."
        ),
        "cost": C.LOW,
        "near_eyes": S.NO,
        "children": S.WITH_CARE,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "A choice for widespread milia. Not for newborn milia, which clear by themselves.",
        "references": ["cc_treatment", "dermnet", "medscape_peds_treatment"],
    },
    {
        "treatment": "de-roofing",
        "involves": "A tiny nick in each spot, then the white core is pressed out. Takes minutes.",
        "effectiveness": (
            "Works straight away. A spot that has been removed almost never comes back, but new "
            "ones can appear."
        ),
        "evidence": E.CONSENSUS,
        "pain": "A brief sharp prick; most people do not need numbing",
        "downtime": "A pin-prick scab for a few days",
        "risks": "Small risk of a tiny pitted scar, a darker mark, or infection.",
        "cost": C.MEDIUM,
        "near_eyes": S.WITH_CARE,
        "children": S.WITH_CARE,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": (
            "The usual first choice if you want milia removed. On the eyelids, only an "
            "experienced specialist should do it."
        ),
        "references": ["dermnet", "medscape_peds_treatment", "gpnotebook"],
    },
    {
        "treatment": "electrosurgery",
        "involves": "A fine probe touches each spot. Numbing cream or an injection may be used.",
        "effectiveness": "Works well, including when there are many spots.",
        "evidence": E.CONSENSUS,
        "pain": "Some discomfort; numbing is often used",
        "downtime": "A few days",
        "risks": "Darker or lighter marks (more likely on darker skin) and small pitted scars.",
        "cost": C.MEDIUM,
        "near_eyes": S.WITH_CARE,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "Useful for many spots. Take care near the eyes and on darker skin.",
        "references": ["dermnet", "gponline"],
    },
    {
        "treatment": "cryotherapy",
        "involves": "Each spot is frozen for a few seconds. It may need repeating.",
        "effectiveness": "Works, but may need more than one session.",
        "evidence": E.CONSENSUS,
        "pain": "Stings during freezing and for a while after",
        "downtime": "1 to 3 weeks for the blister to heal",
        "risks": (
            "A blister, which may be large or dark. Lighter or darker patches (more visible on "
            "darker skin), numbness, and rarely a scar. Freezing can itself cause new milia."
        ),
        "cost": C.MEDIUM,
        "near_eyes": S.WITH_CARE,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "An option, used carefully. Extra care on the eyelids and on darker skin.",
        "references": ["cc_treatment", "dermnet", "gpnotebook", "nhs_cryo"],
    },
    {
        "treatment": "chemical-peel",
        "involves": "An acid is painted on the face and then removed. Often several sessions.",
        "effectiveness": "Reported to help only when milia are very widespread.",
        "evidence": E.CASE_REPORTS,
        "pain": "Burning or stinging during the peel",
        "downtime": "Days for a light peel; weeks for a deep one",
        "risks": (
            "Redness, dark patches (more likely on darker skin), scarring, and cold sores coming "
            "back. Deeper peels can cause new milia."
        ),
        "cost": C.HIGH,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "Only for very widespread milia, after talking it through with a dermatologist.",
        "references": ["dermnet", "peel_complications"],
    },
    {
        "treatment": "dermabrasion",
        "involves": "The skin is numbed and its top layers are sanded away.",
        "effectiveness": "Reported to help only when milia are very widespread.",
        "evidence": E.CASE_REPORTS,
        "pain": "Done under numbing; sore afterwards",
        "downtime": "Days to weeks",
        "risks": "Irritation, colour changes and scarring. Dermabrasion itself often causes milia.",
        "cost": C.HIGH,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "Only for very widespread milia. It can also cause new milia.",
        "references": ["dermnet", "medscape_workup"],
    },
    {
        "treatment": "microdermabrasion",
        "involves": "A machine polishes the surface of the skin. Usually a course of sessions.",
        "effectiveness": "We found no good evidence that it removes or prevents milia.",
        "evidence": E.NONE,
        "pain": "Mild",
        "downtime": "A day of redness",
        "risks": "Redness and irritation.",
        "cost": C.MEDIUM,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.NOT_RECOMMENDED,
        "reason": (
            "No evidence that it helps milia. Milia sit under the surface, below what light "
            "polishing reaches."
        ),
        "references": ["dermnet", "medscape_workup"],
    },
    {
        "treatment": "laser-ablation",
        "involves": "Eye shields are worn, the skin is numbed, and a laser treats each area.",
        "effectiveness": (
            "Reported to help very widespread milia and one rare type (milia en plaque), mostly "
            "in single-patient reports. It is not the quick, painless fix some adverts claim."
        ),
        "evidence": E.CASE_REPORTS,
        "pain": "Done under numbing; sore afterwards",
        "downtime": "Days to weeks",
        "risks": (
            "Redness that lasts, lighter or darker skin, scarring and infection. Near the eye it "
            "can pull the lower eyelid down or injure the eye. It can also cause new milia."
        ),
        "cost": C.HIGH,
        "near_eyes": S.WITH_CARE,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": (
            "Only for very widespread or unusual milia. Near the eyes, only a specialist using "
            "eye protection."
        ),
        "references": ["dermnet", "periocular_laser"],
    },
    {
        "treatment": "minocycline",
        "involves": "A course of antibiotic tablets from a doctor.",
        "effectiveness": (
            "May help milia en plaque, a rare type where milia sit on a raised red patch. It "
            "does not help ordinary milia."
        ),
        "evidence": E.CASE_REPORTS,
        "pain": "None",
        "downtime": "None",
        "risks": "The side effects of an antibiotic. The doctor who prescribes it will explain them.",
        "cost": C.MEDIUM,
        "near_eyes": S.YES,
        # Tetracycline antibiotics are not given to young children (they stain growing teeth),
        # and milia en plaque is a condition of adults.
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.OPTION,
        "reason": "Only for milia en plaque, which a dermatologist diagnoses.",
        "references": ["cc", "dermnet"],
    },
    {
        "treatment": "treat-the-cause",
        "involves": (
            "A check for what caused the milia, then treatment: for example stopping a "
            "long-term steroid cream, or treating a blistering skin disease."
        ),
        "effectiveness": ("Stops new milia forming. The ones you already have may stay."),
        "evidence": E.CONSENSUS,
        "pain": "Depends on the cause",
        "downtime": "Depends on the cause",
        "risks": "Depends on the cause and its treatment.",
        "cost": C.LOW,
        "near_eyes": S.YES,
        "children": S.YES,
        "babies": S.NO,
        "recommendation": R.RECOMMENDED,
        "reason": (
            "If milia come from another skin problem or a medicine, this matters most. See a GP "
            "if milia appear where you had blisters or after a new medicine."
        ),
        "references": ["medscape_workup", "steroid_milia"],
    },
    {
        "treatment": "steroid-injection",
        "involves": "A steroid is injected into each spot.",
        "effectiveness": "No good evidence. In one reported case it did not work.",
        "evidence": E.HARM,
        "pain": "Injections sting",
        "downtime": "A few days",
        "risks": "Steroids can thin the skin, and long-term steroid use is linked to causing milia.",
        "cost": C.MEDIUM,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.NOT_RECOMMENDED,
        "reason": "No medical reference lists it as a treatment, and steroids can cause milia.",
        "references": ["mem_case", "steroid_milia"],
    },
    {
        "treatment": "squeezing-at-home",
        "involves": "Trying to push the spot out yourself.",
        "effectiveness": (
            "Does not work. Milia have no opening, so there is nothing to squeeze out. Steaming "
            "does not open them."
        ),
        "evidence": E.HARM,
        "pain": "Painful",
        "downtime": "Days to weeks if the skin is damaged",
        "risks": "Scars (which can be permanent), infection and bruising.",
        "cost": C.FREE,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.NOT_RECOMMENDED,
        "reason": (
            "It can scar the skin or cause an infection. Never do it on a baby or near the eyes."
        ),
        "references": ["cc_treatment", "cc_outlook"],
    },
    {
        "treatment": "pore-strips-scrubbing",
        "involves": "Sticking strips on the skin and pulling them off, or scrubbing hard.",
        "effectiveness": (
            "Does not work. Strips only lift things from open pores, and milia are closed."
        ),
        "evidence": E.NONE,
        "pain": "Can sting",
        "downtime": "None, unless the skin gets sore",
        "risks": "Sore, red, irritated skin.",
        "cost": C.LOW,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.NOT_RECOMMENDED,
        "reason": "It cannot reach milia and irritates the skin.",
        "references": ["cc_prevention", "cc_treatment"],
    },
    {
        "treatment": "apple-cider-vinegar",
        "involves": "Dabbing or soaking the skin with a home-made mix.",
        "effectiveness": (
            "Does not work. Milia are not caused by germs, dirt or diet, so vinegar, baking soda, "
            "diet or water cannot clear them."
        ),
        "evidence": E.HARM,
        "pain": "Vinegar can burn",
        "downtime": "Weeks if the skin is burned",
        "risks": (
            "Apple cider vinegar has caused chemical burns. Coconut oil and other heavy oils may "
            "lead to more milia."
        ),
        "cost": C.LOW,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.NOT_RECOMMENDED,
        "reason": "No benefit, and vinegar on the skin has caused burns.",
        "references": ["acv_burn", "cc_prevention"],
    },
    {
        "treatment": "milia-remover-creams",
        "involves": "Putting on a cream that claims to remove milia.",
        "effectiveness": "We found no evidence that any such cream works.",
        "evidence": E.NONE,
        "pain": "None, unless it irritates",
        "downtime": "None",
        "risks": "Irritation. Thick creams may lead to more milia. You may waste money.",
        "cost": C.MEDIUM,
        "near_eyes": S.NO,
        "children": S.NO,
        "babies": S.NO,
        "recommendation": R.NOT_RECOMMENDED,
        "reason": (
            "No evidence that they work. If a cream helps, it is one a clinician prescribes, "
            "such as a retinoid."
        ),
        "references": ["cc_prevention", "cc_treatment"],
    },
]

INTRO = (
    "Milia are harmless and often go away without treatment. If you want them removed, these "
    "are the options, side by side, with the ones we advise against and why. The NHS does not "
    "usually pay to remove milia when it is only for how they look, so removal is often private."
)


def _sync(model, lookup: dict, values: dict):
    """Create the row, or update only the fields whose value differs.

    An unchanged row is not saved at all, so loading the demo again writes no history rows
    and raises no versions. Returns the row.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.is_relation:
            current, wanted = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj._change_reason = "Demo content updated: " + ", ".join(changed)
        obj.save()
    return obj


@transaction.atomic
def load(author, reviewer, *, refresh: bool = False) -> TreatmentComparison:
    """Create the published milia treatment comparison and return it.

    Like the rest of the demo content, an existing milia comparison is left exactly as it is
    (a clinician may have edited or archived it). With refresh=True the demo values are
    written again, but only where they differ, and the comparison is published again if it
    is not live. Either way a second run with nothing to change writes nothing: no history
    rows, no raised versions.
    """
    try:
        milia = Condition.objects.get(slug="milia")
    except Condition.DoesNotExist:
        raise LookupError(
            "The milia condition (slug 'milia') does not exist yet: load the milia article "
            "first (conditions.demo.articles), then the treatment comparison."
        ) from None
    existing = TreatmentComparison.objects.filter(condition=milia).first()
    if existing is not None and not refresh:
        return existing

    references = {}
    added = False
    for index, (key, source) in enumerate(REFERENCES.items()):
        # No "link checked on" date: nobody has checked these links for the clinic yet.
        references[key], _ = Reference.objects.get_or_create(
            condition=milia,
            url=source.url,
            defaults={
                "publisher": source.publisher,
                "title": source.title,
                "year": source.year,
                "order": 100 + index,
            },
        )
        added = added or _
    if added:
        # The comparison cites these from the article's reference list: the article's new
        # version (with them) is approved first, like any change to a live article.
        milia.record_change(author)
        milia.publish(by=reviewer, attested=True)

    treatments = {}
    for slug, (name, setting, who, description) in TREATMENTS.items():
        treatments[slug] = _sync(
            Treatment,
            {"slug": slug},
            {
                "name": name,
                "setting": setting,
                "who_does_it": who,
                "description": description,
                "is_no_treatment": slug == "no-treatment",
            },
        )

    comparison = _sync(
        TreatmentComparison,
        {"condition": milia},
        {
            "intro": INTRO,
            "author": author,
            "next_review_due": NEXT_REVIEW_DUE,
        },
    )
    for order, data in enumerate(ROWS):
        fields = dict(data)
        wanted = {references[key].pk for key in fields.pop("references")}
        treatment = treatments[fields.pop("treatment")]
        row = _sync(
            ComparisonRow,
            {"comparison": comparison, "treatment": treatment},
            {**fields, "order": order * 10},
        )
        if set(row.references.values_list("pk", flat=True)) != wanted:
            row.references.set(wanted)

    # Not live, or a refresh changed the draft: like any change, approved before patients see it.
    changed = comparison.status != Status.PUBLISHED or (
        refresh and comparison.live_id and comparison.readable() != comparison.live.readable()
    )
    if changed:
        comparison.record_change(author)
        comparison.publish(by=reviewer, attested=True)
    return comparison
