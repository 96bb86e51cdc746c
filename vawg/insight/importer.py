"""Reading a partner's extract into the standard: parse, map, validate, pseudonymise.

One pass over the rows turns each into a `Record` in the standard's codes or
into `Problem`s (row, column, value, reason). Nothing here writes to the
database; services.py decides what the records do to the store.

The CSV path reads rows as lists rather than dicts and caches every code,
date and pseudonym it has already worked out: partner files repeat the same
few values millions of times (docs/performance.md).
"""

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import getitem, itemgetter
from pathlib import PurePath
from typing import NamedTuple

from vawg.core import crypto
from vawg.core.crypto import normalise_identifier
from vawg.core.csvsafe import unsafe_cell
from vawg.core.dates import DateError, parse_date
from vawg.core.models import Ward
from vawg.core.tabular import Problem, TableError, csv_records, read_table
from vawg.core.uploads import Source
from vawg.exchange.importing import Column, guess_mapping
from vawg.exchange.importing import mapping_problems as shared_mapping_problems
from vawg.insight import derive, standard
from vawg.insight.standard import CODED, FIELD_NAMES, FIELDS, REQUIRED, UNKNOWN, normalise_code

PERSON_PURPOSE = "insight.victim"  # the same in every partnership: repeats link across them
EARLIEST = date(2000, 1, 1)
PROBLEMS_KEPT = 5000
WITHHELD = "(withheld)"  # what the report shows instead of a person identifier
READ_AS = "utf-8-sig"  # what the importer reads: UTF-8, with or without a byte-order mark


class Record(NamedTuple):
    """One row in the standard's codes, ready to store (a tuple: millions are made)."""

    row: int
    source_id: str
    occurred_on: date
    strand: str
    crime_type: str
    ward_id: int
    age_band: str
    sex: str
    gender_identity: str
    ethnicity: str
    disability: str
    orientation: str
    relationship: str
    perpetrator_sex: str
    perpetrator_age_band: str
    outcome: str
    person_key_version: int | None
    person_digest: str
    # A digest of every standardised value: an unchanged row on re-import is skipped.
    fingerprint: str


def person_key(digest: str) -> int | None:
    """A person's 60-bit key: the digest's first 15 hex digits as a number. Small enough
    to index every partnership's people cheaply (store.PeopleIndex); the repeat rule
    itself compares whole digests, so two people sharing a key are never linked."""
    return int(digest[:15], 16) if digest else None


def fingerprint(values: tuple) -> str:
    return fingerprint_text("\x1f".join(map(str, values)))


def fingerprint_text(joined: str) -> str:
    """The fingerprint of the standardised values already joined (columns.py joins them
    for a whole file at once)."""
    return hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()


# How partners write dates ("": the standard's forms, day first or year first).
DATE_FORMATS = [
    ("", "Day first or year first, as the standard says (31/03/2026 or 2026-03-31)"),
    ("mdy", "Month first, as US systems write (03/31/2026)"),
]


@dataclass
class Mapping:
    """Which of the partner's headings holds each standard field, how their codes read,
    and what fills the fields the file does not hold (derive.py)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str = ""
    fixed: dict[str, str] = field(default_factory=dict)
    derived: dict[str, dict] = field(default_factory=dict)
    record_id_from: list[str] = field(default_factory=list)

    def preparer(self, headers: list[str], today: date = date.max) -> derive.Preparer:
        """What adds the fixed, worked-out and generated values to each row."""
        return derive.Preparer(
            headers,
            fixed=self.fixed,
            derived=self.derived,
            record_id_from=self.record_id_from,
            date_heading=self.columns.get("date", ""),
            parse_date=lambda text: _date_or_raise(text, today, self.date_format),
        )

    def with_added(self, preparer: derive.Preparer) -> "Mapping":
        """This mapping with each field the preparer fills read from its added column."""
        columns = {k: v for k, v in self.columns.items() if k not in preparer.columns}
        return Mapping(
            columns={**columns, **preparer.columns},
            values=self.values,
            date_format=self.date_format,
        )

    def read_columns(self) -> set[str]:
        """The file's headings this mapping reads (all others are dropped unread)."""
        used = set(self.columns.values())
        for rule in self.derived.values():
            used.update(v for k, v in rule.items() if k != "rule" and isinstance(v, str))
        used.update(self.record_id_from)
        return used


# --- Reading the file ---------------------------------------------------------


