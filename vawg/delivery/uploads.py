"""Checking an evidence file before it is stored: its size, its type by content (never by
its name), and that it is what it claims to be (an image decodes, a PDF has its end
marker, an Office file's archive is sound and not a zip bomb)."""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

# What an evidence file may be: the type by content -> what we call it.
ALLOWED = {
    "application/pdf": "a PDF",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "a PowerPoint presentation"
    ),
}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
ACCEPTED_WORDS = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or PowerPoint (.pptx)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An Office file expands when unzipped; beyond these it is treated as a zip bomb.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
MAX_IMAGE_PIXELS = 50_000_000


def max_bytes() -> int:
    return getattr(settings, "DELIVERY_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(upload) -> CheckedFile:
    """Raise ValidationError (with the reason, for a person) unless `upload` is an
    acceptable evidence file."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > max_bytes():
        raise ValidationError({"file": f"The file must be smaller than {_megabytes(max_bytes())}."})
    upload.seek(0)
    data = upload.read()
    kind = filetype.guess(data)
    content_type = kind.mime if kind else ""
    if content_type not in ALLOWED:
        found = f" (it looks like {kind.mime})" if kind else ""
        raise ValidationError({"file": f"The file must be a {ACCEPTED_WORDS}{found}."})
    _check_structure(data, content_type)
    stem = PurePath(upload.name or "evidence").stem[:150] or "evidence"
    return CheckedFile(f"{stem}{EXTENSIONS[content_type]}", content_type, size)


def _check_structure(data: bytes, content_type: str) -> None:
    what = ALLOWED[content_type]
    broken = ValidationError(
        {
            "file": f"The file looks like {what} but is damaged or incomplete. Save it again "
            "and upload the new copy."
        }
    )
    if content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValidationError({"file": "The image is too large in pixels."})
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise broken from None
    elif content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise broken
    else:
        _check_zip(data, broken)


def _check_zip(data: bytes, broken: ValidationError) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ValidationError({"file": "The file holds too many parts to be checked."})
            unzipped = sum(m.file_size for m in members)
            packed = max(1, sum(m.compress_size for m in members))
            if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_RATIO:
                raise ValidationError(
                    {
                        "file": "The file expands to far more than its size when opened, so it "
                        "cannot be accepted."
                    }
                )
            if archive.testzip() is not None:
                raise broken
    except zipfile.BadZipFile:
        raise broken from None
