"""Production static storage (portal/storage.py): hashed addresses, worked out once a file."""

import json

import pytest
from django.test import override_settings

from portal.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1", "hash": ""}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    with override_settings(DEBUG=False):
        yield StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_a_static_address_is_the_hashed_file_from_the_manifest(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"


def test_a_static_address_is_looked_up_in_the_manifest_once(storage, monkeypatch):
    storage.url("css/site.css")
    monkeypatch.setattr(storage, "hashed_files", {})  # a second lookup would now fail
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"


def test_a_file_missing_from_the_manifest_still_fails_and_is_not_kept(storage):
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/missing.css")
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/missing.css")
