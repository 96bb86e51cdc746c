"""What a "CSV" file's cells are separated by, told from its heading row: one rule for
every reader of partners' files.

Most arrive comma-separated. Excel saves "CSV" with semicolons where a comma is the
decimal mark, and some case systems export tab-separated text under a .csv name; both
are read as sent rather than refused. A comma wins whenever the heading row splits on
it, so a comma file is never read another way.
"""

import csv

SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def separator_of(heading_row: str) -> str:
    """The separator of a CSV whose first line is `heading_row`: a comma, unless the line
    holds a single column that way and another separator splits it into more."""
    widths = {}
    for separator in SEPARATORS:
        try:
            widths[separator] = len(next(csv.reader([heading_row], delimiter=separator), []))
        except csv.Error:
            widths[separator] = 0
    if widths[","] > 1:
        return ","
    best = max(SEPARATORS, key=lambda s: widths[s])
    return best if widths[best] > 1 else ","


def separator_label(separator: str) -> str:
    """The separator in words, for the pages that say how a file was read."""
    return SEPARATORS.get(separator, repr(separator))
