"""Demo condition articles: milia in full, and short pages for its look-alikes.

Written fresh from shared/content-notes/milia.md (facts and sources carry over, the seed
texts' sentences do not). Every article is published through Condition.publish(), so the
same rules as the admin apply: reviewer, dates, references and sections.

Codes: only verified codes ship (ICD-10-CM L72.0 and SNOMED CT 254679001 for milia, both
from VisualDx). WHO ICD-10 / ICD-10-GM L72.8 and any ICD-11 code are unverified in the
notes and are deliberately left out until a coder checks them in the WHO browser.
Look-alikes: ICD-10-CM L70.0 "Acne vulgaris" and H02.6 "Xanthelasma of eyelid" are
checked against the ICD-10-CM tabular (simple-icd-10-cm, tests/exchange/test_demo_codes.py) and
coder references; SNOMED CT 11381005 "Acne" against a published OpenSAFELY acne codelist, with a
valid check digit. Still awaiting a clinical coder's sign-off like the rest. Left out, not
verified: syringoma (ICD-10-CM codes it by site, D23.1x eyelid or D23.3x face, so no one code
fits the page) and sebaceous hyperplasia (no source names its ICD-10-CM home), and any SNOMED CT
code for xanthelasma, syringoma or sebaceous hyperplasia. Searched again in December 2026: the
ICD-10-CM tabular (simple-icd-10-cm) names neither condition; the content notes give no code for
them; VisualDx's sebaceous hyperplasia page was found but its codes were not in what we could
read; the other pages found were unnamed coder blogs. So both stay uncoded: the admin's article
list and form say they need a clinical coder, and the infobutton finds them by display name.

load() is idempotent: an article whose slug (or name) already exists is left exactly as it
is, so a clinician's edits are never overwritten and a second run changes nothing.
refresh() (`load_demo_content --refresh`) brings a database loaded by an earlier version up to
date, but only for articles that are still unreviewed example content (see refresh()).
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction

from conditions.demo import signs
from conditions.demo.sources import SOURCES
from conditions.models import (
    FAQ,
    CareAdvice,
    ClinicalCode,
    Condition,
    Reference,
    Section,
    Status,
)

NEXT_REVIEW_DUE = datetime.date(2027, 11, 1)

MYTH, FACT, PARTLY = FAQ.Verdict.MYTH, FAQ.Verdict.FACT, FAQ.Verdict.PARTLY

# An inline citation in the data: [[cc, statpearls]] becomes [1, 5], the sources' places in
# the article's reference list, which the page links to (#ref-1, #ref-5).
CITE = re.compile(r"\[\[([a-z0-9_, ]+)\]\]")

_AWAITING_REVIEW = (
    "It is waiting for review by the clinic's own clinicians, so ask a nurse, GP or "
    "pharmacist if anything on it worries you. "
    "The next review is due by 1 November 2027."
)
CHECKED_NOTE = (
    "This page is example content that comes with the portal. "
    "On 1 November 2026 it was checked against the sources listed below. " + _AWAITING_REVIEW
)
# The look-alikes' sources were added after 1 November 2026 (milia-review-2026-12.md), and no
# reviewer has dated a check of them: no date is claimed.
LOOK_ALIKE_CHECKED_NOTE = (
    "This page is example content that comes with the portal. "
    "It was checked against the sources listed below. " + _AWAITING_REVIEW
)

# Admin-visible (the page's history, as the reason for publishing): never shown to patients.
# simple_history keeps at most 100 characters; the full notes are EDITOR_NOTES below.
DEMO_NOTE = "Demo content, awaiting the clinic's own clinical review: see the editor note in demo/articles.py"
DEMO_UPDATE_NOTE = (
    "Demo content updated to the portal's current version (still awaiting clinic review)"
)

MILIA = {
    "slug": "milia",
    "name": "Milia",
    "featured": True,
    # Most common first: the first three show as "Also called", the rest help search only.
    "also_known_as": [
        "milk spots",
        "milia spots",
        "milium",
        "oil seeds",
        "white spots on face",
        "hard white spots on face",
        "hard white bumps",
        "white bumps under eye",
        "tiny white bumps on skin",
        "white spots on baby's nose",
        "Epstein pearls",
        "Bohn nodules",
        "milia en plaque",
        "multiple eruptive milia",
    ],
    "summary": (
        "Milia are tiny, hard, white or yellow bumps just under the skin. "
        "Each one is a small pocket of keratin, a tough protein found in skin, hair and nails. "
        "They are harmless. They do not hurt, and you cannot catch them. "
        "About half of all newborn babies have them, but people of any age can get them. "
        "Most need no treatment. Do not squeeze them. It does not work, and it can leave a scar."
    ),
    # The sections that start a part of the article (a page of a few minutes' reading each),
    # by heading, with the part's title.
    "parts": {
        "What milia look like": "About milia",
        "Milia in newborn babies": "Milia in babies",
        "How long milia last": "How long they last, causes and diagnosis",
        "What you can do": "Looking after your skin",
        "Treatments a clinician can offer": "Treatments",
        "Is it milia or something else?": "Is it milia or something else?",
    },
    "sections": [
        (
            "What milia look like",
            """\
Milia are small, round bumps just under the top layer of skin.
They are white or a little yellow. They feel firm, like a grain of sand. [[medscape_overview]]

Most are 1 to 2 millimetres across, about the size of a pinhead.
They are rarely bigger than 3 millimetres. [[medscape_overview]]

They are most common on the face. Look around the eyes and on the eyelids, nose, cheeks and forehead.
They can also come up on the scalp, chest, back, arms, legs and genitals. [[statpearls, medscape_overview]]
You may have just one, or many in a small group.

Milia do not usually itch or hurt. [[medscape_overview]]
""",
        ),
        (
            "What milia are",
            """\
One bump is called a milium. It is a tiny cyst: a closed pocket filled with keratin.
Keratin is the tough protein in skin, hair and nails.
Dead skin cells that should flake away get trapped in the pocket instead. [[statpearls, medscape_overview]]

**Milia are not pimples.** A whitehead forms in a pore, which has an opening.
A milium has no opening to the surface. That is why you cannot squeeze it out. [[dermnet, cc_treatment]]

**Milia are not caused by germs.** There is no pus or fluid inside, only layers of keratin. [[medscape_workup]]

**Milia are not contagious.** You cannot catch them or pass them on by touch.
Touching them does not spread them to other parts of your body.

