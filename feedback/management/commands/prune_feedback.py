"""`manage.py prune_feedback`: delete what the privacy page says we keep only for a while.

Feedback answers, notes and problem reports: 90 days. Search counts and page-view counts:
13 months. The scheduler runs it daily (README, "Scheduled jobs").
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from feedback.models import PageFeedback, PageViewDay, ProblemReport, SearchDay, SearchTerm


class Command(BaseCommand):
    help = "Delete feedback and problem reports over 90 days old, and counts over 13 months old."

    def handle(self, *args, **options):
        today = timezone.localdate()
        for model in (PageFeedback, ProblemReport, SearchTerm, SearchDay, PageViewDay):
            deleted, _ = model.objects.expired(today).delete()
            if options["verbosity"]:
                self.stdout.write(f"{model._meta.verbose_name_plural}: deleted {deleted}")
