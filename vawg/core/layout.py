"""How a partner's table is laid out: which row holds the column headings, and what a
CSV's cells are separated by. One rule for every reader of partners' files.

Exports often put a title above the headings (the report's name, the date it was run,
a blank line): the headings are the first row of three or more cells, the widest of the
first rows, with nothing but rows of at most two cells above it and a row of three or
more below it. A file whose first row is its headings, as the standard asks, is read
from row 1 whatever its rows hold.

Most CSVs arrive comma-separated. Excel saves "CSV" with semicolons where a comma is the
decimal mark, and some case systems export tab-separated text under a .csv name; both
are read as sent rather than refused. The separator is the one that splits the heading
row into the most columns, commas on a tie.
"""

import csv
from collections.abc import Sequence

SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
# How many rows from the top the headings are looked for in.
TITLE_ROWS_MAX = 10


def _filled(row: Sequence) -> int:
    return sum(1 for value in row if value is not None and str(value).strip())


def heading_index(rows: Sequence[Sequence]) -> int:
    """Which of a table's first rows (at most TITLE_ROWS_MAX) holds the column headings,
    counted from 0: the first row, unless rows of at most two cells stand above the
    first row of three or more that is the widest of them, and a row of three or more
    follows it (a table's rows, where a wide row at the foot of a narrow table would be
    taken for headings with the table above it for a title)."""
    filled = [_filled(row) for row in rows[:TITLE_ROWS_MAX]]
    if not filled:
        return 0
    widest = max(filled)
    index = filled.index(widest)
    titles, below = filled[:index], filled[index + 1 :]
    if index and widest >= 3 and max(titles) <= 2 and any(n >= 3 for n in below):
        return index
    return 0


def separator_of(lines: Sequence[str]) -> str:
    """The separator of a CSV whose first lines are `lines`: the one that splits its
    heading row into the most columns, commas on a tie."""
    widths = {}
    for separator in SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=separator))
        except csv.Error:
            rows = []
        widths[separator] = _filled(rows[heading_index(rows)]) if rows else 0
    return max(SEPARATORS, key=lambda s: widths[s])  # the first of the widest: commas


def separator_label(separator: str) -> str:
    """The separator in words, for the pages that say how a file was read."""
    return SEPARATORS.get(separator, repr(separator))


def headings_said(heading_row: int) -> str:
    """Where the headings were read from, in words, where a title stood above them ("" for
    headings in row 1, which need no word)."""
    above = heading_row - 1
    if above < 1:
        return ""
    rows = "row 1" if above == 1 else f"rows 1 to {above}"
    return f"row {heading_row}, with {rows} above it, a title, not read"