def read_rows(data: Source, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The headings and (row number, values) of a CSV or XLSX upload (its bytes, or the
    uploaded file itself), read a row at a time. Raises TableError.

    File-level problems (empty, not UTF-8, merged or missing headings) come
    from core.tabular, worded as for every other import in the platform.
    """
    # UTF-8 only (architecture decision 10): services.readable converts other encodings
    # first, so the whole-file reader and this one read the same text.
    table = read_table(data, filename, READ_AS)
    headers = table.headers
    if PurePath(filename).suffix.lower() != ".csv":
        xlsx_rows = ((n, [row.get(h, "") for h in headers]) for n, row in table.rows)
        return headers, xlsx_rows
    table.close()
    width, heading_row = len(headers), table.heading_row

    def rows() -> Iterator[tuple[int, list[str]]]:
        # Split only when the rows are read: the whole-file path (columns.py) never does.
        records = csv_records(data, READ_AS)
        for _ in range(heading_row):  # the headings, and any title above them
            next(records)
        for number, values in records:
            if len(values) != width:
                if len(values) > width and any(v.strip() for v in values[width:]):
                    raise TableError(
                        f"Row {number} has more values than there are column headings."
                    )
                if not any(v.strip() for v in values):
                    continue
                values = (values + [""] * width)[:width]
            yield number, values

    return headers, ((_n, _clean(v)) for _n, v in rows())


def _clean(values: list[str]) -> list[str]:
    # Only a cell an export neutralised (a leading quote) needs more than the getter's strip;
    # the test here spares every other cell a call.
    return [clean_cell(v) if v[:1] == "'" else v for v in values]


def clean_cell(value: str) -> str:
    """One cell as `read_rows` gives it."""
    return unsafe_cell(value) if value[:1] == "'" else value


# --- Mapping headings to the standard -------------------------------------------

# Headings partners commonly use for a field, beyond its name and label.
HEADING_ALIASES = {
    "source_id": ["record id", "id", "crime reference", "crime ref", "incident id", "reference"],
    "date": ["incident date", "date of incident", "offence date", "committed date"],
    "strand": ["vawg strand", "vawg type", "abuse type", "category"],
    "crime_type": ["offence", "offence type", "crime type", "incident type"],
    "ward": ["ward name", "location ward"],
    "age_band": ["age", "victim age", "age band"],
    "sex": ["victim sex", "gender", "victim gender"],
    "gender_identity": ["gender identity", "victim gender identity"],
    "ethnicity": ["ethnicity", "ethnic group", "victim ethnicity"],
    "disability": ["disability", "disabled", "victim disability"],
    "orientation": ["sexual orientation", "victim sexual orientation", "orientation"],
    "relationship": ["relationship", "relationship to suspect", "victim suspect relationship"],
    "perpetrator_sex": ["suspect sex", "perpetrator sex", "offender sex"],
    "perpetrator_age_band": ["suspect age band", "suspect age", "offender age", "perpetrator age"],
    "person_id": ["victim id", "person id", "person identifier", "victim identifier"],
    "outcome": ["crime outcome", "outcome", "disposal"],
}


# The standard's fields as the shared importer matches headings to them.
COLUMNS = tuple(
    Column(f.label, f.required, key=f.name, aliases=(f.name, *HEADING_ALIASES.get(f.name, ())))
    for f in FIELDS
)


def suggest_columns(headers: list[str]) -> dict[str, str]:
    """A first guess at the mapping, from headings that name a field plainly."""
    return {name: heading for name, heading in guess_mapping(headers, COLUMNS).items() if heading}


def mapping_problems(headers: list[str], mapping: Mapping) -> list[Problem]:
    """What stops the mapping being used on this file: a required field with no column."""
    return shared_mapping_problems(headers, COLUMNS, mapping.columns)


def dropped_columns(headers: list[str], mapping: Mapping) -> list[str]:
    """Headings the standard does not use: never read, never stored."""
    used = mapping.read_columns()
    return [h for h in headers if h not in used]


# --- Turning rows into records ---------------------------------------------------


class WardResolver:
    """Ward names (old or new, as partners write them) to the ward incidents count in.

    An old ward counts in its best-fit successor (data/wards/), so that trends
    run across the 2022 boundary change.
    """

    def __init__(self, partnership, value_map: dict[str, str] | None = None) -> None:
        from vawg.insight.models import WardSuccessor

        successors = dict(
            WardSuccessor.objects.filter(ward__partnership=partnership).values_list(
                "ward_id", "successor_id"
            )
        )
        self.by_name: dict[str, int] = {}
        for ward_id, name in Ward.objects.filter(partnership=partnership).values_list("id", "name"):
            self.by_name[_ward_key(name)] = successors.get(ward_id, ward_id)
        # A partner's own spellings or codes (postcode districts, LSOAs) mapped to a ward name.
        for value, ward_name in (value_map or {}).items():
            target = self.by_name.get(_ward_key(ward_name))
            if target is not None:
                self.by_name[_ward_key(value)] = target

    def __call__(self, text: str) -> int | None:
        return self.by_name.get(_ward_key(text))


def _ward_key(text: str) -> str:
    return normalise_code(text.replace("&", " and ").replace("'", "").replace("’", ""))


class _NoPerson(dict):
    """The person look-up for a file without an identifier column."""

    def get(self, key, default=None):
        return (None, "")


class Standardiser:
    """Turns one partner's rows into Records, or Problems; caches what repeats."""

    def __init__(
        self,
        *,
        partnership,
        headers: list[str],
        mapping: Mapping,
        today: date,
        repeats_are_problems: bool = True,
    ) -> None:
        self.today = today
        self.date_format = mapping.date_format
        # False where the ids are generated: two rows with one id are both set aside, by
        # the caller, which sees the whole file (services._generated_twice).
        self.repeats_are_problems = repeats_are_problems
        # Values read by a rule rather than a code ({field: {text: code}}): a "16-24" age.
        self.by_rule: dict[str, dict[str, str]] = {}
        self.index = {
            name: headers.index(heading)
            for name, heading in mapping.columns.items()
            if heading in headers and name in FIELD_NAMES
        }
        self.headings = {name: headers[i] for name, i in self.index.items()}
        self.lookups: dict[str, dict[str, str]] = {}
        for name, vocabulary in CODED.items():
            lookup = standard.default_lookup(vocabulary)
            for value, code in mapping.values.get(name, {}).items():
                if code in vocabulary.values:
                    lookup[normalise_code(value)] = code
            self.lookups[name] = lookup
        self.wards = WardResolver(partnership, mapping.values.get("ward"))
        self.seen: dict[str, int] = {}
        self._dates: dict[str, date | str] = {}
        self._people: dict[str, tuple[int, str]] = {}
        self._ward_ids: dict[str, int] = {}
        # (field, column position or None, {text as written: code}) for each coded field.
        self._coded = [(name, self.index.get(name), {}) for name in CODED]
        self._person_version = crypto.current_pseudonym_version()
        self._person_secret = crypto.pseudonym_keys()[self._person_version]
        self._person_prefix = f"{PERSON_PURPOSE}\x1f".encode()
        self._fast_setup()

    def _fast_setup(self) -> None:
        """The fast path: one C-level pick of the row's cells, then dictionary look-ups,
        so each distinct date, ward, code and person is worked out once per file. A row
        with anything wrong, or a code not yet seen, takes the full path (`_record`)."""
        # Keyed by the cell as written: a date or the reason it is not one; a ward id or 0.
        self._fast_dates: dict[str, date | str] = {}
        self._fast_wards: dict[str, int] = {}
        self._fast_people: dict[str, tuple[int | None, str]] = {}
        positions = [self.index.get(n) for n in ("source_id", "date", "ward")]
        caches: list[dict] = []
        for name, position, cache in self._coded:
            if position is None:
                if name in REQUIRED:
                    positions = [None]  # every row is a problem: no fast path
                    break
                # A field the file lacks has one code on every row: any cell reads as it.
                constant = self.constant_code(name)
                position, cache = 0, defaultdict(lambda c=constant: c)
            positions.append(position)
            caches.append(cache)
        self._fast = None not in positions
        if self._fast:
            person = self.index.get("person_id")
            if person is None:
                # No identifier column: position 0 is picked and always reads as no person.
                person, self._fast_people = 0, _NoPerson()
            self._pick = itemgetter(*positions, person)
            self._fast_caches = caches

    # --- One distinct cell at a time, for the whole-file path (columns.py) ------------
    # Each gives what `record` would make of the cell, or None where `record` would
    # find a problem: the file then goes through `record`, which words it.

    @property
    def whole_file_ready(self) -> bool:
        """Every required field has its column, so a clean file can be read whole."""
        return self._fast

    def coded_columns(self) -> list[tuple[str, int | None]]:
        """Each coded field, in the standard's order, and its column (None: not in the file)."""
        return [(name, position) for name, position, _ in self._coded]

    def cell_date(self, text: str) -> date | None:
        parsed = _parse_date(text.strip(), self.today, self.date_format)
        return None if isinstance(parsed, str) else parsed

    def cell_ward(self, text: str) -> int | None:
        return self.wards(text.strip())

    def cell_code(self, name: str, text: str) -> str | None:
        problems: list[Problem] = []
        code = self._code(0, name, text.strip(), problems)
        return None if problems else code

    def constant_code(self, name: str) -> str:
        """The code of a field the file has no column for, on every row."""
        return "pending" if name == "outcome" else UNKNOWN

    def people(self, cells: list[str]) -> list[tuple[int | None, str]]:
        """What `record` makes of each of these distinct identifier cells, in one loop."""
        nobody = (None, "")
        version = self._person_version
        texts = (clean_cell(cell).strip() for cell in cells)
        return [(version, self._digest(text)) if text else nobody for text in texts]

    def record(self, number: int, values: list[str]) -> Record | list[Problem]:
        """One row as a Record, or its Problems."""
        if self._fast:
            try:
                texts = self._pick(values)
            except IndexError:
                return self._record(number, values)
            source_id = texts[0].strip()
            occurred_on = self._fast_dates.get(texts[1])
            if occurred_on is None:
                occurred_on = self._fast_dates[texts[1]] = _parse_date(
                    texts[1].strip(), self.today, self.date_format
                )
            ward_id = self._fast_wards.get(texts[2])
            if ward_id is None:
                ward_id = self._fast_wards[texts[2]] = self.wards(texts[2].strip()) or 0
            try:
                codes = list(map(getitem, self._fast_caches, texts[3:-1]))
            except KeyError:
                codes = None
            if (
                codes is None
                or not ward_id
                or isinstance(occurred_on, str)
                or not source_id
                or len(source_id) > 64
                or (source_id in self.seen and self.repeats_are_problems)
            ):
                # Something new or wrong in this row: the full path words its problems.
                return self._record(number, values)
            person = self._fast_people.get(texts[-1])
            if person is None:
                text = texts[-1].strip()
                person = self._fast_people[texts[-1]] = self._person(text) if text else (None, "")
            self.seen[source_id] = number
            standardised = (occurred_on, *codes[:2], ward_id, *codes[2:], *person)
            return Record(number, source_id, *standardised, fingerprint(standardised))
        return self._record(number, values)

    def _record(self, number: int, values: list[str]) -> Record | list[Problem]:
        problems: list[Problem] = []
        get = self._getter(values)

        source_id = get("source_id")
        if not source_id:
            problems.append(self._problem(number, "source_id", "", "The record id is missing."))
        elif len(source_id) > 64:
            problems.append(
                self._problem(number, "source_id", source_id[:64], "The record id is too long.")
            )
        elif source_id in self.seen and self.repeats_are_problems:
            problems.append(
                self._problem(
                    number,
                    "source_id",
                    source_id,
                    "The record id appears twice in the file "
                    f"(first on row {self.seen[source_id]}).",
                )
            )
        else:
            self.seen[source_id] = number

        occurred_on = self._date(number, get("date"), problems)
        ward_text = get("ward")
        ward_id = self._ward_ids.get(ward_text)
        if ward_id is None:
            ward_id = self.wards(ward_text) if ward_text else None
            if ward_id is None:
                reason = (
                    "The ward is missing."
                    if not ward_text
                    else "This is not a ward of the partnership (old or new boundaries), "
                    "and no value mapping names one."
                )
                problems.append(self._problem(number, "ward", ward_text, reason))
            else:
                self._ward_ids[ward_text] = ward_id

        # The coded fields, in the standard's order; each distinct text is worked out once.
        codes = []
        for name, position, cache in self._coded:
            text = values[position] if position is not None and position < len(values) else ""
            code = cache.get(text)
            if code is None:
                before = len(problems)
                code = self._code(number, name, text.strip(), problems)
                if len(problems) == before:
                    cache[text] = code
            codes.append(code)

        person = get("person_id")
        key_version, digest = (None, "") if not person else self._person(person)

        if problems:
            return problems
        standardised = (occurred_on, *codes[:2], ward_id, *codes[2:], key_version, digest)
        return Record(number, source_id, *standardised, fingerprint(standardised))

    def _getter(self, values: list[str]):
        index = self.index

        def get(name: str) -> str:
            i = index.get(name)
            return values[i].strip() if i is not None and i < len(values) else ""

        return get

    def _problem(self, number: int, name: str, value: str, reason: str) -> Problem:
        shown = WITHHELD if name == "person_id" else value[:100]
        return Problem(number, self.headings.get(name, name), shown, reason)

    def _date(self, number: int, text: str, problems: list[Problem]) -> date | None:
        cached = self._dates.get(text)
        if cached is None:
            cached = self._dates[text] = _parse_date(text, self.today, self.date_format)
        if isinstance(cached, str):
            problems.append(self._problem(number, "date", text, cached))
            return None
        return cached

    def _code(self, number: int, name: str, text: str, problems: list[Problem]) -> str:
        if not text:
            if name in REQUIRED:
                problems.append(self._problem(number, name, "", "This field is required."))
            return self.constant_code(name)
        code = self.lookups[name].get(normalise_code(text))
        if code is None:
            if name in ("age_band", "perpetrator_age_band") and text.isdecimal():
                if int(text) > 120:
                    problems.append(
                        self._problem(number, name, text, "An age must be 120 or less.")
                    )
                    return UNKNOWN
                return standard.age_band_for(int(text))
            if name in ("age_band", "perpetrator_age_band"):
                band = standard.age_band_for_range(text)
                if band is not None:
                    self.by_rule.setdefault(name, {})[text] = band
                    return band
            problems.append(
                self._problem(
                    number,
                    name,
                    text,
                    f"“{text}” is not a code of the standard for {CODED[name].label.lower()}; "
                    "add a value mapping for it.",
                )
            )
            return UNKNOWN
        return code

    def _person(self, text: str) -> tuple[int, str]:
        cached = self._people.get(text)
        if cached is None:
            cached = self._people[text] = (self._person_version, self._digest(text))
        return cached

    def _digest(self, text: str) -> str:
        # One C-level HMAC call with the key read once: the same digest as
        # crypto.pseudonymise (a test checks this).
        message = self._person_prefix + normalise_identifier(text).encode()
        return hmac.digest(self._person_secret, message, "sha256").hex()


_MONTH_FIRST = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]{4})(.*)", re.ASCII)


