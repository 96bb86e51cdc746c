"""Synthetic partner extracts: realistic in shape, about no one.

Used by the demo (a few thousand records per borough) and the benchmark (up
to 10 million). Proportions follow the national and local figures the
Wandsworth strategy quotes (most incidents domestic abuse; women 18-34 most
often victims; the over-65s about 5%; disabled people over-represented; three
wards holding over a quarter of incidents), with a small yearly rise and a
summer peak. Identifiers are random tokens; nothing here describes a person.
"""

import csv
import io
from datetime import date, timedelta

import numpy as np

from vawg.insight.standard import (
    AGE_BAND,
    DISABILITY,
    ETHNICITY,
    ORIENTATION,
    OUTCOME,
    RELATIONSHIP,
    SEX,
)

HEADERS = [
    "Crime Ref",
    "Incident Date",
    "VAWG Strand",
    "Offence",
    "Ward",
    "Victim Age Band",
    "Victim Sex",
    "Gender Identity",
    "Ethnicity",
    "Disability",
    "Sexual Orientation",
    "Relationship",
    "Suspect Sex",
    "Suspect Age Band",
    "Victim ID",
    "Crime Outcome",
    "Officer Notes",
]
MAPPING_COLUMNS = {
    "source_id": "Crime Ref",
    "date": "Incident Date",
    "strand": "VAWG Strand",
    "crime_type": "Offence",
    "ward": "Ward",
    "age_band": "Victim Age Band",
    "sex": "Victim Sex",
    "gender_identity": "Gender Identity",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "orientation": "Sexual Orientation",
    "relationship": "Relationship",
    "perpetrator_sex": "Suspect Sex",
    "perpetrator_age_band": "Suspect Age Band",
    "person_id": "Victim ID",
    "outcome": "Crime Outcome",
}

STRAND_WEIGHTS = {
    "domestic_abuse": 62,
    "sexual_violence": 14,
    "stalking": 7,
    "harassment": 11,
    "honour_based_abuse": 1.5,
    "forced_marriage": 0.5,
    "fgm": 0.3,
    "trafficking_exploitation": 1.5,
    "girls_and_gangs": 2.2,
}
AGE_WEIGHTS = [2, 4, 20, 30, 22, 11, 6, 5, 0.5]
SEX_WEIGHTS = [80, 18, 2]
ETHNICITY_WEIGHTS = [11, 20, 7, 50, 5, 7]
DISABILITY_WEIGHTS = [14, 70, 16]
ORIENTATION_WEIGHTS = [70, 3, 2, 1, 24]
RELATIONSHIP_WEIGHTS = [40, 35, 12, 6, 4, 1, 2]
OUTCOME_WEIGHTS = [9, 3, 45, 25, 10, 8]  # resolved outcomes; recent months stay pending
CRIME_BY_STRAND = {
    "domestic_abuse": {
        "violence_with_injury": 25,
        "violence_without_injury": 35,
        "coercive_control": 12,
        "criminal_damage": 10,
        "threats": 8,
        "non_crime_incident": 10,
    },
    "sexual_violence": {"rape": 40, "other_sexual_offence": 60},
    "stalking": {"stalking_harassment": 100},
    "harassment": {"stalking_harassment": 80, "threats": 20},
}


def _p(weights) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return array / array.sum()


def ward_weights(count: int) -> np.ndarray:
    """A long tail: the first three wards hold roughly 27% of incidents."""
    weights = np.ones(count)
    weights[:3] = max(count, 3) * 0.12
    return _p(weights)


