"""The attacker's audit (auditor.py) finds what a weaker rule gives away, so that when it
finds nothing in the platform's figures that means something."""

import pytest

from vawg.core import disclosure
from vawg.core.disclosure import CONTROLLED
from vawg.core.tests.auditor import Auditor, window

SEXES = ["female", "male", "unknown"]
WARDS = ["A", "B", "C"]


def exact_unless_small(text: str):
    """A rule of primary suppression alone: everything else shown exactly, and none as 0."""
    if text == disclosure.small_text():
        return 1, 4
    n = int(text)
    return n, n


def conventional(text: str):
    """Rounding to the nearest 5, the same way for every cell, and none shown as 0."""
    if text == disclosure.small_text():
        return 1, 4
    n = int(text)
    return (0, 0) if n == 0 else (max(5, n - 2), n + 2)


def people(**counts) -> list[dict]:
    """Records from counts keyed like "female_A"."""
    out = []
    for key, n in counts.items():
        sex, ward = key.split("_")
        out += [{"sex": sex, "ward": ward}] * n
    return out


def test_it_recovers_a_hidden_cell_from_an_exact_total_and_the_other_cells():
    records = people(female_A=28, male_A=10, unknown_A=1)
    audit = Auditor({"sex": SEXES}, reads=exact_unless_small)
    audit.publish({}, "39", "all")
    audit.publish({"sex": "female"}, "28", "women")
    audit.publish({"sex": "male"}, "10", "men")
    audit.publish({"sex": "unknown"}, "fewer than 5", "sex not known")
    assert audit.recovered(records) == ["sex not known: exactly 1"]


def test_it_recovers_a_hidden_cell_that_conventional_rounding_leaves_open():
    # Wards A and B of 8 each (shown 10), the two together 16 (15), and all three 17
    # (15): A and B make 16 or 17, so C's "fewer than 5" is exactly one.
    records = people(female_A=8, female_B=8, female_C=1)
    audit = Auditor({"ward": WARDS}, reads=conventional)
    audit.publish({"ward": "A"}, "10", "ward A")
    audit.publish({"ward": "B"}, "10", "ward B")
    audit.publish({"ward": "C"}, "fewer than 5", "ward C")
    audit.publish({"ward": {"A", "B"}}, "15", "wards A and B")
    audit.publish({}, "15", "all")
    assert audit.recovered(records) == ["ward C: exactly 1"]


def test_it_recovers_four_months_of_a_few_inside_a_year_of_a_few_when_none_is_shown_as_0():
    """Why none reads "fewer than 5" too: were it 0, each "fewer than 5" would be one or more."""
    months = [f"m{i}" for i in range(12)]
    records = [{"month": m} for m in months[:4]]
    audit = Auditor({"month": months}, reads=conventional)
    audit.publish({}, "fewer than 5", "the year")
    for m in months:
        audit.publish({"month": m}, "fewer than 5" if m in months[:4] else "0", m)
    assert audit.recovered(records)[0] == "the year: exactly 4"


@pytest.mark.parametrize("seed", range(5))
def test_the_same_attacks_on_the_platforms_rule_pin_nothing(seed):
    """Every cell, margin and pair of wards of a small table, each by its cell key."""
    records = people(female_A=8 + seed, female_B=8, female_C=1, male_A=3, unknown_B=2)
    records = [{**r, "id": i} for i, r in enumerate(records)]
    audit = Auditor({"sex": SEXES, "ward": WARDS})

    def publish(where, what):
        members = [
            r["id"]
            for r in records
            if all(r[k] in (v if isinstance(v, set) else {v}) for k, v in where.items())
        ]
        text = disclosure.count(disclosure.tally(f"test.{seed}", members), CONTROLLED).text
        audit.publish(where, text, what)

    publish({}, "all")
    for sex in SEXES:
        publish({"sex": sex}, sex)
        for ward in WARDS:
            publish({"sex": sex, "ward": ward}, f"{sex} {ward}")
    for ward in WARDS:
        publish({"ward": ward}, ward)
    publish({"ward": {"A", "B"}}, "A and B")
    assert audit.hidden()
    assert audit.recovered(records) == []


def test_a_controlled_figure_reads_as_every_count_it_could_be():
    assert window("fewer than 5") == (0, 4)
    assert window("20") == (16, 24)
    assert window("5") == (5, 9)
    assert window("not shown") is None


def test_it_notices_the_same_people_given_two_figures():
    audit = Auditor({"sex": SEXES})
    audit.publish({"sex": "female"}, "10", "a page")
    audit.publish({"sex": "female"}, "15", "an export")
    assert audit.inconsistent == ["an export reads '15' but a page '10'"]


def test_a_figure_on_another_dimension_is_not_this_audits():
    audit = Auditor({"sex": SEXES})
    assert not audit.publish({"ward": "A"}, "10", "ward A")
    assert audit.published == {}