Milia are not caused by dirt or by how often you wash.
""",
        ),
        (
            "Who gets milia",
            """\
- **Newborn babies.** About 4 or 5 babies in every 10 have milia. [[cc, statpearls]]
- **Children and adults.** People of any age can get them. [[medscape_overview]]
- **Men and women** get them about equally. Two rare types are more common in women. [[cc]]
""",
        ),
        (
            "Types of milia",
            """\
Doctors sort milia into types. The type helps tell you how long they may last.
It also shows if anything else needs checking. [[cc, medscape_workup]]

- **Newborn milia** (neonatal milia). These may be there at birth. They are most common on the nose, cheeks, eyelids and scalp.
- **Primary milia.** These come up in older children and adults on skin that has not been hurt. They are often around the eyes, or on the forehead, cheeks or genitals.
- **Secondary milia.** These form as skin heals after damage. Blisters, burns, rashes, some skin treatments and sun damage can all lead to them. So can using a steroid cream for a long time, or heavy creams.
- **Milia en plaque.** This type is rare. Many milia sit together on a raised, red patch of skin. The patch is often behind an ear, or on an eyelid, cheek or jaw. It is most common in middle-aged women.
- **Multiple eruptive milia.** This type is rare too. Lots of milia appear quite fast, over weeks or months. They come up on the face, upper arms and body. Sometimes they run in families or follow a new medicine. Sometimes no cause is found. [[mem_case]]
- **Milia with an inherited skin condition.** A few rare conditions that run in families cause milia. The milia may be there at birth or come later. There are often other signs too, such as changes in the hair, teeth, nails or sweating. [[statpearls, medscape_peds_workup]]
""",
        ),
        (
            "Milia in newborn babies",
            """\
Milia are very common in newborns. They may be there at birth.
You will usually see tiny white dots on the nose or cheeks.
They do not hurt your baby or make them unwell.

Newborn milia clear up by themselves. Most are gone within the first 4 weeks.
They do not leave a mark. [[nhs_ht_baby_rash, statpearls]]

**White "pearls" in the mouth.** Some babies also have tiny white or yellow bumps in the mouth.
They are the same kind of little keratin cyst as milia on the skin. [[medscape_peds]]

- **Epstein pearls** are on the roof of the mouth.
- **Bohn nodules** are along the edges of the gums.

Mouth pearls are harmless. Like milia on the skin, they go away by themselves.
Do not try to rub, pick or scrape them off.
""",
        ),
        (
            "Looking after a baby with milia",
            """\
Newborn milia need no treatment. Gentle care is all your baby needs. [[cc_treatment]]

- Wash your baby's face once a day with warm water. You can use a mild soap.
- Pat the skin dry. Do not rub it.
- Do not put adult creams, lotions or oils on the spots.
- Do not squeeze, pick or scrub the spots.
- Leave any pearls in the mouth alone.
- Keep babies under 6 months out of direct strong sunlight.

If the spots are red, full of pus or blistered, or your baby seems unwell, see "Get help urgently" at the top of this page.
""",
        ),
        (
            "How long milia last",
            """\
How long milia last depends on the type. [[cc_outlook, medscape_overview]]

| Type | How long they usually last |
| --- | --- |
| Newborn milia and mouth pearls | A few weeks. Most are gone by 4 weeks. |
| Primary milia in children and adults | Some clear in a few months. Many stay for a long time. |
| Secondary milia | They can stay for good. This is most likely after blisters. |
| Milia en plaque, multiple eruptive milia and inherited types | They often last. A doctor can tell you what to expect. |
""",
        ),
        (
            "What causes milia",
            """\
Nobody knows for sure what causes newborn milia or primary milia.
They are not caused by anything you or your baby did. [[cc, statpearls]]

Secondary milia form as skin heals after damage. Known causes include: [[cc, medscape_workup]]

- rare skin diseases that cause blisters
- burns, and shingles
- a bad rash, such as a strong skin allergy
- skin treatments that remove the top layer, such as dermabrasion, laser resurfacing and chemical peels
- freezing treatment, radiotherapy and tattoos
- using a strong steroid cream for a long time, mainly where the skin has become thin [[steroid_milia]]
- a lot of sun damage over the years
- heavy, thick creams or ointments on the face [[cc_prevention]]
- a few medicines, such as some cancer medicines, ciclosporin and imiquimod cream

**What does not cause milia.** Some websites blame diabetes, diet, not drinking enough water, dirt or psoriasis.
There is no good evidence for any of these.
There is also no good evidence that retinoid creams cause milia.
In fact, retinoid creams are used to treat them. [[cc_treatment, dermnet]]
""",
        ),
        (
            "How milia are diagnosed",
            """\
A doctor, nurse or health visitor can usually tell milia just by looking. No tests are needed. [[medscape_workup]]

A small skin sample (a biopsy) is only needed if it is not clear what the bumps are.
For example, a doctor may want to check milia on a red patch.
They may also check a shiny, see-through bump that could be a skin cancer.

If you have secondary milia, your doctor may look for the skin problem that caused them. [[medscape_workup]]
""",
        ),
        (
            "What you can do",
            """\
Most milia need no treatment. If they do not bother you, leave them alone.

If you want to do something:

- Use a gentle face wash, and pat your skin dry.
- Swap thick, greasy creams for light ones. [[cc_prevention]]
- Adults can ask a pharmacist about a mild product that helps skin shed dead cells. These often contain AHA or BHA. AHA and BHA are short for alpha and beta hydroxy acids: mild acids that help dead skin cells come away. Keep them away from your eyes. There is only weak evidence that they help. Results are small and take weeks. Do not use them on babies. [[cc_treatment]]
- Protect your skin from the sun. Use a broad-spectrum sunscreen with an SPF of 30 or higher. SPF stands for sun protection factor: the higher the number, the more it protects against sunburn. Put more on about every 2 hours when you are outside, and after swimming or sweating. [[aad_sunscreen]] This advice is for older children and adults. Keep babies under 6 months out of direct strong sunlight instead.
- If you have used a steroid cream for a long time, ask your doctor or pharmacist to review it. Do not stop a prescribed medicine without advice.

Most milia cannot be prevented.
These steps may lower the chance of new secondary milia. They will not remove the ones you have. [[cc_prevention]]
""",
        ),
        (
            "What not to do",
            """\
