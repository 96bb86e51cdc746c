"""Residents and women aged 16 and over in each partnership's area, from a dated data file.

The regional comparison works its rates per 1,000 residents and, for MARAC, per 10,000
women aged 16 and over (SafeLives' measure) from one file for the whole region, so every
borough is divided by figures of the same year and source. The file is data, not code:
an operator replaces it with the ONS mid-year estimates (or points POPULATION_FILE at a
newer one) and nothing else changes. data/populations/README.md describes its columns.

Residents are public figures about no one in particular, so they are used as they are
(core.disclosure takes them as a plain denominator).
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

COLUMNS = ("area_code", "borough", "year", "residents", "women_16_plus", "synthetic", "source")


class PopulationFileError(ValueError):
    """The file cannot be read as populations: says which row and column, and why."""


@dataclass(frozen=True)
class AreaPopulation:
    area_code: str
    borough: str
    year: int
    residents: int
    women_16_plus: int
    synthetic: bool
    source: str


def population_file() -> Path:
    return Path(settings.POPULATION_FILE)


def _key(name: str) -> str:
    """A borough's name as the file and the partnership may each spell it."""
    name = name.lower().replace("&", " and ")
    name = re.sub(r"^(the )?(royal |london )?borough of ", "", name.strip())
    return re.sub(r"[^a-z]+", " ", name).strip()


def _integer(row: dict, column: str, line: int) -> int:
    text = (row.get(column) or "").replace(",", "").strip()
    if not text.isdigit():
        raise PopulationFileError(
            f"Row {line}, column {column}: {row.get(column)!r} is not a whole number."
        )
    return int(text)


def read_populations(path: Path) -> dict[str, AreaPopulation]:
    """Every row of the file, by borough name (as `_key` spells it)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise PopulationFileError(f"{path.name}: no column {', '.join(absent)}.")
        found: dict[str, AreaPopulation] = {}
        for line, row in enumerate(reader, start=2):
            area = AreaPopulation(
                area_code=row["area_code"].strip(),
                borough=row["borough"].strip(),
                year=_integer(row, "year", line),
                residents=_integer(row, "residents", line),
                women_16_plus=_integer(row, "women_16_plus", line),
                synthetic=row["synthetic"].strip().lower() in ("yes", "true", "1"),
                source=row["source"].strip(),
            )
            if area.women_16_plus > area.residents:
                raise PopulationFileError(
                    f"Row {line}: more women aged 16 and over than residents in {area.borough}."
                )
            if _key(area.borough) in found:
                raise PopulationFileError(f"Row {line}: {area.borough} is in the file twice.")
            found[_key(area.borough)] = area
    return found


@cache
def _cached(path: str, modified: float) -> dict[str, AreaPopulation]:
    # Keyed by the file's modification time: a replaced file is read again without a restart.
    return read_populations(Path(path))


def populations() -> dict[str, AreaPopulation]:
    path = population_file()
    if not path.exists():
        return {}
    return _cached(str(path), path.stat().st_mtime)


def population_for(name: str) -> AreaPopulation | None:
    """The row for the borough of this name, or None when the file has none."""
    return populations().get(_key(name))


def populations_for(partnerships) -> dict[int, AreaPopulation]:
    """Each partnership's row by its id; partnerships the file does not name are left out."""
    table = populations()
    return {p.pk: table[_key(p.name)] for p in partnerships if _key(p.name) in table}
