"""Values a partner's file does not hold, worked out for each row before it is read.

A health extract may have no record id and no crime type; a police extract a "DA Flag"
but no strand. The partner's saved mapping (ColumnMapping) says what to use instead:

- a **fixed** value: one code of the standard for every row of the file;
- a **derived** value: the strand is domestic abuse where a flag column says so, and
  otherwise whatever another column (the offence) says, read through the value mapping;
- a **generated record id**: a keyed hash of the chosen columns' values, the same for the
  same row in next quarter's file, so that a re-sent record updates rather than adds.

Each is added to the row as a column of its own (`Preparer`), named so it cannot clash with
a partner's heading; the importer then reads it as any other column, so the same rules,
codes and messages apply. docs/data-standard.md describes them for analysts.
"""

import contextlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from vawg.core import crypto
from vawg.core.crypto import normalise_identifier
from vawg.core.dates import DateError
from vawg.insight.standard import CODED, FIELDS, normalise_code

GENERATED_PREFIX = "G-"
RECORD_ID_PURPOSE = "insight.record-id"
# What a flag column holds on a row it marks (as normalise_code writes it).
FLAG_YES = frozenset({"y", "yes", "true", "1", "x", "da", "domestic_abuse", "flagged"})
DA_FLAG = "da_flag"
RULES = {DA_FLAG: "Domestic abuse where a flag column says so, otherwise another column"}
LABELS = {f.name: f.label for f in FIELDS}


def fixed_heading(name: str) -> str:
    return f"[fixed] {LABELS[name]}"


def derived_heading(name: str) -> str:
    return f"[worked out] {LABELS[name]}"


GENERATED_HEADING = "[generated] Source record id"


def generated_id(values: list[str]) -> str:
    """A record id from the normalised values of the chosen columns: HMAC-SHA256 under the
    platform's first pseudonym key (kept while any generated id is held, so the same row
    gets the same id after a key rotation), 32 hex digits after "G-". Keyed, because the
    columns may hold a person's identifier, which a plain hash would let anyone test."""
    key = crypto.pseudonym_keys()[min(crypto.pseudonym_keys())]
    message = "\x1f".join([RECORD_ID_PURPOSE, *(normalise_identifier(v) for v in values)])
    return GENERATED_PREFIX + hmac.digest(key, message.encode(), "sha256").hex()[:32]


@dataclass
class Note:
    """One value the file does not hold, as the check page says it."""

    field: str
    how: str


class Preparer:
    """Adds the columns a mapping fills in to each row: `headers` and `row(values)`."""

    def __init__(
        self,
        headers: list[str],
        *,
        fixed: dict[str, str],
        derived: dict[str, dict],
        record_id_from: list[str],
        date_heading: str = "",
        parse_date: Callable[[str], date] | None = None,
    ) -> None:
        self.headers = list(headers)
        self.columns: dict[str, str] = {}  # standard field: the added heading
        self._makers: list[Callable[[list[str]], str]] = []
        position = {h: i for i, h in enumerate(headers)}
        for name, code in fixed.items():
            if name in CODED and code in CODED[name].values:
                self._add(name, fixed_heading(name), lambda values, code=code: code)
        for name, rule in derived.items():
            if name == "strand" and rule.get("rule") == DA_FLAG:
                flag, otherwise = (
                    position.get(rule.get("flag")),
                    position.get(rule.get("otherwise")),
                )
                if flag is not None and otherwise is not None:
                    self._add(name, derived_heading(name), _da_flag(flag, otherwise))
        wanted = [position[h] for h in record_id_from if h in position]
        if wanted and len(wanted) == len(record_id_from):
            at_date = position.get(date_heading) if parse_date else None
            self._add("source_id", GENERATED_HEADING, _generated(wanted, at_date, parse_date))

    def _add(self, name: str, heading: str, maker: Callable[[list[str]], str]) -> None:
        self.columns[name] = heading
        self.headers.append(heading)
        self._makers.append(maker)

    @property
    def active(self) -> bool:
        return bool(self._makers)

    @property
    def generates_ids(self) -> bool:
        return "source_id" in self.columns

    def row(self, values: list[str]) -> list[str]:
        return [*values, *(make(values) for make in self._makers)]

    def rows(self, rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
        if not self._makers:
            return rows
        return ((number, self.row(values)) for number, values in rows)


def _cell(values: list[str], at: int) -> str:
    return values[at].strip() if at < len(values) else ""


def _da_flag(flag: int, otherwise: int) -> Callable[[list[str]], str]:
    def strand(values: list[str]) -> str:
        if normalise_code(_cell(values, flag)) in FLAG_YES:
            return "domestic_abuse"
        return _cell(values, otherwise)

    return strand


def _generated(
    wanted: list[int], at_date: int | None, parse_date: Callable[[str], date] | None
) -> Callable[[list[str]], str]:
    def make(values: list[str]) -> str:
        cells = [_cell(values, i) for i in wanted]
        if not any(cells):
            return ""  # nothing to tell the row by: "the record id is missing"
        if at_date is not None and parse_date is not None and at_date in wanted:
            # The date as a date, so "01/03/2025" and "2025-03-01" give the same id.
            i = wanted.index(at_date)
            with contextlib.suppress(DateError, ValueError):
                cells[i] = parse_date(cells[i]).isoformat()
        return generated_id(cells)

    return make


def notes(*, fixed: dict, derived: dict, record_id_from: list[str]) -> list[Note]:
    """What the check page says of each value the file does not hold."""
    found = []
    for name, code in fixed.items():
        if name in CODED:
            shown = CODED[name].label_for(code)
            found.append(Note(LABELS[name], f"“{shown}” for every row (a fixed value)"))
    for name, rule in derived.items():
        if rule.get("rule") == DA_FLAG:
            found.append(
                Note(
                    LABELS[name],
                    f"Domestic abuse where “{rule.get('flag')}” says so (Y, Yes, True, 1 or "
                    f"X), otherwise what “{rule.get('otherwise')}” says, read through the "
                    "code matching",
                )
            )
    if record_id_from:
        found.append(
            Note(
                LABELS["source_id"],
                "Generated from " + ", ".join(f"“{h}”" for h in record_id_from) + " (a keyed "
                "hash: the same row gives the same id in every file)",
            )
        )
    return found
