"""The coordinator's history import: past referrals and the meetings that heard them.

A partnership moving onto the platform brings its earlier MARAC records as a spreadsheet, one
referral a row. The shared importer (exchange.importing) reads and checks every row first and
writes only a file with no problems, in one transaction, through `services.referral_record_past`
(identities encrypted and hashed as on the referral form). A victim already referred on the same
day is left as it is, so the same file imported twice adds nothing twice.
"""

from dataclasses import replace
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from vawg.core.dates import DateError, parse_date
from vawg.core.models import Organisation, Partnership
from vawg.core.uploads import Source
from vawg.exchange.importing import (
    Change,
    Column,
    Outcome,
    Row,
    RowImport,
    heading_key,
    run_import,
)
from vawg.marac import dash, services
from vawg.marac.models import Choice3, Referral

DATE_HELP = "DD/MM/YYYY or YYYY-MM-DD"

REFERRED_ON = Column("Referral date", help=f"{DATE_HELP}; not in the future")
HEARD_ON = Column(
    "Meeting date",
    help=f"The MARAC meeting that heard the case ({DATE_HELP}); on or after the referral date",
    aliases=("MARAC date", "Heard on"),
)
AGENCY = Column(
    "Referring agency",
    help="The agency's name as the platform lists it",
    aliases=("Agency", "Referrer agency"),
)
VICTIM_NAME = Column("Victim name", help="Full name (kept encrypted)")
VICTIM_DOB = Column("Victim date of birth", required=False, help=DATE_HELP)
VICTIM_AGE = Column("Victim age", required=False, help="Whole years, if no date of birth")
VICTIM_ADDRESS = Column("Victim address", required=False, help="Kept encrypted")
PERPETRATOR_NAME = Column("Perpetrator name", help="Full name (kept encrypted)")
PERPETRATOR_DOB = Column("Perpetrator date of birth", required=False, help=DATE_HELP)
PERPETRATOR_AGE = Column("Perpetrator age", required=False, help="Whole years, if no date of birth")
REPEAT = Column(
    "Repeat",
    required=False,
    help="Yes or no; empty to work it out from the referrals already held",
)
CHILDREN = Column("Children in household", required=False, help="A whole number; empty for 0")
CRITERIA = Column(
    "Criteria",
    required=False,
    help="Any of: visible high risk; professional judgement; potential escalation "
    "(separated by semicolons)",
)
SEX = Column("Victim sex", required=False, help="Female, male or not known (empty: not known)")
ETHNICITY = Column(
    "Victim ethnicity", required=False, help="An ethnic group as on the referral form"
)
ORIENTATION = Column("Victim sexual orientation", required=False, help="As on the referral form")
DISABILITY = Column("Victim disability", required=False, help="Yes, no or not known")
TRANS = Column(
    "Victim gender identity differs",
    required=False,
    help="Yes, no or not known: whether it differs from the sex registered at birth",
)
AWARE = Column("Victim aware", help="Yes or no: was the victim aware of the referral")
CONSENTED = Column("Victim consented", help="Yes or no")
NO_CONSENT_REASON = Column(
    "Reason without consent", required=False, help="Kept encrypted", key="no_consent_reason"
)

COLUMNS = [
    REFERRED_ON,
    HEARD_ON,
    AGENCY,
    VICTIM_NAME,
    VICTIM_DOB,
    VICTIM_AGE,
    VICTIM_ADDRESS,
    PERPETRATOR_NAME,
    PERPETRATOR_DOB,
    PERPETRATOR_AGE,
    REPEAT,
    CHILDREN,
    CRITERIA,
    SEX,
    ETHNICITY,
    ORIENTATION,
    DISABILITY,
    TRANS,
    AWARE,
    CONSENTED,
    NO_CONSENT_REASON,
]
HEADINGS = [c.heading for c in COLUMNS]
# Identity cells are never repeated back in the problem report (a page, a downloaded file).
IDENTITY = {
    heading_key(c.heading)
    for c in (
        VICTIM_NAME,
        VICTIM_DOB,
        VICTIM_ADDRESS,
        PERPETRATOR_NAME,
        PERPETRATOR_DOB,
        NO_CONSENT_REASON,
    )
}
MAX_CHILDREN = 30
CRITERIA_WORDS = {
    "visible high risk": dash.Criterion.VISIBLE_HIGH_RISK,
    "professional judgement": dash.Criterion.PROFESSIONAL_JUDGEMENT,
    "potential escalation": dash.Criterion.POTENTIAL_ESCALATION,
}
YES_NO = {"yes": True, "y": True, "no": False, "n": False}


