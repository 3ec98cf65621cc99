"""runphys.uploads: every picture is recognised by content, capped in pixels before decoding,
re-encoded from its pixels (no EXIF, GPS, PNG text or appended bytes), named at random, and served
with the type of the format it was re-encoded to."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image, ImageFile
from PIL.PngImagePlugin import PngInfo

from runphys import uploads
from tests.helpers import image_bytes, upload


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    data = image_bytes("JPEG", size=(120, 80), exif=exif)
    assert Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input has GPS
    return data


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", "Dr Secret, 12 Harbour Lane")
    info.add_itxt("Comment", "taken at the athlete's home")
    data = image_bytes("PNG", size=(90, 30), pnginfo=info)
    assert Image.open(BytesIO(data)).text["Author"]  # the input has text chunks
    return data


def huge_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` pixels, with one compressed row of data:
    a few hundred bytes on disk, gigabytes once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    row = zlib.compress(b"\0" + b"\0" * (width * 3), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def test_exif_and_gps_are_gone_and_the_name_is_random():
    cleaned = uploads.clean(upload(jpeg_with_gps(), "IMG_0042 home.pdf", "application/pdf"))
    data = cleaned.read()
    image = Image.open(BytesIO(data))
    assert image.format == "JPEG" and image.size == (120, 80)
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert cleaned.name.endswith(".jpg") and "IMG" not in cleaned.name and "home" not in cleaned.name


def test_png_text_chunks_and_appended_html_are_gone():
    hostile = png_with_text() + b"<html><script>alert(document.cookie)</script></html>"
    data = uploads.clean(upload(hostile, "logo.xbm", "image/x-xbitmap")).read()
    image = Image.open(BytesIO(data))
    assert image.format == "PNG" and image.size == (90, 30)
    assert not getattr(image, "text", {}) and b"tEXt" not in data and b"iTXt" not in data
    assert b"Secret" not in data and b"<script" not in data
    assert data.endswith(b"IEND\xaeB`\x82")  # nothing after the image's last chunk


def test_a_pdf_named_png_is_refused():
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"
    with pytest.raises(ValidationError) as error:
        uploads.clean(upload(pdf, "logo.png"))
    assert error.value.code == "not_an_image" and error.value.messages == [uploads.REJECTED]


def test_a_png_carrying_a_pdf_keeps_only_its_pixels():
    polyglot = image_bytes("PNG") + b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"
    data = uploads.clean(upload(polyglot, "logo.pdf", "application/pdf")).read()
    assert Image.open(BytesIO(data)).format == "PNG" and b"%PDF" not in data


def test_an_svg_is_refused_with_its_own_message():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError) as error:
        uploads.clean(upload(svg, "logo.png"), noun="logo")
    assert error.value.messages == [uploads.SVG_REJECTED]


@pytest.mark.parametrize("width, height", [(8000, 6000), (12000, 12000), (13000, 13000)])
def test_too_many_pixels_are_refused_before_decoding(width, height, monkeypatch):
    data = huge_png(width, height)
    assert len(data) < 200_000  # small on disk: only the header says how big it is

    def no_decoding(self):
        raise AssertionError("the picture was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ValidationError) as error:
        uploads.clean(upload(data, "logo.png"), noun="logo")
    assert error.value.code == "too_many_pixels"
    assert error.value.messages == ["The logo has too many pixels (at most 40 megapixels); export a smaller one."]


def test_pillow_itself_is_capped_for_the_whole_process():
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(BytesIO(huge_png(12000, 12000)))


@pytest.mark.parametrize("name, content_type, disposition", [
    ("logos/0123.png", "image/png", "inline"),
    ("exercise-pictures/0123.jpg", "image/jpeg", "inline"),
    ("exercise-pictures/0123.webp", "image/webp", "inline"),
    ("logos/brand.pdf", "application/octet-stream", "attachment"),
])
def test_served_by_the_stored_format_with_no_file_name(name, content_type, disposition, media_root):
    (media_root / name).parent.mkdir(parents=True, exist_ok=True)
    (media_root / name).write_bytes(b"stored")
    response = uploads.serve(name)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    response.file_to_stream.close()  # (response.close() would signal the end of a request)
