"""Uploads within memory: a file too large is refused as it arrives, with the page's own
error; a file larger than the memory threshold goes to disk; every import page answers a
file of too many columns with a plain error, never a server error."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.core.tabular import MAX_COLUMNS
from vawg.core.uploads import LimitedUploadHandler, RefusedUpload, megabytes, upload_limit

pytestmark = pytest.mark.django_db

# More columns than a spreadsheet has letters for (XFD is column 16,384; ZZZ 18,278).
WIDE_CSV = (",".join(f"c{n}" for n in range(1, 18_280)) + "\n" + "1," * 18_278 + "1\n").encode()
WIDE_MESSAGE = f"The file has 18,279 columns, and at most {MAX_COLUMNS} can be read."


def parsed(settings, body: bytes, *, limit: int, memory: int = 2_621_440):
    """request.FILES and .POST for a multipart POST of `body` as "file" (and a field after
    it), parsed by the project's upload handler with the given limits."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory
    settings.UPLOAD_MAX_BYTES = limit
    upload = SimpleUploadedFile("data.csv", body, content_type="text/csv")
    request = RequestFactory().post("/nowhere/", {"file": upload, "after": "kept"})
    request.upload_handlers = [LimitedUploadHandler(request)]
    return request.FILES, request.POST


def test_a_file_within_the_limit_is_received_whole_in_memory_or_on_disk(settings):
    files, _ = parsed(settings, b"x" * 5000, limit=10_000)
    assert files["file"].read() == b"x" * 5000 and not isinstance(files["file"], RefusedUpload)
    files, _ = parsed(settings, b"y" * 5000, limit=10_000, memory=1000)
    on_disk = files["file"]
    assert isinstance(on_disk, TemporaryUploadedFile) and on_disk.size == 5000
    assert os.path.getsize(on_disk.temporary_file_path()) == 5000
    assert on_disk.read() == b"y" * 5000


@pytest.mark.parametrize("memory", [2_621_440, 1000])
def test_a_file_over_the_limit_is_refused_as_it_arrives_keeping_nothing(settings, memory):
    files, post = parsed(settings, b"z" * 50_000, limit=10_000, memory=memory)
    refused = files["file"]
    assert isinstance(refused, RefusedUpload)
    assert refused.size == 50_000 and refused.max_bytes == 10_000
    assert refused.read() == b""
    assert post["after"] == "kept"  # the rest of the form still arrives


def test_a_page_declares_its_own_limit():
    @upload_limit(123)
    def view(request):
        pass

    assert view.upload_max_bytes == 123
    assert megabytes(200 * 1024 * 1024) == "200 MB" and megabytes(2_621_440) == "2.5 MB"


def test_no_temporary_file_is_left_when_a_file_is_refused(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    parsed(settings, b"z" * 50_000, limit=10_000, memory=1000)
    assert os.listdir(tmp_path) == []


# --- The import pages ---------------------------------------------------------------


def _delivery(partnership, personas):
    from vawg.delivery.tests.factories import make_world

    world = make_world(partnership, personas)
    url = reverse("delivery:import-start", kwargs={"partnership": partnership.slug})
    return Role.PARTNERSHIP_ADMIN, url, {"kind": "updates", "strategy": world.strategy.slug}


def _measures(partnership, personas):
    url = reverse("measures:values-import", kwargs={"partnership": partnership.slug})
    return Role.ANALYST, url, {}


def _insight_extract(partnership, personas):
    from vawg.insight.tests.factories import partner_for

    url = reverse("insight:import-list", kwargs={"partnership": partnership.slug})
    return Role.ANALYST, url, {"partner": partner_for(partnership).pk}


def _insight_population(partnership, personas):
    url = reverse("insight:population", kwargs={"partnership": partnership.slug})
    return Role.ANALYST, url, {"source": "Synthetic figures"}


def _learning(name, make):
    def page(partnership, personas):
        url = reverse(
            f"learning:{name}", kwargs={"partnership": partnership.slug, "pk": make(partnership).pk}
        )
        return Role.PARTNERSHIP_ADMIN, url, {}

    return page


def _session(partnership):
    from vawg.learning.tests.factories import make_session

    return make_session(partnership)


def _register(partnership):
    from vawg.learning.tests.factories import make_initiative

    return make_initiative(partnership)


def _review(partnership):
    from vawg.learning.tests.factories import make_review

    return make_review(partnership)


# Each import page, and the status it answers an unreadable file and a file too large
# with, as it does any refused file (400 on the delivery page; on the measures page, for
# an unreadable file).
IMPORT_PAGES = {
    "delivery plan and updates": (_delivery, 400, 400),
    "measures values": (_measures, 400, 200),
    "insight partner extract": (_insight_extract, 200, 200),
    "insight population": (_insight_population, 200, 200),
    "learning attendance": (_learning("attendance-import", _session), 200, 200),
    "learning register participants": (_learning("participant-import", _register), 200, 200),
    "learning review recommendations": (_learning("recommendation-import", _review), 200, 200),
}


@pytest.fixture(params=list(IMPORT_PAGES))
def import_page(request, partnership, personas, client_for):
    setup, unreadable, too_large = IMPORT_PAGES[request.param]
    role, url, fields = setup(partnership, personas)
    return client_for(personas[role]), url, fields, (unreadable, too_large)


def test_every_import_page_refuses_a_file_of_too_many_columns_plainly(import_page):
    client, url, fields, (status, _) = import_page
    upload = SimpleUploadedFile("wide.csv", WIDE_CSV, content_type="text/csv")
    response = client.post(url, {**fields, "file": upload})
    assert response.status_code == status
    assert WIDE_MESSAGE in response.content.decode()


def test_every_import_page_refuses_a_file_over_its_limit_as_it_arrives(import_page, settings):
    client, url, fields, (_, status) = import_page
    settings.INSIGHT_UPLOAD_MAX_BYTES = 3 * 1024 * 1024  # the extract pages' limit, for speed
    upload = io.BytesIO(b"Ref\n" + b"A\n" * (3 * 1024 * 1024))
    upload.name = "big.csv"
    response = client.post(url, {**fields, "file": upload})
    assert response.status_code == status
    page = response.content.decode()
    assert "smaller than" in page or "larger than" in page


def test_the_partner_extract_page_names_its_limit(client_for, personas, partnership, settings):
    settings.INSIGHT_UPLOAD_MAX_BYTES = 1024 * 1024
    role, url, fields = _insight_extract(partnership, personas)
    upload = SimpleUploadedFile("big.csv", b"Ref\n" + b"A\n" * 600_000, content_type="text/csv")
    response = client_for(personas[role]).post(url, {**fields, "file": upload})
    assert response.status_code == 200
    assert "The file is larger than 1 MB; split it" in response.content.decode()