def _lookup(choices) -> dict[str, str]:
    """A choice by its code or its label, however it is cased."""
    out = {}
    for value, label in choices:
        out[value.casefold()] = value
        out[label.casefold()] = value
        out[value.replace("_", " ").casefold()] = value
    return out


SEXES = _lookup(Referral.Sex.choices)
ETHNICITIES = _lookup(Referral.Ethnicity.choices)
ORIENTATIONS = _lookup(Referral.Orientation.choices)
CHOICE3 = _lookup(Choice3.choices)


class _Cells:
    """One row read as a past referral, noting each cell that will not do under its column."""

    def __init__(self, row: Row, today: date) -> None:
        self.row = row
        self.today = today
        self.errors: dict[str, list[str]] = {}

    def problem(self, column: Column, reason: str) -> None:
        self.errors.setdefault(column.key, []).append(reason)

    def text(self, column: Column, max_length: int = 500) -> str:
        value = self.row[column.key].strip()
        if column.required and not value:
            self.problem(column, f"Enter the {column.heading.lower()}.")
        elif len(value) > max_length:
            self.problem(column, f"Must be {max_length} characters or fewer.")
        return value

    def date(self, column: Column, *, earliest: date | None = None) -> date | None:
        if not self.text(column):
            return None
        try:
            return parse_date(self.row[column.key], today=self.today, earliest=earliest)
        except DateError as error:
            self.problem(column, str(error))
            return None

    def number(self, column: Column, low: int, high: int) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not value.isdecimal() or not low <= int(value) <= high:
            self.problem(column, f"Enter a whole number from {low} to {high}.")
            return None
        return int(value)

    def choice(self, column: Column, lookup: dict[str, str], default: str) -> str:
        value = self.text(column)
        if not value:
            return default
        found = lookup.get(value.casefold())
        if found is None:
            labels = sorted({v.replace("_", " ") for v in lookup.values()})
            self.problem(column, f"Use one of: {', '.join(labels)}.")
            return default
        return found

    def yes_no(self, column: Column) -> bool | None:
        value = self.text(column)
        if not value:
            return None
        if value.casefold() not in YES_NO:
            self.problem(column, "Write yes or no.")
            return None
        return YES_NO[value.casefold()]

    def criteria(self) -> list[str]:
        words = [w.strip().casefold() for w in self.text(CRITERIA).split(";") if w.strip()]
        unknown = [w for w in words if w not in CRITERIA_WORDS]
        if unknown:
            self.problem(CRITERIA, f"Use any of: {'; '.join(CRITERIA_WORDS)}.")
        return [CRITERIA_WORDS[w] for w in words if w in CRITERIA_WORDS]