- **Do not squeeze, pop or pick milia.** They have no opening, so nothing comes out. Squeezing damages the skin. It can cause bruising, infection and a scar that may not fade. [[cc_treatment, cc_outlook]]
- **Do not use needles, pins, tweezers or blackhead tools at home.** Take extra care near the eyes.
- **Do not steam your face to "open the pores".** Milia have no pore to open.
- **Do not use pore strips or rough scrubs.** Strips cannot reach milia. Hard scrubbing only irritates the skin.
- **Do not put apple cider vinegar on your skin.** It has caused chemical burns. [[acv_burn]] Baking soda scrubs have no proven benefit either.
- **Do not use coconut oil or other heavy oils.** Thick, greasy products can trigger milia. [[cc_prevention]]
- **Do not trust "milia removal creams" sold online.** There is no evidence that they work.
""",
        ),
        (
            "Treatments a clinician can offer",
            """\
Treatment is a choice, not a need. People have it because of how milia look.

- **Opening and emptying (de-roofing).** A doctor or nurse makes a tiny opening in the top of each bump with a clean needle or blade. Then they gently press the keratin out. This is the usual first choice. It stings a little, but most people do not need numbing. A bump removed this way almost never comes back. There is a small risk of a tiny scar, a dark mark or infection. [[dermnet, medscape_peds_treatment, gpnotebook]]
- **Electrosurgery.** A fine tip with a weak electric current dries out the top of each bump. This is called electrodesiccation. The doctor may then scrape the contents out with a small, spoon-shaped tool. This is called curettage. It helps when there are many milia. It can leave dark marks or small pits. [[dermnet, gponline]]
- **Freezing** (cryotherapy). Liquid nitrogen freezes each bump. The spot blisters, then heals in 1 to 3 weeks. The skin may end up lighter or darker, which shows more on dark skin. It can leave numbness, and rarely a scar. Freezing can also trigger new milia. [[cc_treatment, nhs_cryo]]
- **Retinoid cream or gel**, such as tretinoin or adapalene. A doctor may suggest it when there are many milia. It takes weeks to work. It can make skin red, dry, flaky and more sensitive to the sun. Tell your doctor if you are pregnant, trying for a baby or breastfeeding. It is not for babies or for use close to the eyes. [[cc_treatment, dermnet, medscape_peds_treatment]]
- **Chemical peels, dermabrasion and laser.** These are only for milia that cover a large area. They carry real risks, such as colour changes, scars and infection. Laser near the eyes must be done by a specialist, with eye shields. Peels and other treatments that remove the top layer of skin can also cause new milia. [[dermnet, peel_complications, periocular_laser]]
- **Minocycline tablets.** This antibiotic is only used for milia en plaque. [[cc, dermnet]]
- **Treating the cause.** For secondary milia, your doctor treats the skin problem behind them, or changes a medicine. This stops new milia forming. It may not clear the ones you have. [[medscape_workup]]

Milia on the edge of the eyelid, or very close to the eye, should only be removed by a skin or eye specialist with experience.

**Paying for removal.** The NHS does not usually pay to remove milia when it is only for how they look. Removal is often done privately. Like any procedure, it has small risks, such as a scar or an infection.
""",
        ),
        (
            "Is it milia or something else?",
            """\
Other bumps and rashes can look like milia. A doctor can tell them apart.

- **Whiteheads (acne)** have a tiny opening. There are often red or pus-filled spots too. They come and go over days. [[dermnet]]
- **Baby acne** is red spots or pus spots. It starts at about 2 to 4 weeks old, not at birth. [[nhs_ht_newborn_rashes]]
- **A blotchy newborn rash** (erythema toxicum) shows red blotches with small bumps. It starts on day 2 or 3 and clears in a few days. [[nhs_ht_baby_rash]]
- **Heat rash** (miliaria) looks like tiny clear blisters, like drops of water.
- **Molluscum** shows pearly bumps with a dip in the middle. Unlike milia, it spreads by touch.
- **Syringoma** shows small, skin-coloured or see-through bumps on the eyelids. It starts after puberty. [[gponline]]
- **Xanthelasma** shows flat, yellow patches near the inner corner of the eye. It is often linked with high cholesterol. [[gponline]]
- **Sebaceous hyperplasia** shows yellow bumps with a dip in the middle, on an adult's forehead or cheeks. [[gponline]]
- **Basal cell carcinoma**, a common skin cancer, can be a pearly or waxy lump. It grows, bleeds or crusts. See a GP about any spot like this. [[nhs_nmsc]]
""",
        ),
        (
            "Outlook",
            """\
Milia are harmless. They do not scar by themselves. Scars come from squeezing or picking. [[cc_outlook, medscape_overview]]

Newborn milia clear on their own. In adults, milia may last for months or longer, and new ones can come up.
For secondary milia, treating the cause stops new ones forming.
""",
        ),
        ("How we checked this page", CHECKED_NOTE),
    ],
    "faqs": [
        (
            "Is it true that squeezing milia gets rid of them?",
            MYTH,
            "No. A milium has no opening, so squeezing cannot push the keratin out. "
            "It damages the skin around it. That can lead to bruising, infection and a scar that stays. "
            "A doctor or nurse first makes a tiny opening with a clean needle, then empties it. "
            "That is a different thing from squeezing.",
        ),
        (
            "Is it true that squeezing milia has benefits, like smoother or more even skin?",
            MYTH,
            "No. There is no evidence for any benefit. "
            "Squeezing does not stop dark marks. It can cause them, along with scars and infection.",
        ),
        (
            "Is it true that apple cider vinegar clears milia?",
            MYTH,
            "No. Milia are not caused by germs, so a vinegar that kills germs cannot help. "
            "Vinegar left on the skin has caused chemical burns, including in a child.",
        ),
        (
            "Is it true that laser treatment works by killing the bacteria that cause milia?",
            MYTH,
            "No. Milia have no bacteria in them. "
            "Laser removes the top layer of skin, and it is only used when milia cover a large area. "
            "It is not free of risk. It can change skin colour or leave scars, "
            "and it can cause new milia. Near the eyes it needs a specialist and eye shields.",
        ),
        (
            "Is it true that milia leave scars if you do not treat them?",
            MYTH,
            "No. Milia do not cause scars or dark marks when left alone. "
            "Scars come from squeezing, picking or scraping them. "
            "There is no need to treat milia early.",
        ),
        (
            "Is it true that a healthy diet or drinking more water prevents milia?",
            MYTH,
            "No. There is no evidence that food or water has any effect on milia. "
            "Most milia cannot be prevented. Sun protection and avoiding thick creams may help "
            "with one type: secondary milia.",
        ),
        (
            "Is it true that you can catch milia from someone?",
            MYTH,
            "No. Milia are not an infection. You cannot catch them or pass them on, "
            "and they do not spread across your own skin.",
        ),
        (
            "Is it true that newborn milia go away on their own?",
            FACT,
            "Yes. Most clear within the first 4 weeks and leave no mark. "
            "Just wash your baby's face gently with warm water.",
        ),
        (
            "Is it true that steaming your face opens pores so milia can be squeezed out?",
            MYTH,
            "No. Milia have no pore or opening. Steam will not change that, "
            "and squeezing afterwards still risks scars and infection.",
        ),
        (
            "Is it true that retinoid creams cause milia?",
            MYTH,
            "No. Retinoid creams are one of the treatments for milia. "
            "Long-term use of steroid creams, which are a different kind of cream, can cause milia.",
        ),
        (
            "Is it true that milia are a sign of diabetes?",
            MYTH,
            "No. Diabetes is not a known cause of milia. "
            "But milia after blisters can be a sign of a skin disease that needs checking.",
        ),
        (
            "Is it true that steroid injections clear stubborn milia?",
            MYTH,
            "No. They are not a standard treatment for milia, and they did not help much "
            "in a reported case. Steroids used on the skin for a long time can even cause milia.",
        ),
        (
            "Can milia come back after they are removed?",
            PARTLY,
            "A bump that has been opened and emptied almost never comes back. "
            "But new milia can form somewhere else, mainly if the cause is still there.",
        ),
    ],
    "care_advice": [
        (
            CareAdvice.Level.SELF_CARE,
            """\
