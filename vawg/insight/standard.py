"""The partner data standard: the fields partners send and the codes each may hold.

docs/data-standard.md is the human version of this module; the importer and
the dashboard read the vocabularies from here so that the two never disagree.
"""

import re
from dataclasses import dataclass

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Vocabulary:
    """A coded field: the standard's codes with their labels, in display order."""

    name: str
    label: str
    codes: tuple[tuple[str, str], ...]

    @property
    def values(self) -> list[str]:
        return [code for code, _ in self.codes]

    def label_for(self, code: str) -> str:
        return dict(self.codes).get(code, code)


STRAND = Vocabulary(
    "strand",
    "VAWG strand",
    (
        ("domestic_abuse", "Domestic abuse"),
        ("sexual_violence", "Sexual violence"),
        ("stalking", "Stalking"),
        ("harassment", "Harassment"),
        ("fgm", "Female genital mutilation"),
        ("forced_marriage", "Forced marriage"),
        ("honour_based_abuse", "So-called honour-based abuse"),
        ("trafficking_exploitation", "Trafficking and sexual exploitation"),
        ("girls_and_gangs", "Girls and gang violence"),
    ),
)
CRIME_TYPE = Vocabulary(
    "crime_type",
    "Crime or incident type",
    (
        ("violence_with_injury", "Violence with injury"),
        ("violence_without_injury", "Violence without injury"),
        ("coercive_control", "Controlling or coercive behaviour"),
        ("rape", "Rape"),
        ("other_sexual_offence", "Other sexual offence"),
        ("stalking_harassment", "Stalking or harassment"),
        ("criminal_damage", "Criminal damage"),
        ("threats", "Threats to kill or other threats"),
        ("non_crime_incident", "Non-crime incident"),
        ("other", "Other"),
    ),
)
AGE_BAND = Vocabulary(
    "age_band",
    "Age band",
    (
        ("0-15", "Under 16"),
        ("16-17", "16 to 17"),
        ("18-24", "18 to 24"),
        ("25-34", "25 to 34"),
        ("35-44", "35 to 44"),
        ("45-54", "45 to 54"),
        ("55-64", "55 to 64"),
        ("65+", "65 and over"),
        (UNKNOWN, "Not known"),
    ),
)
SEX = Vocabulary("sex", "Sex", (("female", "Female"), ("male", "Male"), (UNKNOWN, "Not known")))
GENDER_IDENTITY = Vocabulary(
    "gender_identity",
    "Gender identity same as sex registered at birth",
    (("same", "Yes"), ("different", "No"), (UNKNOWN, "Not known")),
)
ETHNICITY = Vocabulary(
    "ethnicity",
    "Ethnic group",
    (
        ("asian", "Asian or Asian British"),
        ("black", "Black, Black British, Caribbean or African"),
        ("mixed", "Mixed or multiple ethnic groups"),
        ("white", "White"),
        ("other", "Other ethnic group"),
        (UNKNOWN, "Not known"),
    ),
)
DISABILITY = Vocabulary(
    "disability",
    "Disability",
    (("disabled", "Disabled"), ("not_disabled", "Not disabled"), (UNKNOWN, "Not known")),
)
ORIENTATION = Vocabulary(
    "orientation",
    "Sexual orientation",
    (
        ("heterosexual", "Straight or heterosexual"),
        ("gay_lesbian", "Gay or lesbian"),
        ("bisexual", "Bisexual"),
        ("other", "Other sexual orientation"),
        (UNKNOWN, "Not known"),
    ),
)
RELATIONSHIP = Vocabulary(
    "relationship",
    "Relationship to the perpetrator",
    (
        ("partner", "Current partner"),
        ("ex_partner", "Former partner"),
        ("family", "Family member"),
        ("acquaintance", "Acquaintance"),
        ("stranger", "Stranger"),
        ("other", "Other"),
        (UNKNOWN, "Not known"),
    ),
)
PERPETRATOR_SEX = Vocabulary("perpetrator_sex", "Perpetrator sex", SEX.codes)
PERPETRATOR_AGE_BAND = Vocabulary("perpetrator_age_band", "Perpetrator age band", AGE_BAND.codes)
OUTCOME = Vocabulary(
    "outcome",
    "Crime outcome",
    (
        ("charged", "Charged or summonsed"),
        ("out_of_court", "Out-of-court resolution"),
        ("evidential_difficulties", "Evidential difficulties"),
        ("victim_withdrew", "Victim does not support action"),
        ("no_suspect", "Investigation complete, no suspect identified"),
        ("other", "Other outcome"),
        ("pending", "Under investigation (no outcome yet)"),
    ),
)

