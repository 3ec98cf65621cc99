"""Pictures that clinics upload for their own exercises.

A file is accepted only if Pillow recognises its *content* as JPEG, PNG or WebP (the name and the
browser's content type are ignored), it is at most 5 MB, and its pixel count is sane. It is then
re-encoded from pixels alone: turned upright from its EXIF orientation, shrunk to at most 1600 px on
the long side, and saved without EXIF, GPS, XMP, ICC or text chunks. The stored name is a random
UUID, and the file is served only by ``exercises.views.exercise_picture``, which checks the clinic.
"""

import uuid
import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_LONG_SIDE = 1600
# Decoding is bounded before any pixel is read: 40 megapixels covers every phone camera.
MAX_PIXELS = 40_000_000
# Pillow format name -> (file extension, content type served).
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = {extension: content_type for extension, content_type in FORMATS.values()}
REJECTED = "Upload a JPEG, PNG or WebP picture."


def clean_upload(upload: File) -> ContentFile:
    """Validate an uploaded picture and return a cleaned copy ready to store, or raise
    ValidationError with a message for the form."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The picture is larger than 5 MB; export a smaller one.", code="too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The picture has too many pixels; export a smaller one.", code="too_many_pixels")
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError) as error:
        raise ValidationError(REJECTED, code="not_an_image") from error
    return ContentFile(reencode(image), name=new_name(image.format))


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
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette())
        if "transparency" in image.info:
            clean.info["transparency"] = image.info["transparency"]
    clean.paste(image)
    buffer = BytesIO()
    if image_format == "JPEG":
        clean.save(buffer, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        clean.save(buffer, "PNG", optimize=True)
    else:
        clean.save(buffer, "WEBP", quality=85)
    return buffer.getvalue()


def new_name(image_format: str) -> str:
    return f"{uuid.uuid4().hex}.{FORMATS[image_format][0]}"


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def duplicate(picture: FieldFile) -> ContentFile:
    """A copy of a stored picture under a new random name (for "copy to my clinic")."""
    with picture.open("rb") as source:
        data = source.read()
    extension = picture.name.rsplit(".", 1)[-1]
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}")
