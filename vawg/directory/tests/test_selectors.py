"""The finder's matching and ranking, worked out by hand on a small directory.

Wandsworth and Lambeth are both in London. The directory:
  a  Wandsworth, borough: domestic abuse + refuge, for women
  b  Wandsworth, borough: FGM, forced marriage, honour; for women and Black and minoritised
     communities; in Somali and Arabic
  c  Lambeth, borough: domestic abuse + advocacy
  d  Lambeth, London-wide: domestic abuse, stalking, sexual violence, helpline; interpreters
  e  Wandsworth, national: help to stop harming someone
  f  Wandsworth, borough: domestic abuse, for men
  g  Wandsworth, borough: domestic abuse, retired
"""

import pytest

from vawg.directory.models import Area, Audience, Language, Need
from vawg.directory.selectors import finder_results, matching_services
from vawg.directory.tests.factories import make_service

N, A, L = Need, Audience, Language


@pytest.fixture
def directory(partnership, other_partnership):
    w, lam = partnership, other_partnership
    return {
        "a": make_service(w, name="a", needs=[N.DOMESTIC_ABUSE, N.REFUGE], audiences=[A.WOMEN]),
        "b": make_service(
            w,
            name="b",
            needs=[N.FGM, N.FORCED_MARRIAGE, N.HONOUR],
            audiences=[A.WOMEN, A.BLACK_MINORITISED],
            languages=[L.SOMALI, L.ARABIC],
        ),
        "c": make_service(lam, name="c", needs=[N.DOMESTIC_ABUSE, N.ADVOCACY]),
        "d": make_service(
            lam,
            name="d",
            area=Area.REGION,
            interpreters=True,
            needs=[N.DOMESTIC_ABUSE, N.STALKING, N.SEXUAL_VIOLENCE, N.HELPLINE],
        ),
        "e": make_service(w, name="e", area=Area.NATIONAL, needs=[N.OWN_BEHAVIOUR]),
        "f": make_service(w, name="f", needs=[N.DOMESTIC_ABUSE], audiences=[A.MEN]),
        "g": make_service(w, name="g", needs=[N.DOMESTIC_ABUSE], retired=True),
    }


def names(matches) -> list[str]:
    return [m.service.name for m in matches]


def test_a_woman_in_wandsworth_needing_a_refuge_sees_the_womens_refuge_first(
    directory, partnership
):
    matches = matching_services(
        partnership, needs=[N.DOMESTIC_ABUSE, N.REFUGE], audiences=[A.WOMEN], language=""
    )

    # a: domestic abuse + refuge + women = 3; d: domestic abuse = 1. b deals with none of it,
    # c is Lambeth's borough service, f is for men, g is retired.
    assert names(matches) == ["a", "d"]
    assert [m.score for m in matches] == [3, 1]
    assert matches[0].reasons == [
        "Domestic abuse",
        "Refuge and safe accommodation",
        "Women and girls",
    ]


def test_a_specialist_service_in_the_visitors_language_ranks_first(directory, partnership):
    matches = matching_services(
        partnership,
        needs=[N.FGM],
        audiences=[A.WOMEN, A.BLACK_MINORITISED],
        language=L.SOMALI,
    )

    assert names(matches) == ["b"]
    assert matches[0].score == 4  # FGM, two audiences, Somali
    assert matches[0].in_language
    assert "works in Somali" in matches[0].reasons


def test_with_no_answers_it_lists_every_local_service_narrowest_first(directory, partnership):
    matches = matching_services(partnership, needs=[], audiences=[], language="")

    # Every score is 0, so the narrower service comes first: f (1 need), a (2), b (3), d (4).
    # e (help to stop harming someone) is not shown to someone who did not ask for it.
    assert names(matches) == ["f", "a", "b", "d"]


def test_help_to_stop_harming_someone_is_shown_to_those_who_ask(directory, partnership):
    matches = matching_services(partnership, needs=[N.OWN_BEHAVIOUR], audiences=[], language="")

    assert names(matches) == ["e"]


def test_somewhere_else_shows_london_wide_and_national_services(directory):
    assert names(matching_services(None, needs=[], audiences=[], language="")) == ["d"]
    assert names(matching_services(None, needs=[N.OWN_BEHAVIOUR], audiences=[], language="")) == [
        "e"
    ]


