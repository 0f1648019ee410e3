"""The strict Content-Security-Policy enforced by Chromium, with JavaScript on.

The other browser tests bypass the CSP (axe-core is injected as a script); this one keeps it,
walks the patient and kiosk pages, uses the HTMX live search and a questionnaire step, and
fails on any `securitypolicyviolation` the browser reports.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/conditions/",
    "/conditions/milia/",
    "/conditions/milia/treatments/",
    "/search/?q=white+spots",
    "/about/privacy/",
    "/check/white-spots/",
    "/kiosk/",
    "/kiosk/conditions/milia/",
    "/kiosk/check/white-spots/q/who/",
    "/admin/login/",
]
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_no_page_breaks_the_content_security_policy_in_chromium(browser, live_server, demo_content):
    context = browser.new_context(bypass_csp=False, locale="en-GB")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    violations = {}

    def record(label):
        found = page.evaluate("window.__cspViolations")
        if found:
            violations[label] = found

    for path in PAGES:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof htmx") == "object" or path.startswith("/admin/"), path
        record(path)

    # HTMX: live search results and a questionnaire step swapped in place.
    page.goto(live_server.url + "/search/")
    with page.expect_response(lambda r: "/search/?" in r.url):
        page.get_by_role("searchbox").first.fill("milk spots")
    page.wait_for_load_state("networkidle")
    record("live search")
    page.goto(live_server.url + "/check/white-spots/q/who/")
    page.get_by_label("Me or another adult (16 or older)", exact=True).check()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/q/unwell/")
    record("questionnaire step")
    context.close()
    assert violations == {}