- A newborn baby who is well and feeding has tiny white spots on the nose or cheeks.
- A baby has tiny white pearls on the roof of the mouth or the gums.
- An adult has a few small white bumps, often around the eyes, that do not hurt or change.
""",
            "Leave them alone and wash gently. They are harmless, and most clear by themselves.",
        ),
        (
            CareAdvice.Level.ROUTINE,
            """\
- One spot looks pearly or see-through, has tiny blood vessels, grows, bleeds or crusts, or has not healed in 4 weeks. A GP should check it, because some skin cancers start like this.
- Lots of milia came up over a few weeks, mainly after starting a new medicine. See a GP soon.
- Your baby still has milia at about 3 months old, or has a lot of them, or in unusual places.
- Your child has milia and problems with their hair, teeth, nails or sweating.
- Milia formed where blisters have been. Or the skin on the backs of your hands blisters easily after sun.
- The milia sit on a red, raised patch of skin.
- You have flat, yellow patches on your eyelids. Your GP may check your cholesterol.
- The bumps itch, hurt or look red, or you are not sure what they are.
- You have used a steroid cream for a long time and the skin there is thin.
- You want milia removed from the edge of the eyelid or close to the eye. Do not try it yourself.
""",
            "Book an appointment with your GP. For a baby, you can also ask your health visitor. "
            "It is not urgent, but do not put it off.",
        ),
        (CareAdvice.Level.URGENT, signs.urgent_markdown(), signs.URGENT_ACTION),
        (CareAdvice.Level.EMERGENCY, signs.emergency_markdown(), signs.EMERGENCY_ACTION),
    ],
    "codes": [
        (ClinicalCode.System.ICD10CM, "", "L72.0", "Epidermal cyst"),
        (ClinicalCode.System.SNOMED, "", "254679001", "Milia"),
    ],
    # The order is the numbering patients see ([1] is the first); citations use the keys.
    "references": [
        "cc",
        "cc_treatment",
        "cc_prevention",
        "cc_outlook",
        "statpearls",
        "medscape_overview",
        "medscape_workup",
        "medscape_peds",
        "medscape_peds_workup",
        "medscape_peds_treatment",
        "dermnet",
        "gpnotebook",
        "gponline",
        "nhs_ht_baby_rash",
        "nhs_ht_newborn_rashes",
        "nhs_wales_rashes",
        "nhs_nmsc",
        "nhs_cryo",
        "aad_sunscreen",
        "acv_burn",
        "peel_complications",
        "periocular_laser",
        "steroid_milia",
        "mem_case",
    ],
    "editor_note": (
        "Example content awaiting the clinic's own clinical review (the demo reviewer is a demo "
        "account). Needs clinician sign-off: the level for blistered or painful spots in a baby "
        "under 4 weeks (urgent here: NHS Greater Glasgow & Clyde says GP or 111 today, "
        "milia.md RF-3 says routine) and the 3-month cut-off for newborn milia (RF-4, a product "
        "decision). Stated without a citable address: NHS sun safety (babies under 6 months out "
        "of direct strong sunlight) and NHS benign skin lesion policies (removal for looks not "
        "routinely funded); the notes name them but give no URL. Not cited: Mayo Clinic (no "
        "mayoclinic.org address in the notes) and Berk & Bayliss 2008 (no DOI in the notes)."
    ),
}


ACNE = {
    "slug": "acne",
    "name": "Acne",
    "featured": True,
    "also_known_as": [
        "spots",
        "pimples",
        "zits",
        "whiteheads",
        "blackheads",
        "baby acne",
        "acne vulgaris",
    ],
    "summary": (
        "Acne is a common skin problem that causes spots and oily skin, "
        "mostly on the face, back and chest. "
        "People often mix it up with milia. "
        "Acne starts in pores that get blocked, and the spots are often red or full of pus. "
        "Milia are firm, white bumps with no opening, and they are not red or sore."
    ),
    "sections": [
        (
            "What acne is",
            """\
Acne is a common skin problem. Most people have it at some point in their life. [[nhs_acne]]

It starts in pores. These are the tiny openings in the skin that hairs grow out of.
Each one has a small gland that makes oil.
In acne, pores get blocked, and then they can swell and get red. [[dermnet_acne]]
A blocked pore can form a whitehead or a blackhead.
A swollen one can turn into a red spot or a spot full of pus. [[nhs_acne, dermnet_acne]]

Acne is most common in teenagers and young adults. But it can start at any age,
and it can run in families. [[dermnet_acne, nhs_acne]]
""",
        ),
        (
            "What acne looks like",
            """\
Acne is most common on the face. It can also come up on the back and chest. [[nhs_acne, dermnet_acne]]
Your skin may be oily. It may feel hot or sore when you touch it. [[nhs_acne]]