def test_another_boroughs_visitor_sees_its_own_services_not_wandsworths(
    directory, other_partnership
):
    matches = matching_services(
        other_partnership, needs=[N.DOMESTIC_ABUSE], audiences=[], language=""
    )

    # c and d both score 1; c is narrower (2 needs against 4).
    assert names(matches) == ["c", "d"]


def test_another_language_needs_the_language_or_an_interpreter(directory, partnership):
    matches = matching_services(
        partnership, needs=[N.DOMESTIC_ABUSE], audiences=[], language=L.POLISH
    )

    assert names(matches) == ["d"]
    assert matches[0].via_interpreter and not matches[0].in_language
    assert "can arrange a Polish interpreter" in matches[0].reasons


def test_english_filters_nothing(directory, partnership):
    with_english = matching_services(partnership, needs=[], audiences=[], language=L.ENGLISH)

    assert names(with_english) == ["f", "a", "b", "d"]


def test_the_same_national_service_listed_twice_is_shown_once_the_visitors_own_copy(
    partnership, other_partnership
):
    theirs = make_service(
        other_partnership, provider="Helpline Trust (demo)", name="Helpline", area=Area.NATIONAL
    )
    ours = make_service(
        partnership, provider="Helpline Trust (demo)", name="helpline", area=Area.NATIONAL
    )

    def found(p):
        return [m.service.pk for m in matching_services(p, needs=[], audiences=[], language="")]

    assert found(partnership) == [ours.pk]
    assert found(other_partnership) == [theirs.pk]
    assert found(None) == [theirs.pk]  # the first listed


@pytest.mark.parametrize("size", [3, 12])
def test_matching_takes_the_same_queries_however_many_services(
    partnership, django_assert_num_queries, size
):
    for _ in range(size):
        make_service(partnership, needs=[N.DOMESTIC_ABUSE, N.HELPLINE], languages=[L.ENGLISH])

    # The services with their partnership and owner, then their needs, audiences, languages.
    with django_assert_num_queries(4):
        matches = matching_services(
            partnership, needs=[N.DOMESTIC_ABUSE], audiences=[A.WOMEN], language=""
        )
    assert len(matches) == size


def test_services_for_people_not_asked_about_follow_the_matches(partnership):
    for_anyone = make_service(partnership, name="anyone", needs=[N.DOMESTIC_ABUSE, N.HELPLINE])
    for_women = make_service(
        partnership, name="women", needs=[N.DOMESTIC_ABUSE], audiences=[A.WOMEN]
    )
    older = make_service(partnership, name="older", needs=[N.DOMESTIC_ABUSE], audiences=[A.OLDER])
    disabled = make_service(
        partnership, name="disabled", needs=[N.DOMESTIC_ABUSE], audiences=[A.DISABLED, A.WOMEN]
    )

    results = finder_results(partnership, needs=[N.DOMESTIC_ABUSE], audiences=[], language="")

    # Nobody said who they are: services only for women stay with the matches (nearly every
    # service here is), those for other particular people are kept apart, in the same order.
    assert results.count == 4
    assert [m.service for m in results.matches] == [for_women, for_anyone]
    ranked = [
        m.service
        for m in matching_services(partnership, needs=[N.DOMESTIC_ABUSE], audiences=[], language="")
    ]
    assert {older, disabled} == {m.service for m in results.others}
    assert [m.service for m in results.others] == [s for s in ranked if s in (older, disabled)]


def test_someone_who_says_who_they_are_sees_only_services_for_anyone_or_them(partnership):
    make_service(partnership, name="anyone", needs=[N.DOMESTIC_ABUSE])
    make_service(partnership, name="older", needs=[N.DOMESTIC_ABUSE], audiences=[A.OLDER])
    make_service(partnership, name="men", needs=[N.DOMESTIC_ABUSE], audiences=[A.MEN])

    results = finder_results(
        partnership, needs=[N.DOMESTIC_ABUSE], audiences=[A.OLDER], language=""
    )

    assert names(results.matches) == ["older", "anyone"]
    assert results.others == []
