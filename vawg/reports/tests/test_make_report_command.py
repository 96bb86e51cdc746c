"""`manage.py make_report`: the maker run directly; anything wrong exits 1, writes no file."""

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from vawg.core.testing import make_partnership
from vawg.reports import kinds
from vawg.reports.tests import makers
from vawg.reports.tests.factories import make_board

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stand_in_pack(monkeypatch):
    kind = kinds.KINDS["board-pack"]
    monkeypatch.setitem(
        kinds.KINDS, "board-pack", dataclasses.replace(kind, maker="vawg.reports.tests.makers.ok")
    )


def _run(*args) -> tuple[int, str]:
    err = StringIO()
    try:
        call_command("make_report", *args, stdout=StringIO(), stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    return 0, err.getvalue()


def test_it_makes_a_board_pack_for_the_strategic_board(partnership, tmp_path):
    board = make_board(partnership)
    out = tmp_path / "pack.pdf"
    code, _ = _run(
        "board-pack",
        "--partnership",
        "wandsworth",
        "--format",
        "pdf",
        "--output",
        str(out),
        "--period",
        "2025/26 Q3",
    )
    assert code == 0
    assert out.read_bytes() == b"board-pack 2025/26 Q3 pdf for board"
    assert makers.SEEN[-1].body == board


def test_a_body_is_named_by_its_slugified_name(partnership, tmp_path):
    make_board(partnership)
    forum = make_board(partnership, "Practitioners' Forum")
    out = tmp_path / "pack.docx"
    code, _ = _run(
        "board-pack",
        "--partnership",
        "wandsworth",
        "--format",
        "docx",
        "--output",
        str(out),
        "--body",
        "practitioners-forum",
    )
    assert code == 0 and makers.SEEN[-1].body == forum


def test_it_makes_a_regional_return_for_a_partnership_and_for_a_region(
    partnership, other_partnership, tmp_path
):
    one, every = tmp_path / "one.xlsx", tmp_path / "london.xlsx"
    assert (
        _run(
            "regional-return",
            "--partnership",
            "wandsworth",
            "--format",
            "xlsx",
            "--output",
            str(one),
            "--period",
            "2025/26",
        )[0]
        == 0
    )
    assert (
        _run("regional-return", "--region", "london", "--format", "xlsx", "--output", str(every))[0]
        == 0
    )
    assert load_workbook(one).sheetnames == ["About", "Delivery", "Measures", "Incidents", "MARAC"]
    about = dict(load_workbook(every)["About"].iter_rows(min_row=2, values_only=True))
    assert about["Partnerships"] == "Lambeth; Wandsworth"


@pytest.mark.parametrize(
    "args, message",
    [
        (["board-papers", "--partnership", "wandsworth", "--format", "pdf"], "Unknown report"),
        (["board-pack", "--partnership", "nowhere", "--format", "pdf"], "No partnership"),
        (["board-pack", "--partnership", "wandsworth", "--format", "xlsx"], "pdf or docx"),
        (
            ["board-pack", "--partnership", "wandsworth", "--format", "pdf", "--period", "2025/26"],
            "quarter",
        ),
        (
            ["board-pack", "--partnership", "wandsworth", "--format", "pdf", "--period", "Q9"],
            "not a period",
        ),
        (
            ["board-pack", "--partnership", "wandsworth", "--format", "pdf", "--body", "no-such"],
            "No body",
        ),
        (
            [
                "board-pack",
                "--partnership",
                "wandsworth",
                "--format",
                "pdf",
                "--audience",
                "regional",
            ],
            "regional",
        ),
        (["board-pack", "--region", "london", "--format", "pdf"], "not a region"),
        (["regional-return", "--region", "atlantis", "--format", "xlsx"], "No region"),
        (
            [
                "regional-return",
                "--partnership",
                "wandsworth",
                "--region",
                "london",
                "--format",
                "xlsx",
            ],
            "either",
        ),
        (
            ["annual-report", "--partnership", "wandsworth", "--format", "pdf", "--body", "x"],
            "not made for a body",
        ),
    ],
)
def test_what_is_wrong_exits_1_with_a_message_and_no_file(partnership, tmp_path, args, message):
    make_board(partnership)
    out = tmp_path / "report.out"
    code, err = _run(*args, "--output", str(out))
    assert code == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_a_maker_that_fails_exits_1_and_leaves_no_file(partnership, tmp_path, monkeypatch):
    make_board(partnership)
    kind = kinds.KINDS["board-pack"]
    monkeypatch.setitem(
        kinds.KINDS,
        "board-pack",
        dataclasses.replace(kind, maker="vawg.reports.tests.makers.broken"),
    )
    code, err = _run(
        "board-pack",
        "--partnership",
        "wandsworth",
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "pack.pdf"),
    )
    assert code == 1 and "the scorecard has no periods" in err
    assert list(tmp_path.iterdir()) == []


def test_a_region_with_no_partnerships_exits_1(db, tmp_path):
    make_partnership("elsewhere-borough")  # in London; the region below has none
    from vawg.core.testing import make_region

    make_region("wales", "Wales")
    code, err = _run(
        "regional-return",
        "--region",
        "wales",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "w.xlsx"),
    )
    assert code == 1 and "no partnerships" in err
