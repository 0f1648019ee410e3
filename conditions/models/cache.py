"""The database's record of the last content change, for the page cache (conditions/caching.py)."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, models


class ContentVersion(models.Model):
    """One row: the version of the content that the last change made.

    Written in the same transaction as the change, so it is right even when the cache was
    unreachable at that moment; the page cache checks its own generation against it now and
    then (settings.PAGE_CACHE_VERIFY_SECONDS) and after every cache outage.
    """

    ROW = 1

    version = models.CharField(max_length=64)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return self.version

    @classmethod
    def record(cls, version: str, using: str = DEFAULT_DB_ALIAS) -> None:
        from django.utils import timezone

        rows = cls.objects.using(using)
        if not rows.filter(pk=cls.ROW).update(version=version, changed_at=timezone.now()):
            rows.update_or_create(pk=cls.ROW, defaults={"version": version})

    @classmethod
    def current(cls, default: str, using: str = DEFAULT_DB_ALIAS) -> str:
        """The recorded version (one query); records ``default`` when there is none yet."""
        found = cls.objects.using(using).filter(pk=cls.ROW).values_list("version", flat=True)
        for version in found:
            return version
        return (
            cls.objects.using(using)
            .get_or_create(pk=cls.ROW, defaults={"version": default})[0]
            .version
        )