Acne can cause different kinds of spots: [[nhs_acne]]

- **Blackheads.** Small dark or yellow bumps. The dark colour is not dirt.
- **Whiteheads.** Like blackheads, but they can be firmer. Squeezing does not empty them.
- **Small red bumps** that can be tender or sore.
- **Red bumps with a white tip** of pus in the middle.
- **Big, hard lumps** under the skin that can hurt.
- **Big lumps full of pus,** a bit like boils. These are the most likely to leave a scar.
""",
        ),
        (
            "How acne differs from milia",
            """\
| | Acne | Milia |
| --- | --- | --- |
| What it is | A blocked pore that often swells and gets red [[dermnet_acne]] | A tiny closed pocket of keratin, a tough protein in skin [[statpearls]] |
| How it looks | Whiteheads, blackheads, red spots, pus spots [[nhs_acne]] | Firm white or yellow dots, 1 to 2 mm [[medscape_overview]] |
| Red or sore? | Often [[nhs_acne]] | Not usually [[medscape_overview]] |
| Where | Face, back and chest [[nhs_acne]] | Mostly the face [[medscape_overview]] |
| Newborns | Baby acne usually starts 2 to 4 weeks after birth [[nhs_ht_newborn_rashes]] | Can be there at birth [[cc]] |
""",
        ),
        (
            "Baby acne",
            """\
Baby acne is small red or white spots on a baby's cheeks, nose and forehead.
The skin around them may be red. [[nhs_ht_newborn_rashes, nidirect_baby_rashes]]
It usually starts about 2 to 4 weeks after birth. [[nhs_ht_newborn_rashes]]
The spots often get worse before they get better.
They clear up by themselves within a few weeks or months, and leave no marks. [[nidirect_baby_rashes, nhs_ht_newborn_rashes]]

Newborn milia are different. They are white, not red, and they can be there from birth. [[cc]]

- Wash your baby's face with water. A mild moisturiser can help. [[nidirect_baby_rashes]]
- Do not use acne creams or medicines meant for older children or adults. [[nidirect_baby_rashes]]
- Do not squeeze the spots.

Spots that start after your baby is 3 months old are a different kind of acne.
It tends to be worse and often needs treatment, so see your GP. [[nidirect_baby_rashes]]
Ask your health visitor or GP if you are not sure what the spots are.
""",
        ),
        (
            "Treatment",
            """\
Creams and gels from a pharmacy can often treat acne. Ask a pharmacist which one to try.
If your acne is severe, see a GP. They can prescribe stronger medicines. [[nhs_acne]]

- Do not squeeze spots or try to clean out blackheads. This can make acne worse and leave scars. [[nhs_acne]]
- Wash your skin no more than twice a day, with a mild soap and lukewarm water. Washing more often can make your skin sore. [[nhs_acne]]

Milia need different care. Most need no treatment at all.
If there are a lot of them, a doctor may suggest a retinoid cream. [[cc_treatment]]
Ask a pharmacist or GP before you put an acne product on milia.
""",
        ),
        ("How we checked this page", LOOK_ALIKE_CHECKED_NOTE),
    ],
    "faqs": [
        (
            "Is it true that milia are a kind of acne?",
            MYTH,
            "No. Acne starts in a pore that gets blocked and swollen. [[dermnet_acne]] "
            "Milia are closed pockets of keratin. [[statpearls]] "
            "They are not red or sore. [[medscape_overview]]",
        ),
        (
            "Is it true that blackheads are full of dirt?",
            MYTH,
            "No. The dark colour comes from the skin inside the pore, not from dirt. "
            "Washing more than twice a day can make your skin sore and your acne worse. "
            "[[nhs_acne]]",
        ),
        (
            "Is it true that acne treatments never work on milia?",
            PARTLY,
            "Not quite. A doctor may suggest a retinoid cream when there are a lot of milia. "
            "[[cc_treatment]] Ask a pharmacist or GP before you use an acne product on milia.",
        ),
    ],
    "care_advice": [
        (
            CareAdvice.Level.SELF_CARE,
            """\
- Your baby has a few red spots that started 2 to 4 weeks after birth, and is well and feeding.
- You have a few spots, and creams or gels from a pharmacy are helping.
""",
            "Wash gently. Do not use adult products on your baby. Do not squeeze spots.",
        ),
        (
            CareAdvice.Level.ROUTINE,
            """\
- Your acne is severe, or creams and gels from a pharmacy have not helped.
- Your baby's spots started after 3 months old.
- You are not sure if the spots are acne, milia or something else.
- Your baby's spots are red, full of pus or blistered, but your baby is well.
""",
            "Talk to your GP. For a baby, you can also ask your health visitor. "
            "A pharmacist can help if you are not sure.",
        ),
        (CareAdvice.Level.URGENT, signs.urgent_markdown(), signs.URGENT_ACTION),
        (CareAdvice.Level.EMERGENCY, signs.emergency_markdown(), signs.EMERGENCY_ACTION),
    ],
    # ICD-10-CM L70.0 and SNOMED CT 11381005 "Acne" (check digit valid): see the module note.
    "codes": [
        (ClinicalCode.System.ICD10CM, "", "L70.0", "Acne vulgaris"),
        (ClinicalCode.System.SNOMED, "", "11381005", "Acne"),
    ],
    # Acne sources first; the milia sources back only the milia side of the comparison.
    "references": [
        "nhs_acne",
        "dermnet_acne",
        "nidirect_baby_rashes",
        "nhs_ht_newborn_rashes",
        "statpearls",
        "medscape_overview",
        "cc",
        "cc_treatment",
    ],
    "editor_note": (
        "Example content awaiting the clinic's own clinical review. Needs clinician sign-off: "
        "the FAQ on acne treatments and milia takes retinoid creams to be an acne treatment; "
        "the acne pages cited here do not name them in the text we could read, so check it "
        "against an acne treatment source (for example the NHS acne treatment page) and cite "
        "that. The NHS 'Acne' page was read through a printed copy and the NHS website's "
        "syndicated content, not at nhs.uk itself: check the live page says the same."
    ),
}


SYRINGOMA = {
    "slug": "syringoma",
    "name": "Syringoma",
    "featured": False,
    "also_known_as": [
        "syringomas",
        "small bumps under the eyes",
        "bumps on eyelids",
        "skin-coloured bumps under eye",
    ],
    "summary": (
        "Syringomas are small, harmless bumps that grow from sweat ducts in the skin. "
        "They are firm, and skin-coloured or a little yellow. Most are 1 to 3 millimetres "
        "across. They often come in groups on or around the eyelids, and they usually start "
        "in the teenage years or later. They can look like milia, but milia are white."
    ),
    "sections": [
        (
            "What syringomas look like",
            """\
