"""The sources the demo content cites (conditions/demo/content/references.toml), as the demo
tests check them: one entry per source, by key.

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

from conditions.demo import content

# The entries of conditions/demo/content/references.toml, by key.
SOURCES = content().references


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
