"""Clinic pictures: recognised by content, size-limited, resized, stripped of metadata, stored under
random names and served only to the owning clinic."""

import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import ExifTags, Image

from exercises.models import Exercise
from runphys import uploads
from tests.helpers import exercise_form_data, image_bytes, upload

pytestmark = pytest.mark.django_db


def edit(client, exercise: Exercise, **files):
    return client.post(reverse("exercises:edit", args=[exercise.code]), {**exercise_form_data(), **files})


def picture_url(exercise: Exercise, position: str = "start") -> str:
    return reverse("exercises:picture", args=[exercise.code, position])


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Clinic phone 7"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    data = image_bytes("JPEG", size=(120, 80), exif=exif)
    original = Image.open(BytesIO(data)).getexif()
    assert original[ExifTags.Base.Make] == "PhoneMaker"
    assert original.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"  # the test input has GPS
    return data


def test_an_uploaded_picture_is_stored_under_a_random_name_and_served_to_the_clinic(
        alice_client, bob_client, clinic_exercise, media_root):
    response = edit(alice_client, clinic_exercise, start_picture=upload(image_bytes(), "my knee photo.png"))
    assert response.status_code == 302
    clinic_exercise.refresh_from_db()
    name = clinic_exercise.start_picture.name
    assert re.fullmatch(r"exercise-pictures/[0-9a-f]{32}\.png", name)
    assert (Path(media_root) / name).is_file()
    page = bob_client.get(clinic_exercise.get_absolute_url())
    assert picture_url(clinic_exercise) in page.text and "/media/" not in page.text
    served = bob_client.get(picture_url(clinic_exercise))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(BytesIO(b"".join(served.streaming_content))).size == (64, 48)


def test_charlie_gets_404_for_clinic_a_picture(charlie_client, clinic_exercise):
    clinic_exercise.start_picture.save("x.png", upload(image_bytes()), save=True)
    assert charlie_client.get(picture_url(clinic_exercise)).status_code == 404


def test_anonymous_is_sent_to_login_and_only_get_is_allowed(client, alice_client, clinic_exercise):
    clinic_exercise.start_picture.save("x.png", upload(image_bytes()), save=True)
    assert client.get(picture_url(clinic_exercise)).status_code == 302
    assert alice_client.post(picture_url(clinic_exercise)).status_code == 405


def test_missing_or_unknown_pictures_are_404(alice_client, clinic_exercise):
    assert alice_client.get(picture_url(clinic_exercise, "end")).status_code == 404
    assert alice_client.get(picture_url(clinic_exercise, "middle")).status_code == 404


def test_an_html_file_named_png_is_rejected(alice_client, clinic_exercise):
    html = upload(b"<!doctype html><script>alert(document.cookie)</script>", "photo.png", "image/png")
    response = edit(alice_client, clinic_exercise, start_picture=html)
    assert response.status_code == 200 and "Upload a JPEG, PNG or WebP picture." in response.text
    clinic_exercise.refresh_from_db()
    assert not clinic_exercise.start_picture


def test_a_non_image_is_rejected(alice_client, clinic_exercise, media_root):
    pdf = upload(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "exercise.jpg", "image/jpeg")
    response = edit(alice_client, clinic_exercise, end_picture=pdf)
    assert "Upload a JPEG, PNG or WebP picture." in response.text
    gif = BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    response = edit(alice_client, clinic_exercise, end_picture=upload(gif.getvalue(), "moving.webp", "image/webp"))
    assert "Upload a JPEG, PNG or WebP picture." in response.text
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*.*"))


def test_a_10_mb_image_is_rejected(alice_client, clinic_exercise):
    noise = Image.frombytes("RGB", (1900, 1900), os.urandom(1900 * 1900 * 3))
    buffer = BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    assert buffer.tell() > 10 * 1024 * 1024
    response = edit(alice_client, clinic_exercise, start_picture=upload(buffer.getvalue(), "big.png"))
    assert response.status_code == 200 and "larger than 5 MB" in response.text
    clinic_exercise.refresh_from_db()
    assert not clinic_exercise.start_picture


def test_exif_and_gps_are_stripped_from_a_jpeg(alice_client, clinic_exercise):
    response = edit(alice_client, clinic_exercise, start_picture=upload(jpeg_with_gps(), "run.jpg", "image/jpeg"))
    assert response.status_code == 302
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.start_picture.name.endswith(".jpg")
    served = b"".join(alice_client.get(picture_url(clinic_exercise)).streaming_content)
    image = Image.open(BytesIO(served))
    assert image.format == "JPEG" and image.size == (120, 80)
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in served and b"PhoneMaker" not in served


def test_a_large_picture_is_shrunk_to_1600_on_the_long_side():
    cleaned = uploads.clean(upload(image_bytes("PNG", size=(3200, 1000)), "wide.png"))
    assert Image.open(BytesIO(cleaned.read())).size == (1600, 500)
    cleaned = uploads.clean(upload(image_bytes("WEBP", size=(900, 2400)), "tall.webp", "image/webp"))
    image = Image.open(BytesIO(cleaned.read()))
    assert (image.format, image.size) == ("WEBP", (600, 1600))
    assert cleaned.name.endswith(".webp")


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # taken with the phone on its side
    cleaned = uploads.clean(upload(image_bytes("JPEG", size=(200, 100), exif=exif), "side.jpg"))
    assert Image.open(BytesIO(cleaned.read())).size == (100, 200)


def test_an_absurd_pixel_count_is_refused_before_decoding():
    buffer = BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # 48 megapixels in a few kilobytes
    with pytest.raises(ValidationError) as error:
        uploads.clean(upload(buffer.getvalue(), "bomb.png"))
    assert error.value.code == "too_many_pixels"


def test_replacing_or_removing_a_picture_deletes_the_old_file(
        alice_client, clinic_exercise, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edit(alice_client, clinic_exercise, start_picture=upload(image_bytes(colour=(0, 0, 255))))
    clinic_exercise.refresh_from_db()
    first = Path(media_root) / clinic_exercise.start_picture.name
    with django_capture_on_commit_callbacks(execute=True):
        edit(alice_client, clinic_exercise, start_picture=upload(image_bytes(colour=(0, 255, 0))))
    clinic_exercise.refresh_from_db()
    second = Path(media_root) / clinic_exercise.start_picture.name
    assert second.is_file() and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        edit(alice_client, clinic_exercise, remove_start_picture="on")
    clinic_exercise.refresh_from_db()
    assert not clinic_exercise.start_picture and not second.exists()


def test_saving_without_a_new_upload_keeps_the_stored_picture_untouched(alice_client, clinic_exercise, media_root):
    edit(alice_client, clinic_exercise, start_picture=upload(image_bytes()))
    clinic_exercise.refresh_from_db()
    stored = clinic_exercise.start_picture.name
    assert edit(alice_client, clinic_exercise, reps="14").status_code == 302
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.start_picture.name == stored and clinic_exercise.reps == 14
    assert [p.name for p in Path(media_root).rglob("*.png")] == [Path(stored).name]
