"""The problem list an import page carries, signed, for its download: read back only as
it was given, and only for an hour."""

from datetime import timedelta

import pytest
from django.core import signing

from vawg.core.tabular import Problem
from vawg.learning.forms import PROBLEMS_MAX, PROBLEMS_MAX_AGE, ProblemsForm

EXPIRED = "The list of problems has expired. Upload the file again."


def _read(token: str) -> ProblemsForm:
    form = ProblemsForm({"problems": token})
    form.is_valid()
    return form


def test_the_list_reads_back_as_it_was_given():
    problems = [Problem(None, "", "", "The file is empty."), Problem(3, "Organisation", "X", "?")]
    form = _read(ProblemsForm.token_for(problems))
    assert form.is_valid()
    assert form.cleaned_data["problems"] == problems


def test_the_list_carries_the_first_problems_and_the_start_of_each_value():
    problems = [Problem(n, "Name", "x" * 300, "Too long.") for n in range(PROBLEMS_MAX + 10)]
    carried = _read(ProblemsForm.token_for(problems)).cleaned_data["problems"]
    assert len(carried) == PROBLEMS_MAX
    assert carried[0] == Problem(0, "Name", "x" * 200, "Too long.")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a token",
        signing.dumps([[1, "Organisation", "x", "=HYPERLINK()"]], salt="something else"),
    ],
)
def test_an_altered_or_missing_list_is_refused(token):
    assert _read(token).errors == {"problems": [EXPIRED]}


def test_a_list_older_than_an_hour_is_refused(monkeypatch):
    token = ProblemsForm.token_for([Problem(2, "Name", "", "Enter the name.")])
    later = signing.time.time() + PROBLEMS_MAX_AGE + timedelta(minutes=1).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert _read(token).errors == {"problems": [EXPIRED]}
