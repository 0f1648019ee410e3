"""Article pictures: EXIF and GPS stripped on upload, resized copies for the page,
source/consent and skin tone required, and a chosen file kept when the page has an error."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conditions import uploads
from conditions.models import ConditionImage
from tests.conditions.article_admin import change_url, form_data, user_in
from tests.factories import ConditionFactory, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SERVE_MEDIA = True
    return tmp_path


def phone_photo(fmt="JPEG", size=(1200, 800)) -> bytes:
    """A picture with what a phone writes: maker, model, time, GPS position, orientation."""
    image = Image.new("RGB", size, (200, 120, 80))
    image.paste((20, 40, 200), (0, 0, size[0] // 4, size[1] // 4))  # a mark top-left
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    exif[0x0132] = "2026:11:30 09:15:00"
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to show upright
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 26.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    extra = {"comment": b"Patient J. Smith"} if fmt == "JPEG" else {}
    image.save(buffer, fmt, exif=exif.tobytes(), **extra)
    return buffer.getvalue()


def test_the_phone_photo_really_carries_gps_before_upload():
    with Image.open(io.BytesIO(phone_photo())) as image:
        assert image.getexif().get_ifd(0x8825)[1] == "N"


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "spot.jpg"), ("WEBP", "spot.webp")])
def test_saved_pictures_have_no_exif_gps_or_comment_and_are_upright(media, fmt, name):
    condition = ConditionFactory()
    picture = ConditionImage(
        condition=condition,
        image=SimpleUploadedFile(name, phone_photo(fmt)),
        alt_text="White bumps under the eye",
        origin=ConditionImage.Origin.CLINIC_CONSENT,
        credit="Taken in this clinic",
        skin_tone=ConditionImage.SkinTone.III_IV,
    )
    picture.full_clean()
    picture.save()
    data = (media / picture.image.name).read_bytes()
    assert b"PhoneMaker" not in data and b"J. Smith" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info and "comment" not in stored.info
        assert stored.size == (800, 1200)  # turned upright, as the orientation tag said
    # Nothing with the metadata is left anywhere under MEDIA_ROOT.
    for path in media.rglob("*"):
        if path.is_file():
            assert b"PhoneMaker" not in path.read_bytes()


def test_resized_copies_are_stored_and_offered_to_the_browser(client, media):
    condition = ConditionFactory(published=True)
    picture = ConditionImage.objects.create(
        condition=condition,
        image=SimpleUploadedFile("wide.jpg", phone_photo(size=(800, 2000))),  # upright: 2000 wide
        alt_text="Milia on a cheek",
        origin=ConditionImage.Origin.CLINIC_CONSENT,
        credit="Taken in this clinic",
        skin_tone=ConditionImage.SkinTone.V_VI,
    )
    assert set(picture.renditions) == {"480", "960", "2000"}
    for width, name in picture.renditions.items():
        with Image.open(media / name) as copy:
            assert copy.width == int(width)
            assert len(copy.getexif()) == 0
    make_live(condition)
    html = client.get(condition.get_absolute_url()).content.decode()
    assert "-480.jpg 480w" in html and "-960.jpg 960w" in html and " 2000w" in html


def test_a_small_picture_gets_no_larger_copies(media):
    picture = ConditionImage.objects.create(
        condition=ConditionFactory(),
        image=SimpleUploadedFile("small.png", phone_photo("PNG", size=(300, 200))),
        alt_text="A small spot",
        origin=ConditionImage.Origin.ILLUSTRATION,
        credit="Drawn for this clinic",
        skin_tone=ConditionImage.SkinTone.NOT_SKIN,
    )
    assert list(picture.renditions) == ["200"]
    assert picture.srcset == ""


def test_pictures_without_source_or_skin_tone_block_publishing():
    condition = ConditionFactory()
    ConditionImage.objects.create(
        condition=condition, image="conditions/old.jpg", alt_text="An old picture"
    )
    problems = " ".join(condition.publish_problems())
    assert "Picture “An old picture”: say where it comes from" in problems
    assert "say which skin tone it shows" in problems


# -- the admin form --------------------------------------------------------------------------
def image_row(condition, **fields):
    row = {
        "images-TOTAL_FORMS": 1,
        "images-0-order": 1,
        "images-0-alt_text": "Milia under the eye",
        "images-0-caption": "",
        "images-0-origin": "clinic_consent",
        "images-0-credit": "Taken in this clinic",
        "images-0-skin_tone": "medium",
        "images-0-held_image": "",
        "images-0-condition": condition.pk,
    }
    row.update({f"images-0-{k}": v for k, v in fields.items()})
    return row


def test_source_and_skin_tone_are_required_with_clear_messages(client):
    client.force_login(user_in("Author"))
    condition = ConditionFactory()
    data = form_data(condition, **image_row(condition, origin="", skin_tone=""))
    data["images-0-image"] = SimpleUploadedFile("spot.jpg", phone_photo())
    response = client.post(change_url(condition), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say where the picture comes from" in page
    assert "Say which skin tone the picture shows" in page
    assert not condition.images.exists()


def test_the_chosen_file_is_kept_when_another_field_has_an_error(client, media):
    client.force_login(user_in("Author"))
    condition = ConditionFactory()
    data = form_data(condition, **image_row(condition, alt_text=""))
    data["images-0-image"] = SimpleUploadedFile("spot.jpg", phone_photo())
    response = client.post(change_url(condition), data)
    assert response.status_code == 200
    assert not condition.images.exists()
    page = response.content.decode()
    assert "Kept from your last try: spot.jpg" in page
    token = response.context["inline_admin_formsets"][-1].formset.forms[0]["held_image"].value()
    assert token
    held = [p for p in media.rglob("*.held")]
    assert len(held) == 1 and b"PhoneMaker" not in held[0].read_bytes()

    # The second try sends no file, only the token, and fixes the alt text.
    condition.refresh_from_db()
    data = form_data(condition, **image_row(condition, held_image=token))
    response = client.post(change_url(condition), data)
    assert response.status_code == 302
    picture = condition.images.get()
    assert picture.image.name.startswith("conditions/spot")
    assert b"PhoneMaker" not in (media / picture.image.name).read_bytes()
    assert list(media.rglob("*.held")) == []  # released once saved


def test_a_forged_held_token_is_ignored(client, media):
    client.force_login(user_in("Author"))
    condition = ConditionFactory()
    data = form_data(condition, **image_row(condition, held_image="../../etc/passwd:forged"))
    response = client.post(change_url(condition), data)
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not condition.images.exists()


def test_held_files_are_never_served(client, media):
    token = uploads.hold(b"\xff\xd8\xff picture bytes", "spot.jpg")
    path = next(media.rglob("*.held")).relative_to(media)
    assert client.get(f"/media/{path}").status_code == 404
    assert uploads.held(token) == ("spot.jpg", b"\xff\xd8\xff picture bytes")
    uploads.release(token)
    assert uploads.held(token) is None


def test_the_review_comparison_shows_the_picture_not_its_derived_copies():
    condition = ConditionFactory()
    ConditionImage.objects.create(
        condition=condition,
        image=SimpleUploadedFile("wide.jpg", phone_photo(size=(800, 2000))),
        alt_text="Milia on a cheek",
        origin=ConditionImage.Origin.CLINIC_CONSENT,
        credit="Taken in this clinic",
        skin_tone=ConditionImage.SkinTone.V_VI,
    )
    readable = str(condition.readable())
    assert "Milia on a cheek" in readable
    assert "renditions" not in readable and "-480.jpg" not in readable


def test_source_and_skin_tone_start_empty_so_nothing_is_chosen_for_the_editor(client):
    client.force_login(user_in("Author"))
    condition = ConditionFactory()
    page = client.get(change_url(condition)).content.decode()
    for name in ("origin", "skin_tone"):
        start = page.index(f'name="images-__prefix__-{name}"')
        select = page[start : page.index("</select>", start)]
        assert '<option value="" selected>---------</option>' in select