- Small, firm, round bumps, usually 1 to 3 millimetres across. [[dermnet_syringoma, gponline_syringoma]]
- Skin-coloured or a little yellow. Some look a little see-through. [[gponline_syringoma, gponline]]
- Often in groups, on or around the eyelids. They can also come up on the cheeks. Less often, they come up on the scalp, chest, armpits, belly button or genitals. [[dermnet_syringoma]]
- They do not usually itch or hurt. [[gponline_syringoma]]
""",
        ),
        (
            "Who gets syringomas",
            """\
About 1 person in 100 has syringomas. [[dermnet_syringoma]]
They usually start in the teenage years or later. [[dermnet_syringoma, gponline]]
Women get them about twice as often as men.
They sometimes run in families. [[dermnet_syringoma, gponline]]
""",
        ),
        (
            "How syringomas differ from milia",
            """\
Milia are white, like tiny pearls. They are 1 to 2 millimetres across. [[gponline_syringoma, gponline]]
Syringomas are the colour of your skin, or a little yellow. [[gponline_syringoma]]
Newborn babies often have milia. Syringomas usually start in the teenage years or later. [[gponline_syringoma, dermnet_syringoma]]

If it is not clear what the bumps are, a doctor may take a tiny skin sample.
It is checked under a microscope. [[dermnet_syringoma]]
""",
        ),
        (
            "When it could be something else",
            """\
A common skin cancer called basal cell carcinoma can sometimes look like a syringoma. [[dermnet_syringoma]]
See a GP if a bump grows, bleeds or crusts, or has not healed in 4 weeks. [[nhs_nmsc]]
""",
        ),
        (
            "Treatment",
            """\
Syringomas are harmless, so treatment is a choice, not a need. [[gponline]]
If they bother you, a doctor can remove them with a fine electric needle or a laser. [[gponline, dermnet_syringoma]]
This does not always work, and it can leave small scars. [[dermnet_syringoma]]
Syringomas can also come back after treatment. [[gponline_syringoma]]

Near the eye, only an experienced specialist should treat them.
Do not try to squeeze or cut them off yourself.
""",
        ),
        ("How we checked this page", LOOK_ALIKE_CHECKED_NOTE),
    ],
    "faqs": [
        (
            "Is it true that syringomas are the same as milia?",
            MYTH,
            "No. Both can show up around the eyes, but they are different. "
            "Milia are tiny white pockets of keratin. "
            "Syringomas grow from sweat ducts and are skin-coloured or a little yellow. "
            "[[gponline_syringoma, dermnet_syringoma]]",
        ),
    ],
    "care_advice": [
        (
            CareAdvice.Level.SELF_CARE,
            "- A doctor has told you the bumps are syringomas, and they are not changing.\n",
            "No treatment is needed unless they bother you.",
        ),
        (
            CareAdvice.Level.ROUTINE,
            """\
- You are not sure what the bumps are.
- A bump grows, bleeds, crusts, or has not healed in 4 weeks.
""",
            "Book an appointment with your GP. It is not urgent.",
        ),
    ],
    "codes": [],
    "references": ["dermnet_syringoma", "gponline_syringoma", "gponline", "nhs_nmsc"],
    "editor_note": (
        "Example content awaiting the clinic's own clinical review. Needs clinician sign-off: "
        "'near the eye, only an experienced specialist should treat them' is our advice, as on "
        "the milia page; the syringoma sources do not say who should treat them. DermNet's "
        "current page (reviewed 2024) backs the look, places and who gets them; its lines on "
        "basal cell carcinoma, biopsy and treatment (small scars, may not work) were read in an "
        "earlier stored version of the same address: check the live page still says so."
    ),
}


XANTHELASMA = {
    "slug": "xanthelasma",
    "name": "Xanthelasma",
    "featured": False,
    "also_known_as": [
        "xanthelasma palpebrarum",
        "yellow patches on eyelids",
        "yellow bumps on eyelids",
        "cholesterol spots around eyes",
    ],
    "summary": (
        "Xanthelasma are flat, yellow patches on the eyelids, most often near the inner corner "
        "of the eye. They are made of fat that has built up in the skin. They are harmless in "
        "themselves. But they are often linked with high levels of fat (cholesterol) in the "
        "blood, so it is worth seeing a GP for a blood test."
    ),
    "sections": [
        (
            "What xanthelasma look like",
            """\
- Flat, yellow patches. They can be small or large. [[gponline]]
- On the eyelids, most often near the inner corner of the eye. [[gponline, dermnet_xanthoma]]
- The upper eyelids are the usual place, but the lower eyelids can have them too, often on both sides. [[dermnet_xanthoma]]

Doctors call fat that has built up in the skin like this a xanthoma.
Xanthelasma are the most common kind. [[dermnet_xanthoma]]
""",
        ),
        (
            "Why it is worth seeing a GP",
            """\
Xanthelasma are often linked with high levels of fat in the blood.
But some people with them have normal blood fats. [[gponline]]
Your GP can check your blood fats with a blood test.
If they are high, your GP can talk to you about what to do.

Lowering high blood fats may make the patches a little smaller.
But on its own, it does not usually clear them. [[gponline, medscape_xanthelasma_treatment]]
""",
        ),
        (
            "How xanthelasma differ from milia",
            """\
Milia are tiny, round, white bumps, 1 to 2 millimetres across. [[gponline]]
Xanthelasma are flat and yellow, and they can be bigger. [[gponline]]
""",
        ),
        (
            "Treatment",
            """\
The patches are harmless, so removing them is a choice. [[gponline]]
If they bother you, ask your GP about seeing a skin or eye specialist.

