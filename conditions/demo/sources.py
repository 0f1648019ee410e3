"""The sources the demo content cites: one entry per source, shared by articles and comparison.

Every entry is a source that shared/content-notes/milia.md or milia-review-2026-12.md cites,
under its real title, at its public (canonical) address: no development, staging or retired
hosts (Reference.clean refuses them). Where the notes lack a fact, it is left out rather than
made up: `year` is only set where the notes give it, and no entry has a "link checked on" date,
because the notes record no reviewer checking these links.

Left out on purpose (see the review notes):
- The CMAJ 2018 porphyria cutanea tarda case: the notes give no title for it.
- Mayo Clinic's milia page: the notes give only the retired mayoclinic.com address and a
  syndicated copy; its mayoclinic.org address is not recorded. CC and StatPearls carry the
  same facts (about half of newborns; clear in weeks).
- Berk & Bayliss, "Milia: a review and classification" (J Am Acad Dermatol 2008;59:1050-63):
  the notes give no DOI and only a copy on a document-sharing site. The types of milia are
  cited to Cleveland Clinic and Medscape instead.

Added after the review (milia-review-2026-12.md: "each look-alike cites sources about that
condition"): DermNet, NHS, nidirect, Medscape and GPonline pages about syringoma, xanthelasma,
sebaceous hyperplasia and acne. The notes do not record them, so each carries `read_at`: where
its text was read (a stored copy of the page), under the title and year the page itself gives.
Where it could only be read through a copy, the entry says so; the address cited is always
the publisher's own.

`about` lists the demo articles (by slug) whose condition the source is about, so a test can
check that each look-alike cites sources about itself, not only milia pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str
    year: int | None = None
    about: frozenset[str] = field(default_factory=frozenset)
    # Where the text was read, for a source the content notes do not record (blank otherwise).
    read_at: str = ""


def _about(*slugs: str) -> frozenset[str]:
    return frozenset(slugs)


SOURCES: dict[str, Source] = {
    "cc": Source(
        "Milia",
        "Cleveland Clinic",
        "https://my.clevelandclinic.org/health/diseases/17868-milia",
        about=_about("milia"),
    ),
    "cc_treatment": Source(
        "Milia (Management and Treatment)",
        "Cleveland Clinic",
        "https://my.clevelandclinic.org/health/diseases/17868-milia/management-and-treatment",
        year=2018,  # "last reviewed 10/22/2018" (milia.md, sources table)
        about=_about("milia"),
    ),
    "cc_prevention": Source(
        "Milia (Prevention)",
        "Cleveland Clinic",
        "https://my.clevelandclinic.org/health/diseases/17868-milia/prevention",
        about=_about("milia"),
    ),
    "cc_outlook": Source(
        "Milia (Outlook / Prognosis)",
        "Cleveland Clinic",
        "https://my.clevelandclinic.org/health/diseases/17868-milia/outlook--prognosis",
        about=_about("milia"),
    ),
    # The NCBI Bookshelf chapter, by its PubMed record (PMID 32809316), not the dev2 host.
    "statpearls": Source(
        "Milia",
        "StatPearls Publishing (NCBI Bookshelf), PMID 32809316",
        "https://pubmed.ncbi.nlm.nih.gov/32809316/",
        about=_about("milia"),
    ),
    # The article's canonical address (the notes read it through a mirror, A1058063).
    "medscape_overview": Source(
        "Milia (Overview)",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/1058063-overview",
        about=_about("milia"),
    ),
    "medscape_workup": Source(
        "Milia (Workup)",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/1058063-workup",
        about=_about("milia"),
    ),
    "medscape_peds": Source(
        "Pediatric Milia (Overview)",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/910405-overview",
        about=_about("milia"),
    ),
    "medscape_peds_workup": Source(
        "Pediatric Milia (Workup)",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/910405-workup",
        about=_about("milia"),
    ),
    "medscape_peds_treatment": Source(
        "Pediatric Milia (Treatment)",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/910405-treatment",
        about=_about("milia"),
    ),
    "dermnet": Source(
        "Milium (milia)",
        "DermNet",
        "https://dermnetnz.org/topics/milium",
        about=_about("milia"),
    ),
    "gpnotebook": Source(
        "Milia",
        "GPnotebook",
        "https://gpnotebook.com/en-au/simplepage.cfm?ID=-1476001782",
        about=_about("milia"),
    ),
    # Dr N. Stollery's differential diagnosis article: syringoma, xanthelasma, sebaceous
    # hyperplasia (and milia management). Its title as the page gives it (capital F).
    "gponline": Source(
        "Differential diagnoses: Facial lesions",
        "GPonline",
        "https://www.gponline.com/differential-diagnoses-facial-lesions/dermatology/article/1316291",
        about=_about("milia", "syringoma", "xanthelasma", "sebaceous-hyperplasia"),
    ),
    # Not cited for the mechanism: this page calls newborn milia "blocked sweat pores".
    "nhs_ht_baby_rash": Source(
        "My baby has a rash (worried your baby is unwell, under 3 months)",
        "NHS Healthier Together",
        "https://www.hnyhealthiertogether.nhs.uk/parentscarers/worried-your-baby-unwell-under-3-months/my-baby-has-rash",
        about=_about("milia"),
    ),
    # The live page (the notes read a staging copy): newborn rashes, baby acne among them.
    "nhs_ht_newborn_rashes": Source(
        "New parent and baby: rashes",
        "NHS Healthier Together",
        "https://healthiertogether.nhs.uk/new-parent-and-baby/rashes",
        about=_about("acne", "milia"),
    ),
    "nhs_wales_rashes": Source(
        "Skin rashes in babies and children",
        "NHS 111 Wales",
        "https://111.wales.nhs.uk/encyclopaedia/s/article/skinrashesinbabiesandchildren/",
    ),
    "nhs_nmsc": Source(
        "Non-melanoma skin cancer: symptoms",
        "NHS",
        "https://nhs.uk/conditions/non-melanoma-skin-cancer/symptoms",
    ),
    "nhs_cryo": Source(
        "Cryotherapy",
        "Kingston and Richmond NHS Foundation Trust",
        "https://kingstonandrichmond.nhs.uk/patients-and-families/patient-leaflets/cryotherapy",
    ),
    "aad_sunscreen": Source(
        "Sunscreen FAQs",
        "American Academy of Dermatology",
        "https://aad.org/media-resources/stats-and-facts/prevention-and-care/sunscreen-faqs",
    ),
    "peel_complications": Source(
        "Complications of Medium Depth and Deep Chemical Peels",
        "Nikalji N et al., Journal of Cutaneous and Aesthetic Surgery 5(4):254-260",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC3560165/",
        year=2012,
    ),
    "periocular_laser": Source(
        "Periocular Laser Complications",
        "Blanco G et al., Seminars in Plastic Surgery 21(1):74-79",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC2884823",
        year=2007,
    ),
    "steroid_milia": Source(
        "Milia Induced by Corticosteroids",
        "Archives of Dermatology 122(2):139-140",
        "https://jamanetwork.com/journals/jamadermatology/article-abstract/546864",
        year=1986,
    ),
    "mem_case": Source(
        "Multiple eruptive milia",
        "Batra P et al., Dermatology Online Journal 15(8):20",
        "https://escholarship.org/uc/item/8dm9d1zf",
        about=_about("milia"),
    ),
    # -- sources about the look-alikes (read after the review; see the module docstring) --
    "dermnet_syringoma": Source(
        "Syringoma",
        "DermNet",
        "https://dermnetnz.org/topics/syringoma",
        year=2024,  # "Last Reviewed: December, 2024"
        about=_about("syringoma"),
        read_at=(
            "https://dermnetnz.org/topics/syringoma (stored copy, last reviewed December 2024; "
            "an earlier stored version of the same address gives the biopsy and treatment lines)"
        ),
    ),
    "gponline_syringoma": Source(
        "At a glance: Syringoma versus milia",
        "GPonline",
        "https://www.gponline.com/glance-syringoma-versus-milia-syringoma/dermatology/article/646369",
        about=_about("syringoma", "milia"),
        read_at="https://www.gponline.com/glance-syringoma-versus-milia-syringoma/dermatology/article/646369",
    ),
    # DermNet covers xanthelasma on its xanthoma page ("the most common form of xanthoma").
    "dermnet_xanthoma": Source(
        "Xanthoma",
        "DermNet",
        "https://dermnetnz.org/topics/xanthoma",
        year=2020,  # "Updated by Dr Helen Gordon ... October 2020"
        about=_about("xanthelasma"),
        read_at=(
            "https://dermnetnz.org./topics/xanthoma and its earlier address "
            "http://dermnetnz.org/dermal-infiltrative/xanthoma.html (stored copies, October 2020)"
        ),
    ),
    "medscape_xanthelasma_treatment": Source(
        "Xanthelasma Treatment & Management",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/1213423-treatment",
        year=2021,  # "Updated: Mar 02, 2021"
        about=_about("xanthelasma"),
        read_at="https://emedicine.medscape.com/article/1213423-treatment",
    ),
    "dermnet_sebaceous_hyperplasia": Source(
        "Sebaceous hyperplasia",
        "DermNet",
        "https://dermnetnz.org/topics/sebaceous-hyperplasia",
        year=2014,  # "Reviewed and updated by Dr Amanda Oakley ... June 2014"
        about=_about("sebaceous-hyperplasia"),
        read_at="https://dermnetnz.org/topics/sebaceous-hyperplasia",
    ),
    # Read through Medscape's app mirror (misc.medscape.com, A1059368); cited at the article's
    # canonical address, as with the milia overview above.
    "medscape_sebaceous_hyperplasia": Source(
        "Sebaceous Hyperplasia",
        "Medscape (eMedicine)",
        "https://emedicine.medscape.com/article/1059368-overview",
        about=_about("sebaceous-hyperplasia"),
        read_at="http://misc.medscape.com/pi/iphone/medscapeapp/html/A1059368-business.html",
    ),
    "dermnet_acne": Source(
        "Acne",
        "DermNet",
        "https://dermnetnz.org/topics/acne",
        year=2014,  # "Author: Dr Amanda Oakley, Dermatologist, Hamilton, New Zealand, July 2014"
        about=_about("acne"),
        read_at="https://www.dermnetnz.org/topics/acne",
    ),
    # Not stored at nhs.uk itself: read through a printed copy of the page (25 December 2022)
    # and the NHS website's syndicated content. No year: the copies do not show one.
    "nhs_acne": Source(
        "Acne",
        "NHS",
        "https://www.nhs.uk/conditions/acne/",
        about=_about("acne"),
        read_at=(
            "https://www.scribd.com/document/616388993/8 (a printed copy of the nhs.uk page) and "
            "the NHS website's syndicated acne pages"
        ),
    ),
    # Northern Ireland's official site; baby acne among the common rashes.
    "nidirect_baby_rashes": Source(
        "Skin rashes in babies",
        "nidirect",
        "https://www.nidirect.gov.uk/conditions/skin-rashes-babies",
        about=_about("acne"),
        read_at="https://www.nidirect.gov.uk/conditions/skin-rashes-babies",
    ),
    "acv_burn": Source(
        "Chemical burn from topical apple cider vinegar",
        "Journal of the American Academy of Dermatology (letter)",
        "https://doi.org/10.1016/j.jaad.2011.11.932",
    ),
}


def url_is_from_the_notes(url: str, notes_text: str) -> bool:
    """True when the notes record this address, or the one it corrects (for the tests).

    The review note asks for canonical addresses: https for http, the PubMed record of the
    StatPearls chapter (by the PMID the notes give), the live host for a staging one, and the
    public Medscape host. Each corrected form is matched back to the address the notes give.
    """
    if url == "https://pubmed.ncbi.nlm.nih.gov/32809316/":
        return "PMID 32809316" in notes_text
    if url == "https://emedicine.medscape.com/article/1058063-overview":
        return "A1058063" in notes_text
    if url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC3560165/":
        return "PMC3560165" in notes_text
    candidates = {url, url.replace("https://", "http://")}
    candidates |= {
        c.replace("://healthiertogether.", "://staging.healthiertogether.").replace(
            "://emedicine.medscape.", "://emedicine.staging.medscape."
        )
        for c in candidates
    }
    return any(c in notes_text for c in candidates)