def _date_or_raise(text: str, today: date, date_format: str = "") -> date:
    if date_format == "mdy":
        found = _MONTH_FIRST.fullmatch(text.strip())
        if found:
            month, sep, day, year, rest = found.groups()
            text = f"{day}{sep}{month}{sep}{year}{rest}"
        elif not re.fullmatch(r"[0-9]{4}-.*", text.strip()):
            raise DateError("This is not a date: write it as MM/DD/YYYY or YYYY-MM-DD.")
    found_date = parse_date(text, today=today, earliest=EARLIEST)
    if found_date is None:
        raise DateError("The date is missing.")
    return found_date


def _parse_date(text: str, today: date, date_format: str = "") -> date | str:
    """The date, or the reason it cannot be one (each distinct text is parsed once: the
    callers keep what it gives)."""
    if not text:
        return "The date is missing."
    try:
        return _date_or_raise(text, today, date_format)
    except DateError as error:
        return str(error)


def unknown_values(
    *, partnership, data: bytes, filename: str, mapping: Mapping, limit: int = 30
) -> dict[str, list[str]]:
    """Values in the mapped coded columns (and wards) that neither the standard nor the
    saved value mapping reads: what the analyst is asked to map."""
    headers, rows = read_rows(data, filename)
    preparer = mapping.preparer(headers)
    headers, rows = preparer.headers, preparer.rows(rows)
    mapping = mapping.with_added(preparer)
    reader = Standardiser(partnership=partnership, headers=headers, mapping=mapping, today=date.max)
    names = [n for n in [*CODED, "ward"] if n in reader.index]
    found: dict[str, dict[str, None]] = {n: {} for n in names}
    seen: dict[str, set[str]] = {n: set() for n in names}
    for _, values in rows:
        for name in names:
            text = values[reader.index[name]].strip()
            if not text or text in seen[name]:
                continue
            seen[name].add(text)
            if name == "ward":
                known = reader.wards(text) is not None
            else:
                ages = name in ("age_band", "perpetrator_age_band")
                known = (
                    ages and (text.isdecimal() or standard.age_band_for_range(text))
                ) or normalise_code(text) in reader.lookups[name]
            if not known and len(found[name]) < limit:
                found[name][text] = None
    return {name: list(values) for name, values in found.items() if values}
