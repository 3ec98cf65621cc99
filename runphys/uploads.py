"""Uploaded pictures: the one way a picture enters storage and the one way it is served.

Every picture a user uploads (a clinic's logo, a clinic exercise's start and end pictures, and any
later upload) goes through ``clean``:

- it is recognised by its *content* as JPEG, PNG or WebP (the name and the browser's content type
  are ignored); anything else, an SVG or a PDF named ``.png`` included, is refused with a message;
- it is at most 5 MB, and its pixel count, read from the header, is at most 40 megapixels, checked
  *before* a pixel is decoded (a small file can claim 144 megapixels and take gigabytes to decode);
  ``Image.MAX_IMAGE_PIXELS`` is lowered to the same cap, so every other Pillow decode in the process
  (the handout's print copies) refuses such a file too;
- it is decoded and re-encoded from its pixels alone in the format its content has: turned upright
  from its EXIF orientation, shrunk to at most 1600 px on the long side, and saved without EXIF
  (camera, GPS), XMP, ICC profile or PNG text chunks; bytes appended after the image (HTML, a
  PDF) are not pixels, so they are gone;
- it is stored under a random name, so nothing of the uploaded name is kept.

``serve`` sends a stored picture with the content type of the format it was re-encoded to (never
one guessed from an uploaded name), ``nosniff``, and ``Content-Disposition: inline`` without a file
name. A replaced picture is deleted from storage once the change commits (``delete_replaced``), and
a deleted record takes its files with it (``delete_files_of``, connected for every model).
"""

import uuid
import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_LONG_SIDE = 1600
# 40 megapixels covers every phone camera; the header says how many there are before decoding.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns past this and refuses past twice it
# Pillow format name -> (file extension, content type served).
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = {extension: content_type for extension, content_type in FORMATS.values()}
ACCEPT = ",".join(content_type for _, content_type in FORMATS.values())  # the file input's accept=
REJECTED = "Upload a JPEG, PNG or WebP picture."
SVG_REJECTED = "SVG drawings are not accepted: export it as a PNG or JPEG and upload that."


def clean(upload: File, *, noun: str = "picture") -> ContentFile:
    """Validate an uploaded picture and return a re-encoded copy under a random name, ready to
    store; or raise ValidationError with a message for the form (``noun`` names the thing in it)."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The {noun} is larger than 5 MB; export a smaller one.", code="too_large")
    upload.seek(0)
    too_many_pixels = ValidationError(
        f"The {noun} has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels); export a smaller one.",
        code="too_many_pixels")
    try:
        with warnings.catch_warnings():
            # Opening reads the header only; the cap below is ours, checked before load() decodes.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(FORMATS))
        if image.width * image.height > MAX_PIXELS:
            raise too_many_pixels
        image.load()
    except Image.DecompressionBombError as error:  # more than twice the cap: refused by Pillow itself
        raise too_many_pixels from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        upload.seek(0)
        message = SVG_REJECTED if looks_like_svg(upload.read(4096)) else REJECTED
        raise ValidationError(message, code="not_an_image") from error
    return ContentFile(reencode(image), name=new_name(image.format))


def looks_like_svg(head: bytes) -> bool:
    return b"<svg" in head.lower()


def reencode(image: Image.Image) -> bytes:
    """The pixels only, upright and at most MAX_LONG_SIDE on the long side, in the same format."""
    image_format = image.format
    image = ImageOps.exif_transpose(image)  # also drops the orientation tag
    image.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE), Image.Resampling.LANCZOS)
    if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    elif image_format == "WEBP" and image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
    # A fresh image from the pixels alone: nothing of the original's metadata can travel along.
    clean_image = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean_image.putpalette(image.getpalette())
        if "transparency" in image.info:
            clean_image.info["transparency"] = image.info["transparency"]
    clean_image.paste(image)
    buffer = BytesIO()
    if image_format == "JPEG":
        clean_image.save(buffer, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        clean_image.save(buffer, "PNG", optimize=True)
    else:
        clean_image.save(buffer, "WEBP", quality=85)
    return buffer.getvalue()


def new_name(image_format: str) -> str:
    return f"{uuid.uuid4().hex}.{FORMATS[image_format][0]}"


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def serve(name: str, storage: Storage = default_storage) -> FileResponse:
    """A stored picture as a response. Its name was chosen by ``clean`` (or by a print copy), so
    the extension is the format it was encoded in; anything else would be sent as a download."""
    kind = content_type(name)
    response = FileResponse(storage.open(name, "rb"), content_type=kind)
    # FileResponse would name the stored file; the picture is shown, never saved under a name.
    response["Content-Disposition"] = "inline" if kind in CONTENT_TYPES.values() else "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def duplicate(picture: FieldFile) -> ContentFile:
    """A copy of a stored picture under a new random name (for "copy to my clinic")."""
    with picture.open("rb") as source:
        data = source.read()
    extension = picture.name.rsplit(".", 1)[-1]
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}")


def delete_replaced(old_name: str, current: FieldFile) -> None:
    """Once the caller's transaction commits, delete ``old_name`` if ``current`` no longer is it
    (a picture replaced or removed leaves nothing behind)."""
    if old_name and current.name != old_name:
        storage = current.storage
        transaction.on_commit(lambda: storage.delete(old_name))


def delete_files_of(sender, instance: models.Model, **kwargs) -> None:
    """``post_delete`` receiver for every model: a deleted record's stored files go once the
    deletion commits (no file is shared by two records: copies are duplicated)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            stored = getattr(instance, field.attname)
            if stored:
                name, storage = stored.name, stored.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
