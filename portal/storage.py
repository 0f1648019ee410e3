"""Static files storage for production: whitenoise's compressed, hashed files, with each
file's address worked out once per process.

The manifest is read once when the process starts and does not change under it, so the
address of `css/site.css` is the same on every page: the hashed-name lookup (cleaning the
name, the manifest, URL quoting) was 2-3% of a search's time in a gunicorn worker (six
`{% static %}` tags in base.html).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            # A name the manifest lacks raises here, as before, and is not kept.
            url = self._urls[name] = super().url(name)
            return url
