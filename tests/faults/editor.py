"""A warm Django process on the stack's own database, for the fault tests.

It makes the content edits the tests must not lose, the way the admin makes them (a change to
the working copy, then a second clinician's approval through the model methods), and reads
back what patients are shown. Started once with the stack's production settings; one JSON
request per line on stdin, one JSON answer per line on stdout.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from conditions.models import Condition, Questionnaire, TreatmentComparison  # noqa: E402


def clinician(username: str, group: str):
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": "Fault", "last_name": f"Test {group}", "is_staff": True},
    )
    user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def approve(slug: str, marker: str) -> str:
    """An author appends `marker` to the summary; a second clinician approves it."""
    author = clinician("fault-author", "Author")
    reviewer = clinician("fault-reviewer", "Clinical reviewer")
    working = Condition.objects.get(slug=slug)
    working.summary = f"{working.summary.rstrip()} {marker}"
    working.record_change(by=author)
    live = working.publish(by=reviewer, attested=True)
    return live.summary


def live_summary(slug: str) -> str:
    return Condition.objects.published().get(slug=slug).summary


def patient_urls() -> list[str]:
    """Every page a patient can reach: home, A–Z, each published article, each published
    treatment comparison and each published questionnaire's start page."""
    live = Condition.objects.published()
    urls = [reverse("conditions:home"), reverse("conditions:condition_list")]
    urls += [c.get_absolute_url() for c in live.order_by("slug")]
    comparisons = TreatmentComparison.objects.published().filter(condition__in=live)
    urls += sorted(c.get_absolute_url() for c in comparisons.select_related("condition"))
    urls += [q.get_absolute_url() for q in Questionnaire.objects.published().order_by("slug")]
    return urls


def login_failure_addresses() -> list[str]:
    """The client addresses django-axes recorded for failed admin sign-ins."""
    from axes.models import AccessAttempt, AccessFailureLog

    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    addresses |= set(AccessFailureLog.objects.values_list("ip_address", flat=True))
    return sorted(a for a in addresses if a)


OPERATIONS = {
    "approve": approve,
    "live_summary": live_summary,
    "patient_urls": patient_urls,
    "login_failure_addresses": login_failure_addresses,
}


def main() -> None:
    # Answers go to the real stdout; anything else printed (the console email backend's
    # workflow emails) goes to stderr.
    answers, sys.stdout = sys.stdout, sys.stderr
    print(json.dumps({"ok": True, "result": "ready"}), file=answers, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        close_old_connections()
        try:
            result = OPERATIONS[request["op"]](*request.get("args", []))
            answer = {"ok": True, "result": result}
        except Exception as exc:  # reported to the test, which decides
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            connection.close()
        print(json.dumps(answer), file=answers, flush=True)


if __name__ == "__main__":
    main()
