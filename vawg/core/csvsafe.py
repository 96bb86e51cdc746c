"""Spreadsheet cells that a spreadsheet will not run as a formula.

A cell beginning with =, +, -, @, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula, so a value typed into the app could
run in the spreadsheet of whoever opens an export (CSV injection). Prefixing a
single quote makes the spreadsheet show the text as it is; an import reading
the file back strips that one quote. core.tabular.write_table applies it to every
cell of every CSV and XLSX export, so an app never calls it for a table itself.
"""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """`value` as text for a CSV cell, neutralised if a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unsafe_cell(text: str) -> str:
    """The value `safe_cell` was given, for an import reading an export back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