class HistoryImport(RowImport):
    columns = COLUMNS
    row_column = REFERRED_ON.key
    audit_summary = "Imported past MARAC referrals and meetings"

    def __init__(self, *, partnership: Partnership, actor, request, today: date) -> None:
        self.partnership = partnership
        self.actor = actor
        self.request = request
        self.today = today
        self.agencies: dict[str, Organisation] = {}
        for organisation in Organisation.objects.filter(partnership=partnership):
            self.agencies[organisation.name.casefold()] = organisation
            for alias in organisation.aliases or []:
                self.agencies.setdefault(str(alias).casefold(), organisation)
        self.seen: dict[tuple, int] = {}

    def clean(self, row: Row) -> services.PastReferral:
        cells = _Cells(row, self.today)
        referred_on = cells.date(REFERRED_ON, earliest=services.EARLIEST_REFERRAL)
        heard_on = cells.date(HEARD_ON, earliest=services.EARLIEST_REFERRAL)
        if referred_on and heard_on and heard_on < referred_on:
            cells.problem(HEARD_ON, "The meeting date is before the referral date.")
        agency_name = cells.text(AGENCY)
        agency = self.agencies.get(agency_name.casefold())
        if agency_name and agency is None:
            cells.problem(
                AGENCY, "This is not one of the partnership's agencies: use its name as listed."
            )
        victim = services.Identity(
            cells.text(VICTIM_NAME, 200),
            cells.date(VICTIM_DOB, earliest=date(1900, 1, 1)),
            cells.text(VICTIM_ADDRESS),
            cells.number(VICTIM_AGE, services.MIN_VICTIM_AGE, 120),
        )
        perpetrator = services.Identity(
            cells.text(PERPETRATOR_NAME, 200),
            cells.date(PERPETRATOR_DOB, earliest=date(1900, 1, 1)),
            "",
            cells.number(PERPETRATOR_AGE, 10, 120),
        )
        aware, consented = cells.yes_no(AWARE), cells.yes_no(CONSENTED)
        details = services.ReferralDetails(
            victim=victim,
            perpetrators=[perpetrator],
            victim_sex=cells.choice(SEX, SEXES, Referral.Sex.NOT_KNOWN),
            victim_ethnicity=cells.choice(ETHNICITY, ETHNICITIES, Referral.Ethnicity.NOT_KNOWN),
            victim_sexual_orientation=cells.choice(
                ORIENTATION, ORIENTATIONS, Referral.Orientation.NOT_KNOWN
            ),
            victim_disability=cells.choice(DISABILITY, CHOICE3, Choice3.NOT_KNOWN),
            victim_trans=cells.choice(TRANS, CHOICE3, Choice3.NOT_KNOWN),
            children_in_household=cells.number(CHILDREN, 0, MAX_CHILDREN) or 0,
            victim_aware=bool(aware),
            victim_consented=bool(consented),
            no_consent_reason=cells.text(NO_CONSENT_REASON, 2000),
        )
        past = services.PastReferral(
            # Each None here is a problem noted, and the row goes no further.
            referred_on=referred_on,
            heard_on=heard_on,
            organisation=agency,
            details=details,
            repeat=cells.yes_no(REPEAT),
            criteria=cells.criteria(),
        )
        self._once(cells, victim, referred_on)
        if cells.errors:
            raise ValidationError(cells.errors)
        return past

    def _once(self, cells: _Cells, victim: services.Identity, referred_on) -> None:
        """The same victim referred on the same day twice in the file is one row too many."""
        if not victim.name or referred_on is None:
            return
        key = (services.identity_hash(victim, services.VICTIM_PURPOSE).digest, referred_on)
        if key in self.seen:
            cells.problem(
                REFERRED_ON,
                f"The same victim is referred on this date in row {self.seen[key]} too.",
            )
        else:
            self.seen[key] = cells.row.number

    def save(self, values: services.PastReferral, row: Row) -> Change:
        referral = services.referral_record_past(
            partnership=self.partnership,
            past=values,
            actor=self.actor,
            today=self.today,
            request=self.request,
        )
        return Change.UNCHANGED if referral is None else Change.CREATED

    def audit_target(self) -> dict:
        return {"partnership": self.partnership, "object_type": "marac.Referral"}


# The service's field names, as the file's columns (a refusal names the column it is about).
SERVICE_COLUMNS = {
    "referred_on": REFERRED_ON.heading,
    "heard_on": HEARD_ON.heading,
    "organisation": AGENCY.heading,
    "victim_dob": VICTIM_DOB.heading,
}


def history_import(
    *,
    partnership: Partnership,
    actor,
    data: Source,
    filename: str,
    today: date | None = None,
    request: HttpRequest | None = None,
    encoding: str | None = None,
    set_aside: bool = False,
) -> Outcome:
    """Check the whole file and record every referral and meeting in it if every row is
    sound, or (`set_aside`) the sound rows with the others set aside; either way, the
    problems by row and column, with no identity repeated back on the page."""
    spec = HistoryImport(
        partnership=partnership, actor=actor, request=request, today=today or date.today()
    )
    outcome = run_import(
        spec,
        source=data,
        filename=filename,
        actor=actor,
        request=request,
        encoding=encoding,
        set_aside=set_aside,
    )
    outcome.problems = [
        replace(
            p,
            column=SERVICE_COLUMNS.get(p.column.replace(" ", "_"), p.column),
            value="" if heading_key(p.column) in IDENTITY else p.value,
        )
        for p in outcome.problems
    ]
    return outcome


def template_rows() -> list[list[str]]:
    """One synthetic example row for the blank file."""
    return [
        [
            "14/05/2025",
            "22/05/2025",
            "Name of the referring agency",
            "Example Victim",
            "01/02/1990",
            "",
            "1 Example Street",
            "Example Perpetrator",
            "",
            "38",
            "no",
            "2",
            "visible high risk",
            "female",
            "not known",
            "not known",
            "no",
            "no",
            "yes",
            "yes",
            "",
        ]
    ]


def done_message(outcome: Outcome) -> str:
    added = f"{outcome.created} past referral{'s' if outcome.created != 1 else ''} imported"
    if outcome.unchanged:
        return f"{added}; {outcome.unchanged} already held, left as they were."
    return f"{added}."