A specialist can remove them in a few ways. These include a small operation, a laser,
a chemical put on the patch, a fine electric needle, or freezing. [[medscape_xanthelasma_treatment, gponline]]
An operation on the eyelid can leave a scar. [[medscape_xanthelasma_treatment]]
Do not try to cut, burn or squeeze them off yourself.
""",
        ),
        ("How we checked this page", LOOK_ALIKE_CHECKED_NOTE),
    ],
    "faqs": [
        (
            "Is it true that yellow patches on the eyelids can be a sign of high cholesterol?",
            FACT,
            "Yes, they often are, although some people with them have normal cholesterol. "
            "[[gponline]] That is why a GP blood test is a good idea, "
            "even though the patches are harmless.",
        ),
    ],
    "care_advice": [
        (
            CareAdvice.Level.ROUTINE,
            "- You notice flat, yellow patches on your eyelids.\n",
            "Book a routine GP appointment for a blood fat (cholesterol) test.",
        ),
    ],
    # ICD-10-CM H02.6, the category every eyelid and side code (H02.60-H02.66) sits under.
    "codes": [(ClinicalCode.System.ICD10CM, "", "H02.6", "Xanthelasma of eyelid")],
    "references": ["dermnet_xanthoma", "medscape_xanthelasma_treatment", "gponline"],
    "editor_note": (
        "Example content awaiting the clinic's own clinical review. Needs clinician sign-off: "
        "a routine GP blood-fat test for everyone with xanthelasma (milia.md RF-9, a product "
        "decision; GPonline says they are often linked with high blood fats but can occur with "
        "normal levels)."
    ),
}


SEBACEOUS_HYPERPLASIA = {
    "slug": "sebaceous-hyperplasia",
    "name": "Sebaceous hyperplasia",
    "featured": False,
    "also_known_as": [
        "enlarged oil glands",
        "oil gland bumps",
        "yellow bumps on face",
        "yellow bumps on forehead",
    ],
    "summary": (
        "Sebaceous hyperplasia means that oil glands in the skin have grown bigger than usual. "
        "It shows up as small yellow or skin-coloured bumps on the face, mostly on the "
        "forehead, nose and cheeks of middle-aged and older adults. Each bump often has a "
        "small dip in the middle. It is harmless. But it can look like a common skin cancer, "
        "so a doctor should check any bump that grows, bleeds or does not heal."
    ),
    "sections": [
        (
            "What it looks like",
            """\
- Small bumps, about 2 to 5 millimetres across. There are often several. [[gponline]]
- Yellow or skin-coloured, and soft. [[gponline, medscape_sebaceous_hyperplasia]]
- A small dip in the middle of each bump. [[gponline, medscape_sebaceous_hyperplasia]]
- Tiny blood vessels may show on the surface. [[gponline, dermnet_sebaceous_hyperplasia]]
- Most often on the forehead, nose and cheeks. [[dermnet_sebaceous_hyperplasia, medscape_sebaceous_hyperplasia]]
""",
        ),
        (
            "Who gets it",
            """\
It is most common in middle-aged and older adults. [[dermnet_sebaceous_hyperplasia, medscape_sebaceous_hyperplasia]]
It may be more common in people who take medicines that weaken the immune system,
for example after an organ transplant. [[dermnet_sebaceous_hyperplasia]]
""",
        ),
        (
            "How it differs from milia",
            """\
Milia are small, white and round, usually 1 to 2 millimetres across. [[gponline]]
The bumps of sebaceous hyperplasia are yellow or skin-coloured and a little bigger.
Many have a small dip in the middle. [[gponline, medscape_sebaceous_hyperplasia]]
""",
        ),
        (
            "When it could be something else",
            """\
A common skin cancer called basal cell carcinoma can look a lot like these bumps. [[dermnet_sebaceous_hyperplasia, gponline]]
If it is not clear, a doctor may take a small skin sample to check. [[gponline]]
See a GP if a bump: [[nhs_nmsc]]

- looks pearly or waxy
- grows
- bleeds, crusts or scabs
- has not healed in 4 weeks
""",
        ),
        (
            "Treatment",
            """\
Sebaceous hyperplasia is harmless and does not need treatment. [[dermnet_sebaceous_hyperplasia]]
If the bumps bother you, a doctor can remove them one by one.
They use a fine electric needle after numbing the skin, or a laser. [[gponline, dermnet_sebaceous_hyperplasia]]
Do not squeeze or pick them.
""",
        ),
        ("How we checked this page", LOOK_ALIKE_CHECKED_NOTE),
    ],
    "faqs": [
        (
            "Is it true that sebaceous hyperplasia is a skin cancer?",
            MYTH,
            "No, it is harmless, and it is not known to turn into cancer. "
            "[[medscape_sebaceous_hyperplasia]] But it can look like a skin cancer, so let a "
            "doctor check any bump that grows, bleeds or does not heal. "
            "[[dermnet_sebaceous_hyperplasia, nhs_nmsc]]",
        ),
    ],
    "care_advice": [
        (
            CareAdvice.Level.SELF_CARE,
            "- A doctor has told you the bumps are sebaceous hyperplasia, and they are not changing.\n",
            "No treatment is needed unless they bother you.",
        ),
        (
            CareAdvice.Level.ROUTINE,
            """\
- A bump looks pearly or waxy, grows, bleeds, crusts, or has not healed in 4 weeks.
- You are not sure what the bumps are.
""",
            "Book an appointment with your GP. It is not urgent, but do not put it off.",
        ),
    ],
    "codes": [],
    "references": [
        "dermnet_sebaceous_hyperplasia",
        "medscape_sebaceous_hyperplasia",
        "gponline",
        "nhs_nmsc",
    ],
    "editor_note": (
        "Example content awaiting the clinic's own clinical review. The size (2 to 5 mm) follows "
        "GPonline; DermNet says up to 3 mm. The Medscape overview was read through Medscape's "
        "app mirror: check the article page says the same."
    ),
}


ARTICLES = [MILIA, ACNE, SYRINGOMA, XANTHELASMA, SEBACEOUS_HYPERPLASIA]

# Milia's look-alikes; the relation is symmetrical, so acne also lists milia.
RELATED = [
    ("milia", "acne"),
    ("milia", "syringoma"),
    ("milia", "xanthelasma"),
    ("milia", "sebaceous-hyperplasia"),
    ("syringoma", "xanthelasma"),
    ("sebaceous-hyperplasia", "acne"),
]


def _existing(data: dict) -> Condition | None:
    return (
        Condition.objects.filter(slug=data["slug"]).first()
        or Condition.objects.filter(name=data["name"]).first()
    )


def with_citations(text: str, references: list[str]) -> str:
    """Replace [[key, key]] with [n, m]: the sources' places in the article's reference list."""

    def numbers(match: re.Match) -> str:
        keys = [key.strip() for key in match.group(1).split(",")]
        return "[" + ", ".join(str(references.index(key) + 1) for key in keys) + "]"

    return CITE.sub(numbers, text)


def _rows(data: dict) -> dict[type, list[dict]]:
    """The article's parts as this version of the demo has them: model -> field values."""
    keys = data["references"]
    rows: dict[type, list[dict]] = {
        Section: [
            {
                "order": order,
                "heading": heading,
                "part_title": data.get("parts", {}).get(heading, ""),
                "body": with_citations(body, keys),
            }
            for order, (heading, body) in enumerate(data["sections"], start=1)
        ],
        FAQ: [
            {
                "order": order,
                "question": question,
                "verdict": verdict,
                "answer": with_citations(answer, keys),
            }
            for order, (question, verdict, answer) in enumerate(data["faqs"], start=1)
        ],
        # No "link checked on" date: nobody has checked these links for the clinic yet.
        Reference: [
            {
                "order": order,
                "title": SOURCES[key].title,
                "publisher": SOURCES[key].publisher,
                "year": SOURCES[key].year,
                "url": SOURCES[key].url,
            }
            for order, key in enumerate(keys, start=1)
        ],
        CareAdvice: [
            {"level": level, "signs": listed, "action": action}
            for level, listed, action in data["care_advice"]
        ],
        ClinicalCode: [
            {"system": system, "version": version, "code": code, "display": display}
            for system, version, code, display in data["codes"]
        ],
    }
    return rows


