"""Load the demo content: articles, treatment comparisons, questionnaires and kiosk setup.

    python manage.py load_demo_content [--if-empty] [--refresh] [--demo-accounts]

Idempotent: what already exists is left as it is. Everything loads in one transaction, so a
failure leaves the database as it was (and a later `--if-empty` run tries again).
`--refresh` also brings a database loaded by an earlier version up to date, for the demo
content that is still unreviewed example content (a module's `refresh()`, where it has one):
nothing the clinic has approved or is editing is changed.
`--demo-accounts` (DEBUG only) gives the demo author and reviewer random passwords and prints
them once; in production it is refused and no login-capable account is created.
"""

from __future__ import annotations

import importlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from conditions.demo import example_account
from conditions.models import Condition

# Loaded in this order.
DEMO_MODULES = [
    "conditions.demo.articles",
    "conditions.demo.treatments",
    "conditions.demo.questionnaires",
    "conditions.demo.safety",
    "conditions.demo.kiosk",
    "conditions.demo.translations",  # after the English it translates
]

# Named for what they are: example accounts, not clinicians. Content they approve is labelled
# on patient pages as example content awaiting the clinic's own review (Reviewable.publish).
DEMO_USERS = {
    "author": {
        "username": "demo-author",
        "first_name": "Demo author",
        "last_name": "(example account)",
        "email": "demo-author@clinic.example",
        "group": "Author",
        "role": "example author account",
    },
    "reviewer": {
        "username": "demo-reviewer",
        "first_name": "Demo reviewer",
        "last_name": "(example account, not a clinician)",
        "email": "demo-reviewer@clinic.example",
        "group": "Clinical reviewer",
        "role": "example reviewer account",
    },
}


class Command(BaseCommand):
    help = (
        "Load the demo condition articles, treatment comparisons, questionnaires and kiosk "
        "setup. Safe to run again: existing content is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when no condition article exists yet (used by `make run`).",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help=(
                "Also update demo content that is still unreviewed example content (approved "
                "only by the demo reviewer, nothing in progress) to this version. Anything the "
                "clinic has approved or is editing is left as it is."
            ),
        )
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="DEBUG only: give the demo author and reviewer passwords and print them once.",
        )

    def handle(self, *args, if_empty=False, refresh=False, demo_accounts=False, **options):
        if demo_accounts and not settings.DEBUG:
            raise CommandError(
                "--demo-accounts is refused because DEBUG is off (production). It would create "
                "staff logins with printed passwords. Nothing was loaded. Run without "
                "--demo-accounts, and create real accounts with `manage.py createsuperuser`."
            )

        if if_empty and Condition.objects.exists():
            self.stdout.write("Condition articles already exist; demo content not loaded.")
            if demo_accounts:
                self._report_existing_accounts()
            return

        # The example accounts' addresses are not real: no workflow emails while loading.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with quiet, transaction.atomic():
            users = {role: self._ensure_user(**spec) for role, spec in DEMO_USERS.items()}
            loaded = []
            for name in DEMO_MODULES:
                module = importlib.import_module(name)
                result = module.load(users["author"], users["reviewer"])
                loaded.append(name)
                if isinstance(result, (list, tuple)):
                    created = ", ".join(map(str, result)) or "nothing new (already present)"
                    self.stdout.write(f"{name}: created {created}")
                if refresh and hasattr(module, "refresh"):
                    updated = module.refresh(users["author"], users["reviewer"])
                    listed = ", ".join(map(str, updated)) or "nothing (already up to date)"
                    self.stdout.write(f"{name}: brought up to date {listed}")

        self.stdout.write(self.style.SUCCESS("Loaded: " + (", ".join(loaded) or "nothing")))
        if demo_accounts:
            self._give_passwords(users.values())

    # -- helpers ----------------------------------------------------------------------------
    def _ensure_user(self, *, username, first_name, last_name, email, group, role):
        # A named reviewer, not a login, unless --demo-accounts gives a password (DEBUG).
        user, created = example_account(
            username, [group], first_name=first_name, last_name=last_name, email=email
        )
        if created:
            self.stdout.write(f"Created demo user {username} ({first_name} {last_name}, {role}).")
        return user

    def _give_passwords(self, users) -> None:
        for user in users:
            if user.has_usable_password():
                self._say_exists(user)
                continue
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(
                self.style.WARNING(
                    f"Demo login (shown only once): username {user.get_username()}  "
                    f"password {password}"
                )
            )

    def _report_existing_accounts(self) -> None:
        User = get_user_model()
        names = [spec["username"] for spec in DEMO_USERS.values()]
        for user in User.objects.filter(username__in=names):
            if user.has_usable_password():
                self._say_exists(user)

    def _say_exists(self, user) -> None:
        self.stdout.write(
            f"Demo account {user.get_username()} already exists; its password is not shown "
            f"again. Reset it with: python manage.py changepassword {user.get_username()}"
        )
