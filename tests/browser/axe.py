"""axe-core check helper: WCAG 2.2 A/AA rules plus target-size (off by default in axe)."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


def _violations(page) -> list[str]:
    results = _axe.run(page, options=AXE_OPTIONS)
    lines = []
    for v in results.response.get("violations", []):
        targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} -> {targets}")
    return lines


def assert_no_axe_violations(page) -> None:
    lines = _violations(page)
    if lines:
        raise AssertionError(
            f"axe found {len(lines)} violation(s) on {page.url}:\n" + "\n".join(lines)
        )


def assert_no_axe_violations_light_or_dark(page) -> None:
    """axe in the light colour scheme, then in the dark one, on the page as it stands (the
    scheme is a media query: switching it re-styles the page without loading it again)."""
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        lines = _violations(page)
        if lines:
            found[scheme] = lines
    if found:
        raise AssertionError(
            f"axe found violations on {page.url}:\n"
            + "\n".join(f"[{scheme}] {line}" for scheme, lines in found.items() for line in lines)
        )
