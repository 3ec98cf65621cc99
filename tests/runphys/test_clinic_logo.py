"""The clinic's logo: uploaded through the clinic settings, it takes the one upload pipeline
(runphys.uploads), is served only to the clinic with the type of its re-encoded format and no
file name, and a replaced or removed logo leaves no file behind."""

import importlib
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from runphys.models import Clinic
from tests.helpers import image_bytes, upload

pytestmark = pytest.mark.django_db


def save_settings(client, clinic: Clinic, **extra):
    data = {"name": clinic.name, "paper_size": "A4", "distance_unit": "km", "time_zone": "Europe/London",
            "program_link_grace_days": "28"} | extra
    return client.post(reverse("clinic_settings"), data)


def served(client) -> tuple:
    response = client.get(reverse("clinic_logo"))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_a_jpeg_named_pdf_is_stored_stripped_and_served_as_jpeg(alice_client, clinic_a, media_root,
                                                                django_capture_on_commit_callbacks):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    jpeg = image_bytes("JPEG", size=(300, 100), exif=exif)
    with django_capture_on_commit_callbacks(execute=True):
        response = save_settings(alice_client, clinic_a, logo=upload(jpeg, "Harbour brand.pdf", "application/pdf"))
    assert response.status_code == 302
    clinic_a.refresh_from_db()
    assert re.fullmatch(r"logos/[0-9a-f]{32}\.jpg", clinic_a.logo.name)
    response, data = served(alice_client)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline" and "Harbour" not in str(response.headers)
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(BytesIO(data))
    assert image.format == "JPEG" and not image.getexif() and b"PhoneMaker" not in data and b"Exif" not in data


def test_text_chunks_and_appended_html_never_reach_storage(alice_client, clinic_a, media_root):
    info = PngInfo()
    info.add_text("Author", "Dr Secret")
    hostile = image_bytes("PNG", size=(200, 80), pnginfo=info) + b"<html><script>alert(1)</script></html>"
    assert save_settings(alice_client, clinic_a, logo=upload(hostile, "logo.xbm", "image/x-xbitmap")).status_code == 302
    clinic_a.refresh_from_db()
    stored = (Path(media_root) / clinic_a.logo.name).read_bytes()
    assert b"Dr Secret" not in stored and b"<script" not in stored and b"tEXt" not in stored
    response, data = served(alice_client)
    assert response["Content-Type"] == "image/png" and data == stored


@pytest.mark.parametrize("data, name, message", [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "logo.png", "Upload a JPEG, PNG or WebP picture."),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>', "logo.png",
     "SVG drawings are not accepted"),
    (b"#define logo_width 8\n#define logo_height 8\n", "logo.xbm", "Upload a JPEG, PNG or WebP picture."),
])
def test_what_is_not_a_picture_is_refused_with_a_message_and_nothing_is_stored(
        alice_client, clinic_a, media_root, data, name, message):
    response = save_settings(alice_client, clinic_a, logo=upload(data, name), handout_footer="Open Mon-Fri")
    assert response.status_code == 200 and message in response.text
    clinic_a.refresh_from_db()
    assert not clinic_a.logo and clinic_a.handout_footer == ""
    assert not any(Path(media_root).rglob("*.*"))


def test_a_144_megapixel_logo_is_refused_before_decoding(alice_client, clinic_a, media_root):
    buffer = BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")  # 144 megapixels in a few kilobytes
    assert buffer.tell() < 1024 * 1024
    response = save_settings(alice_client, clinic_a, logo=upload(buffer.getvalue(), "poster.png"))
    assert response.status_code == 200 and "The logo has too many pixels" in response.text
    clinic_a.refresh_from_db()
    assert not clinic_a.logo


def test_replacing_or_removing_the_logo_deletes_the_old_file(alice_client, clinic_a, media_root,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        save_settings(alice_client, clinic_a, logo=upload(image_bytes(colour=(0, 0, 255))))
    clinic_a.refresh_from_db()
    first = Path(media_root) / clinic_a.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        save_settings(alice_client, clinic_a, logo=upload(image_bytes(colour=(0, 255, 0))))
    clinic_a.refresh_from_db()
    second = Path(media_root) / clinic_a.logo.name
    assert second.is_file() and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        save_settings(alice_client, clinic_a, handout_footer="Closed Sundays")
    clinic_a.refresh_from_db()
    assert (Path(media_root) / clinic_a.logo.name) == second and second.is_file()  # kept when not touched
    with django_capture_on_commit_callbacks(execute=True):
        save_settings(alice_client, clinic_a, remove_logo="on")
    clinic_a.refresh_from_db()
    assert not clinic_a.logo and not second.exists()


def test_a_deleted_record_takes_its_files_with_it(clinic_b, media_root, django_capture_on_commit_callbacks):
    clinic_b.logo.save("x.png", upload(image_bytes()), save=True)
    stored = Path(media_root) / clinic_b.logo.name
    assert stored.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        clinic_b.delete()
    assert not stored.exists()


def test_only_the_clinic_sees_its_logo(client, alice_client, charlie_client, clinic_a, media_root):
    clinic_a.logo.save("x.png", upload(image_bytes()), save=True)
    assert charlie_client.get(reverse("clinic_logo")).status_code == 404  # clinic B has none
    assert client.get(reverse("clinic_logo")).status_code == 302
    assert alice_client.post(reverse("clinic_logo")).status_code == 405


def test_logos_stored_before_the_pipeline_are_re_encoded_or_removed(clinic_a, clinic_b, media_root):
    migration = importlib.import_module("runphys.migrations.0010_reencode_stored_logos")
    info = PngInfo()
    info.add_text("Author", "Dr Secret")
    (media_root / "logos").mkdir()
    (media_root / "logos" / "brand.pdf").write_bytes(image_bytes("PNG", pnginfo=info) + b"<script>")
    (media_root / "logos" / "evil.png").write_bytes(b"%PDF-1.7\n%%EOF")
    Clinic.objects.filter(pk=clinic_a.pk).update(logo="logos/brand.pdf")
    Clinic.objects.filter(pk=clinic_b.pk).update(logo="logos/evil.png")
    migration.reencode_logos(apps, None)
    clinic_a.refresh_from_db()
    clinic_b.refresh_from_db()
    assert re.fullmatch(r"logos/[0-9a-f]{32}\.png", clinic_a.logo.name)
    assert b"Dr Secret" not in (media_root / clinic_a.logo.name).read_bytes()
    assert not clinic_b.logo
    assert sorted(p.name for p in (media_root / "logos").iterdir()) == [Path(clinic_a.logo.name).name]
