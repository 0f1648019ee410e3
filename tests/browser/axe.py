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


def assert_no_axe_violations(page) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response.get("violations", [])
    if violations:
        lines = []
        for v in violations:
            targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
            lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} -> {targets}")
        raise AssertionError(
            f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(lines)
        )
