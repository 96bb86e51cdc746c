"""What a report is asked for: the one description every kind of report is made from.

The web page, the background task and `manage.py make_report` all build a ReportSpec and
hand it to the kind's maker, so a pack made at the command line is the pack made on the page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from vawg.core import disclosure
from vawg.core.models import Partnership, PartnershipBody, Region


class Reader:
    """Who the document is for. Every reader of a document that leaves the platform sees
    figures at the controlled level of core.disclosure: a board pack is read by people who
    do not hold the analyst's permission, and is forwarded."""

    BOARD = "board"
    PUBLIC = "public"
    REGIONAL = "regional"
    CHOICES = [(BOARD, "The board"), (PUBLIC, "The public"), (REGIONAL, "The regional authority")]

    @staticmethod
    def disclosure(reader: str) -> disclosure.Audience:
        return disclosure.CONTROLLED


@dataclass(frozen=True)
class Period:
    """A financial quarter ('2025/26 Q3') or a reporting year ('2025/26'): first and last day."""

    label: str
    start: date
    end: date

    @property
    def is_quarter(self) -> bool:
        return " Q" in self.label


@dataclass(frozen=True)
class ReportSpec:
    kind: str  # "board-pack", "annual-report" or "regional-return"
    period: Period
    audience: str  # a Reader value
    partnership: Partnership | None = None  # None only for a region's combined return
    body: PartnershipBody | None = None  # the governance body a pack is for
    region: Region | None = None  # set for a region's combined return


# A maker reports its progress as (percent done, what it is doing now).
Progress = Callable[[int, str], None]


def no_progress(percent: int, step: str) -> None:
    """For makers run where nobody is watching (tests)."""