VOCABULARIES = {
    v.name: v
    for v in (
        STRAND,
        CRIME_TYPE,
        AGE_BAND,
        SEX,
        GENDER_IDENTITY,
        ETHNICITY,
        DISABILITY,
        ORIENTATION,
        RELATIONSHIP,
        PERPETRATOR_SEX,
        PERPETRATOR_AGE_BAND,
        OUTCOME,
    )
}

# The victim characteristics the dashboard breaks down and filters by.
VICTIM_CHARACTERISTICS = (AGE_BAND, SEX, ETHNICITY, DISABILITY, ORIENTATION)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    description: str
    vocabulary: Vocabulary | None = None


# The incident-level fields, in the order of the data standard. Anything else a
# partner sends (free-text notes, officer names, addresses) is dropped unread.
FIELDS: tuple[Field, ...] = (
    Field("source_id", "Source record id", True, "The partner's own id for the record."),
    Field("date", "Date", True, "Date of the incident, YYYY-MM-DD or DD/MM/YYYY."),
    Field("strand", "VAWG strand", True, "Which form of VAWG.", STRAND),
    Field("crime_type", "Crime or incident type", True, "", CRIME_TYPE),
    Field("ward", "Ward", True, "Ward name (old or new boundaries)."),
    Field("age_band", "Victim age band", False, "Or a victim age in years.", AGE_BAND),
    Field("sex", "Victim sex", False, "", SEX),
    Field("gender_identity", "Victim gender identity", False, "", GENDER_IDENTITY),
    Field("ethnicity", "Victim ethnic group", False, "", ETHNICITY),
    Field("disability", "Victim disability", False, "", DISABILITY),
    Field("orientation", "Victim sexual orientation", False, "", ORIENTATION),
    Field("relationship", "Relationship to perpetrator", False, "", RELATIONSHIP),
    Field("perpetrator_sex", "Perpetrator sex", False, "", PERPETRATOR_SEX),
    Field("perpetrator_age_band", "Perpetrator age band", False, "", PERPETRATOR_AGE_BAND),
    Field("person_id", "Victim identifier", False, "Replaced by a keyed hash at import."),
    Field("outcome", "Crime outcome", False, "Blank means no outcome yet.", OUTCOME),
)
FIELD_NAMES = [f.name for f in FIELDS]
REQUIRED = [f.name for f in FIELDS if f.required]
CODED = {f.name: f.vocabulary for f in FIELDS if f.vocabulary is not None}


def normalise_code(text: str) -> str:
    """Partners write codes in many ways: 'Domestic Abuse', 'domestic-abuse', ' DA '."""
    return "_".join(text.strip().casefold().replace("-", " ").replace("_", " ").split())


def age_band_for(age: int) -> str:
    for code, _ in AGE_BAND.codes:
        if code == UNKNOWN:
            continue
        low, _, high = code.partition("-")
        low = int(low.rstrip("+"))
        if age >= low and (not high or age <= int(high)):
            return code
    return UNKNOWN


_RANGE = re.compile(
    r"([0-9]{1,3})\s*(?:-|–|to)\s*([0-9]{1,3})|([0-9]{1,3})\s*\+|under\s*([0-9]{1,3})"
)


def age_band_for_range(text: str) -> str | None:
    """The standard's band for an age range a partner writes ("16-24", "65+", "Under 16"),
    or None if the text is not one. A range inside one band is that band; a range across
    two or more counts in the band holding most of its years, the older on a tie ("16-24"
    counts as 18 to 24: seven of its nine years). docs/data-standard.md says so."""
    found = _RANGE.fullmatch(text.strip().casefold())
    if found is None:
        return None
    low, high, plus, under = found.groups()
    if plus:
        low, high = plus, "120"
    elif under:
        low, high = "0", str(int(under) - 1)
    first, last = int(low), int(high)
    if first > last or last > 120:
        return None
    years: dict[str, int] = {}
    for age in range(first, last + 1):
        band = age_band_for(age)
        years[band] = years.get(band, 0) + 1
    order = [code for code, _ in AGE_BAND.codes]
    return max(years, key=lambda band: (years[band], order.index(band)))


# Values each coded field accepts without a mapping: the code itself and its label.
def default_lookup(vocabulary: Vocabulary) -> dict[str, str]:
    lookup = {}
    for code, label in vocabulary.codes:
        lookup[normalise_code(code)] = code
        lookup[normalise_code(label)] = code
    return lookup