def _save_part(row, author) -> None:
    row.full_clean()
    row._history_user = author
    row.save()  # one by one: save() renders the Markdown and writes history


def _create(data: dict, author, reviewer) -> Condition:
    condition = Condition(
        slug=data["slug"],
        name=data["name"],
        featured=data["featured"],
        also_known_as="\n".join(data["also_known_as"]),
        summary=data["summary"],
        author=author,
        next_review_due=NEXT_REVIEW_DUE,
    )
    condition._history_user = author
    condition.save()
    for model, rows in _rows(data).items():
        for values in rows:
            _save_part(model(condition=condition, **values), author)
    condition.refresh_derived()
    condition._change_reason = DEMO_NOTE  # admin-visible in the page's history
    condition.save()
    return condition


# How a part of an existing article is matched to this version's row when refreshing: by
# address, level or code where a part has one (links to it survive), else by its place.
MATCH_BY = {
    Section: None,
    FAQ: None,
    Reference: ("url",),
    CareAdvice: ("level",),
    ClinicalCode: ("system", "version", "code"),
}


def _cited_elsewhere(row) -> bool:
    """A reference a treatment comparison cites (the milia comparison adds its own)."""
    return isinstance(row, Reference) and row.comparisonrow_set.exists()


def _sync_parts(condition: Condition, data: dict, author) -> bool:
    """Make the working copy's parts this version's; True when anything changed.

    Matching rows are updated in place and only where a value differs; rows the demo no
    longer has are removed, except references that something else cites.
    """
    changed = False
    for model, wanted in _rows(data).items():
        existing = list(model.objects.filter(condition=condition).order_by("pk"))
        if model in (Section, FAQ, Reference):
            existing.sort(key=lambda row: (row.order, row.pk))
        fields = MATCH_BY[model]
        if fields is None:
            pairs = list(zip(existing, wanted, strict=False)) + [
                (None, values) for values in wanted[len(existing) :]
            ]
            leftover = existing[len(wanted) :]
        else:
            by_key = {tuple(getattr(row, f) for f in fields): row for row in existing}
            pairs = [(by_key.pop(tuple(v[f] for f in fields), None), v) for v in wanted]
            leftover = list(by_key.values())
        for row, values in pairs:
            if row is None:
                _save_part(model(condition=condition, **values), author)
                changed = True
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                _save_part(row, author)
                changed = True
        for row in leftover:
            if not _cited_elsewhere(row):
                row.delete()
                changed = True
    return changed


def _still_example(condition: Condition) -> bool:
    """Live, approved only by an example account, and nobody has changed it since."""
    live = condition.live
    return (
        condition.status == Status.PUBLISHED
        and condition.is_example
        and live is not None
        and live.status == Status.PUBLISHED
    )


def refresh(author, reviewer) -> list[str]:
    """Bring the demo articles that are still unreviewed example content up to this version.

    For a database loaded by an earlier version (load() leaves existing articles alone): an
    article whose live page only an example account approved, with no draft in progress, gets
    this version's summary, sections, FAQs, references, advice and codes where they differ,
    as a change approved again by the demo reviewer (history kept, still labelled example
    content). What the clinic has approved, is editing, took offline or archived is left as it
    is, and so is an article that already matches. Returns the slugs brought up to date.
    """
    refreshed = []
    with transaction.atomic():
        for data in ARTICLES:
            condition = _existing(data)
            if condition is None or not _still_example(condition):
                continue
            changed = _sync_parts(condition, data, author)
            for name, value in (
                ("summary", data["summary"]),
                ("also_known_as", "\n".join(data["also_known_as"])),
            ):
                if getattr(condition, name) != value:
                    setattr(condition, name, value)
                    changed = True
            if not changed:
                continue
            condition._history_user = author
            condition._change_reason = DEMO_UPDATE_NOTE
            condition.record_change(author)  # a draft, like any edit; refreshes derived text
            condition._history_user = reviewer
            condition.publish(by=reviewer, attested=True)
            refreshed.append(data["slug"])
    return refreshed


def load(author, reviewer) -> list[str]:
    """Create the demo articles that do not exist yet; return the slugs created."""
    created = []
    with transaction.atomic():
        for data in ARTICLES:
            if _existing(data) is None:
                _create(data, author, reviewer)
                created.append(data["slug"])
        by_slug = {
            c.slug: c for c in Condition.objects.filter(slug__in=[a["slug"] for a in ARTICLES])
        }
        for one, other in RELATED:
            # Only link pairs made in this run: a clinician's later unlinking is respected.
            # Links are one-way (each article approves its own), so each pair links both ways.
            if one in created and other in by_slug:
                by_slug[one].related.add(by_slug[other])
            if other in created and one in by_slug:
                by_slug[other].related.add(by_slug[one])
        # Approved once complete, links included, like any draft.
        for slug in created:
            condition = by_slug[slug]
            condition._history_user = reviewer
            condition.publish(by=reviewer, attested=True)
    return created
