"""Evidence: links and files, checked by content and size, stored only when sound."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vawg.core.permissions import Role
from vawg.delivery import services
from vawg.delivery.models import Evidence
from vawg.delivery.tests.factories import approve, make_world, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def docx_bytes(payload: bytes = b"<w:document/>", compress=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", payload)
    return out.getvalue()


def add(world, user, upload=None, url="", title="Session register"):
    update = post(world, world.q3, world.lead, submit=False)
    return services.evidence_add(
        update=update,
        actor=user,
        standing=services.standing_for(user, world.strategy.partnership),
        title=title,
        url=url,
        upload=upload,
    )


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def test_it_stores_a_png_under_a_random_name(world, media):
    evidence = add(world, world.lead, SimpleUploadedFile("register.png", png_bytes()))
    assert evidence.content_type == "image/png"
    assert evidence.original_name == "register.png"
    assert "register" not in evidence.file.name
    assert len(stored(media)) == 1


def test_it_stores_a_link(world):
    evidence = add(world, world.lead, url="https://example.org/report")
    assert evidence.kind == Evidence.Kind.LINK


def test_a_bad_link_is_refused(world):
    with pytest.raises(ValidationError):
        add(world, world.lead, url="javascript:alert(1)")


def test_a_file_too_large_is_refused_and_nothing_is_stored(world, media, settings):
    settings.DELIVERY_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="smaller than"):
        add(world, world.lead, SimpleUploadedFile("big.png", png_bytes() + b"0" * 200))
    assert stored(media) == [] and not Evidence.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(world, media):
    with pytest.raises(ValidationError, match="must be a PDF"):
        add(world, world.lead, SimpleUploadedFile("report.pdf", b"MZ\x90\x00 an executable"))
    assert stored(media) == []


def test_a_damaged_image_is_refused(world, media):
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        add(world, world.lead, SimpleUploadedFile("cut.png", png_bytes()[:40]))
    assert stored(media) == []


def test_a_pdf_without_its_end_is_refused(world):
    with pytest.raises(ValidationError, match="damaged"):
        add(world, world.lead, SimpleUploadedFile("a.pdf", b"%PDF-1.7\n1 0 obj\n"))


def test_a_sound_word_document_is_accepted(world):
    evidence = add(world, world.lead, SimpleUploadedFile("notes.docx", docx_bytes()))
    assert evidence.original_name == "notes.docx"


def test_a_zip_bomb_is_refused(world, media):
    bomb = docx_bytes(b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError, match="expands"):
        add(world, world.lead, SimpleUploadedFile("bomb.docx", bomb))
    assert stored(media) == []


def test_an_empty_file_is_refused(world):
    with pytest.raises(ValidationError, match="empty"):
        add(world, world.lead, SimpleUploadedFile("empty.png", b""))


def test_a_lead_of_another_organisation_cannot_add_evidence(world, partnership, personas):
    from vawg.accounts.testing import make_member
    from vawg.core.testing import make_organisation

    stranger = make_member(
        Role.ACTION_LEAD, partnership, organisation=make_organisation(partnership)
    )
    with pytest.raises(PermissionDenied):
        add(world, stranger, url="https://example.org/")


def test_no_evidence_is_added_once_approved(world):
    update = approve(post(world, world.q3, world.lead), world.chair)
    with pytest.raises(ValidationError, match="can no longer"):
        services.evidence_add(
            update=update,
            actor=world.lead,
            standing=services.standing_for(world.lead, world.strategy.partnership),
            title="Late",
            url="https://example.org/",
        )


def test_reading_a_file_is_audited_and_limited(world, personas):
    from vawg.audit.models import AuditEvent

    evidence = add(world, world.lead, SimpleUploadedFile("register.png", png_bytes()))
    board = personas[Role.BOARD_MEMBER.value]
    with pytest.raises(PermissionDenied):
        services.evidence_read(
            evidence=evidence,
            actor=board,
            standing=services.standing_for(board, world.strategy.partnership),
        )
    with services.evidence_read(
        evidence=evidence,
        actor=world.chair,
        standing=services.standing_for(world.chair, world.strategy.partnership),
    ) as handle:
        assert handle.read() == png_bytes()
    assert (
        AuditEvent.objects.filter(action="read_restricted", object_id=str(evidence.pk)).count() == 1
    )
