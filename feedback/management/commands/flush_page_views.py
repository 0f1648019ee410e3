"""`manage.py flush_page_views`: move the page-view counters from the cache to the database.

The scheduler runs it every 5 minutes (README, "Scheduled jobs"). Counters wait in the cache
for up to 3 days, so a missed run loses nothing.
"""

from django.core.management.base import BaseCommand

from feedback.counting import flush_page_views


class Command(BaseCommand):
    help = "Move page-view counters from the shared cache into the database (run every 5 min)."

    def handle(self, *args, **options):
        moved = flush_page_views()
        if options["verbosity"]:
            self.stdout.write(f"Flushed {moved} page views.")
