"""A CSV extract read a column at a time, when every value in it reads cleanly.

Partner files repeat a few values millions of times. Here the file is split by
the same csv module as the row path, a chunk at a time, and only the mapped
columns are kept (the rest are dropped as each chunk is read); each column is
factorised (pandas) into its distinct values, and each distinct value is
checked and standardised once by the same Standardiser the row path uses. The
rows are then put together by array indexing, not one at a time in Python
(docs/performance.md).

Anything this reading is not sure of returns None: a problem in any value, a
blank, long or repeated record id, more values on a row than there are
headings, a cell an export neutralised, a file the csv module cannot read. The caller
then reads the file row by row, which words the per-row report exactly as
before. The fast path never accepts a file the row path would reject.
"""

import csv
import hashlib
import io
from collections.abc import Callable
from itertools import islice

import numpy as np
import pandas as pd

from vawg.insight.importer import Standardiser, _parse_date
from vawg.insight.standard import CODED, REQUIRED, UNKNOWN

CHUNK = 20_000
_BAD = object()  # a distinct value that needs the row path to word its problem


def read(data: bytes, headers: list[str], standardiser: Standardiser) -> dict | None:
    """Each standardised field as a per-row array (and the rows' fingerprints), or None."""
    if not standardiser._fast:
        return None
    cells = _cells(data, len(headers), sorted(set(standardiser.index.values())))
    if cells is None or not len(cells[standardiser.index["source_id"]]):
        return None
    named = {name: cells[position] for name, position in standardiser.index.items()}
    return _standardise(named, standardiser)


def _cells(data: bytes, width: int, positions: list[int]) -> dict[int, np.ndarray] | None:
    """The wanted columns, parsed by the same csv module as the row path, a chunk at a
    time; None if any row is not exactly as wide as the headings (the row path decides)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    kept: dict[int, list] = {p: [] for p in positions}
    try:
        next(reader)
        while chunk := list(islice(reader, CHUNK)):
            rows = [r for r in chunk if r]  # blank lines: skipped, as row by row
            if rows and set(map(len, rows)) != {width}:
                return None
            if not rows:
                continue
            columns = list(zip(*rows, strict=True))
            for position in positions:
                kept[position].extend(columns[position])
    except csv.Error:
        return None
    return {p: np.asarray(values, dtype=object) for p, values in kept.items()}


def _standardise(cells: dict[str, np.ndarray], s: Standardiser) -> dict | None:
    out: dict[str, np.ndarray] = {}
    ids = np.asarray([v.strip() for v in cells["source_id"]], dtype=object)
    if (
        _any(cells["source_id"], lambda v: v[:1] == "'")
        or _any(ids, lambda v: not v or len(v) > 64)
        or pd.Series(ids).duplicated().any()
    ):
        return None
    out["source_id"] = ids

    def occurred(text: str):
        parsed = _parse_date(text.strip(), s.today)
        return _BAD if isinstance(parsed, str) else parsed

    def ward(text: str):
        return s.wards(text.strip()) or _BAD

    for name, convert in (("occurred_on", occurred), ("ward_id", ward)):
        column = _read(cells["date" if name == "occurred_on" else "ward"], convert)
        if column is None:
            return None
        out[name] = column
    for name, position, cache in s._coded:
        if position is None:
            if name in REQUIRED:
                return None
            out[name] = np.full(len(ids), "pending" if name == "outcome" else UNKNOWN, object)
            continue

        def code(text: str, name=name, cache=cache):
            known = cache.get(text)
            if known is not None:
                return known
            problems: list = []
            found = s._code(0, name, text.strip(), problems)
            return _BAD if problems else found

        column = _read(cells[name], code)
        if column is None:
            return None
        out[name] = column
    if "person_id" in cells:
        people = _read(
            cells["person_id"], lambda t: s._person(t.strip()) if t.strip() else (None, "")
        )
        if people is None:
            return None
        out["person_key_version"] = np.asarray([p[0] for p in people], dtype=object)
        out["person_digest"] = np.asarray([p[1] for p in people], dtype=object)
    else:
        out["person_key_version"] = np.full(len(ids), None, object)
        out["person_digest"] = np.full(len(ids), "", object)
    out["fingerprint"] = _fingerprints(out)
    return out


# The standardised values a fingerprint covers, in importer.Record's order.
FINGERPRINTED = (
    "occurred_on",
    *list(CODED)[:2],
    "ward_id",
    *list(CODED)[2:],
    "person_key_version",
    "person_digest",
)


def _fingerprints(out: dict[str, np.ndarray]) -> np.ndarray:
    """importer.fingerprint of every row, with str() worked out once per distinct value."""
    texts = [
        # Factorising would read a None as NaN: the key version's text is worked out directly.
        np.asarray([str(v) for v in out[name]], dtype=object)
        if name == "person_key_version"
        else _map(out[name], str)
        for name in FINGERPRINTED
    ]
    joined = map("\x1f".join, zip(*texts, strict=True))
    blake = hashlib.blake2b
    return np.asarray(
        [blake(line.encode(), digest_size=16).hexdigest() for line in joined], dtype=object
    )


def _read(cells: np.ndarray, convert: Callable) -> np.ndarray | None:
    """_map for a column of the file's cells: a cell an export neutralised (a leading
    quote) is for the row path to read back."""
    return _map(cells, lambda v: _BAD if v[:1] == "'" else convert(v))


def mapped(column: np.ndarray, convert: Callable) -> np.ndarray:
    """convert() applied once per distinct value of a column."""
    result = _map(column, convert)
    assert result is not None  # convert never answers _BAD here
    return result


def _map(column: np.ndarray, convert: Callable) -> np.ndarray | None:
    """convert() applied once per distinct value; None if any distinct value is _BAD."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    converted = np.empty(len(uniques), dtype=object)
    for i, value in enumerate(uniques):
        result = convert(value)
        if result is _BAD:
            return None
        converted[i] = result
    return converted[codes]


def _any(column: np.ndarray, test: Callable[[str], bool]) -> bool:
    return any(test(value) for value in pd.unique(column))
