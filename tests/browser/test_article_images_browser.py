"""An author adds a picture in Chromium: the page comes back with errors in other
fields, the chosen file is kept (a browser never re-fills a file input), and the second save
stores it without its EXIF data."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from PIL import Image
from playwright.sync_api import expect

from tests.conditions.test_article_images import phone_photo
from tests.factories import ConditionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-importer"))


def test_a_chosen_picture_survives_an_error_elsewhere_and_is_saved_clean(
    site, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(username="nurse-pictures", first_name="Nia")
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="Author"))
    condition = ConditionFactory()
    site.go("/admin/login/")
    page.get_by_label("Username").fill("nurse-pictures")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    site.go(f"/admin/conditions/condition/{condition.pk}/change/")
    page.locator("#images-group summary").first.click()  # the pictures group starts folded
    page.get_by_text("Add another Condition image").click()
    photo = tmp_path / "spot.jpg"
    photo.write_bytes(phone_photo())
    page.locator("input[name='images-0-image']").set_input_files(str(photo))
    page.locator("select[name='images-0-origin']").select_option("clinic_consent")
    page.locator("input[name='images-0-credit']").fill("Taken in this clinic, with consent")
    page.locator("input[name='_continue']").click()

    expect(page.locator("#error-summary")).to_be_visible()
    expect(
        page.get_by_text("Describe the picture for people who cannot see it.", exact=True)
    ).to_be_visible()
    expect(
        page.locator(".errorlist li", has_text="Say which skin tone the picture shows")
    ).to_be_visible()
    expect(page.get_by_text("Kept from your last try: spot.jpg")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 900})
    page.locator("#images-group").screenshot(path=str(SHOTS / "held-image.png"))

    page.locator("input[name='images-0-alt_text']").fill("Small white bumps under the eye")
    page.locator("select[name='images-0-skin_tone']").select_option("medium")
    page.locator("input[name='_continue']").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")

    picture = condition.images.get()
    assert picture.image.name.startswith("conditions/spot")
    with Image.open(settings.MEDIA_ROOT / picture.image.name) as stored:
        assert len(stored.getexif()) == 0
    assert list(settings.MEDIA_ROOT.rglob("*.held")) == []