def generate(
    *,
    rows: int,
    wards: list[str],
    start: date,
    end: date,
    rng: np.random.Generator,
    old_names: dict[str, str] | None = None,
    id_prefix: str = "",
    people_prefix: str = "",
    pending_after: date | None = None,
) -> dict[str, np.ndarray]:
    """Columns of a partner extract, as arrays of text, keyed by HEADERS.

    `old_names` maps a current ward to the name partners used before the
    boundary change; incidents before May 2022 are written with it, as real
    extracts mix them.
    """
    span = (end - start).days + 1
    # A gentle rise over the years, and more incidents in summer.
    calendar = [start + timedelta(days=i) for i in range(span)]
    weight = np.array(
        [
            (1 + 0.03 * (d.year - start.year)) * (1.15 if 5 <= d.month <= 8 else 1.0)
            for d in calendar
        ]
    )
    offsets = rng.choice(span, size=rows, p=_p(weight))
    days = offsets + start.toordinal()
    date_text = np.array([d.isoformat() for d in calendar], dtype=object)[offsets]

    strands = np.array(list(STRAND_WEIGHTS))
    strand = strands[rng.choice(len(strands), size=rows, p=_p(list(STRAND_WEIGHTS.values())))]
    crime = np.full(rows, "other", dtype=object)
    for name, table in CRIME_BY_STRAND.items():
        where = strand == name
        codes = np.array(list(table))
        crime[where] = codes[
            rng.choice(len(codes), size=int(where.sum()), p=_p(list(table.values())))
        ]

    ward_names = np.array(wards, dtype=object)
    ward = ward_names[rng.choice(len(wards), size=rows, p=ward_weights(len(wards)))]
    if old_names:
        before = days < date(2022, 5, 5).toordinal()
        for new, old in old_names.items():
            ward[before & (ward == new)] = old

    def pick(vocabulary, weights) -> np.ndarray:
        codes = np.array([label for _, label in vocabulary.codes], dtype=object)
        return codes[rng.choice(len(codes), size=rows, p=_p(weights))]

    # Victims: a pool a little larger than the incidents, so that about a fifth of
    # incidents follow an earlier one of the same victim within a year.
    people = max(int(rows * 1.2), 1)
    person = rng.integers(0, people, size=rows)
    person_text = np.char.add(f"{people_prefix}V", person.astype(str))
    outcome = pick(OUTCOME, [*OUTCOME_WEIGHTS, 0])
    if pending_after is not None:
        recent = days > pending_after.toordinal()
        outcome[recent & (rng.random(rows) < 0.7)] = ""
    sex = pick(SEX, SEX_WEIGHTS)
    return {
        "Crime Ref": np.char.add(f"{id_prefix}CR", np.arange(rows).astype(str)),
        "Incident Date": date_text,
        "VAWG Strand": strand,
        "Offence": crime,
        "Ward": ward,
        "Victim Age Band": pick(AGE_BAND, AGE_WEIGHTS),
        "Victim Sex": sex,
        "Gender Identity": pick_codes(rng, ["same", "different", "unknown"], [90, 1, 9], rows),
        "Ethnicity": pick(ETHNICITY, ETHNICITY_WEIGHTS),
        "Disability": pick(DISABILITY, DISABILITY_WEIGHTS),
        "Sexual Orientation": pick(ORIENTATION, ORIENTATION_WEIGHTS),
        "Relationship": pick(RELATIONSHIP, RELATIONSHIP_WEIGHTS),
        "Suspect Sex": pick(SEX, [8, 90, 2]),
        "Suspect Age Band": pick(AGE_BAND, AGE_WEIGHTS),
        "Victim ID": person_text,
        "Crime Outcome": outcome,
        "Officer Notes": np.full(rows, "synthetic free text, dropped at import", dtype=object),
    }


def pick_codes(rng, codes: list[str], weights: list[float], rows: int) -> np.ndarray:
    return np.array(codes, dtype=object)[rng.choice(len(codes), size=rows, p=_p(weights))]


def to_csv(columns: dict[str, np.ndarray]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(zip(*(columns[h] for h in HEADERS), strict=True))
    return out.getvalue().encode()


def demo_population(
    *, wards: list[str], year: int, rng: np.random.Generator, people: int
) -> list[list]:
    """Synthetic residents by ward × age band × sex × ethnic group (rows for population_import)."""
    ages = [code for code in AGE_BAND.values if code != "unknown"]
    age_share = _p([19, 2, 10, 20, 17, 13, 9, 10])
    ethnic = [code for code in ETHNICITY.values if code != "unknown"]
    ethnic_share = _p([12, 11, 6, 66, 5])
    per_ward = _p(rng.uniform(0.8, 1.2, size=len(wards))) * people
    rows = []
    for ward, residents in zip(wards, per_ward, strict=True):
        for age, a in zip(ages, age_share, strict=True):
            for sex, s in (("female", 0.51), ("male", 0.49)):
                for eth, e in zip(ethnic, ethnic_share, strict=True):
                    rows.append([year, ward, age, sex, eth, int(round(residents * a * s * e))])
    return rows
