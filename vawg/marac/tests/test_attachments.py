"""Research packs and minutes: type and size checked, encrypted, reads audited."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from vawg.audit.models import AuditEvent
from vawg.core.uploads import RefusedUpload
from vawg.marac import services
from vawg.marac.forms import AttachmentForm
from vawg.marac.tests.factories import make_referral

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add(partnership, data, **kw):
    return services.attachment_add(
        partnership=partnership,
        kind="research_pack",
        data=data,
        actor=None,
        today=date(2026, 1, 6),
        **kw,
    )


def test_a_pdf_is_stored_encrypted_and_its_read_audited(partnership):
    referral = make_referral(partnership)
    attachment = add(partnership, PDF, referral=referral)
    assert bytes(attachment.content_enc) != PDF
    assert services.attachment_read(attachment=attachment, actor=None) == PDF
    event = AuditEvent.objects.get(action="read_restricted")
    assert event.detail == {"reference": referral.reference}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 not a document", "PDF or a Word"),
        (b"plain text pretending", "PDF or a Word"),
        (PDF + b"0" * services.MAX_ATTACHMENT_BYTES, "smaller than 10 MB"),
    ],
)
def test_other_files_are_refused_with_a_reason(partnership, data, message):
    referral = make_referral(partnership)
    with pytest.raises(ValidationError, match=message):
        add(partnership, data, referral=referral)


def _upload(data: bytes, size: int | None = None):
    if size is None:
        return SimpleUploadedFile("pack.pdf", data, content_type="application/pdf")
    # What the upload handler hands over for a file refused as it arrived: its size, no bytes.
    return RefusedUpload(
        name="pack.pdf",
        content_type="application/pdf",
        size=size,
        charset=None,
        max_bytes=services.MAX_ATTACHMENT_BYTES,
        content_type_extra=None,
    )


def test_the_upload_form_refuses_a_file_over_10_mb_before_reading_it():
    form = AttachmentForm({}, {"file": _upload(b"", size=services.MAX_ATTACHMENT_BYTES + 1)})
    assert not form.is_valid()
    assert form.errors["file"] == ["The selected file must be smaller than 10 MB."]


def test_the_upload_form_hands_the_service_the_files_bytes():
    form = AttachmentForm({}, {"file": _upload(PDF)})
    assert form.is_valid(), form.errors
    assert form.service_kwargs() == {"data": PDF}
