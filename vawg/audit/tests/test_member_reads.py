"""The audit trail's reads take a partnership's members from their caller: audit sits
below accounts and imports none of it."""

import pytest

from vawg.accounts.testing import make_user
from vawg.audit import selectors
from vawg.audit.services import record

pytestmark = pytest.mark.django_db


def test_the_who_filter_names_the_given_members_once_each_in_name_order():
    zoe = make_user("zoe", first_name="Zoe", last_name="Adams")
    amy = make_user("amy", first_name="Amy", last_name="Brown")
    plain = make_user("plain")
    make_user("stranger", first_name="Not", last_name="Given")

    names = selectors.members_for_filter(member_ids=[zoe.pk, plain.pk, amy.pk, zoe.pk])

    assert names == [(plain.pk, "plain"), (amy.pk, "Amy Brown"), (zoe.pk, "Zoe Adams")]


def test_account_events_are_shown_for_the_given_members_only(partnership):
    member, other = make_user(), make_user()
    mine = record(action="sign_in", actor=member, obj=member)
    record(action="sign_in", actor=other, obj=other)
    own = record(action="create", actor=other, partnership=partnership)

    shown = selectors.events_for_partnership(partnership=partnership, member_ids=[member.pk])
    assert list(shown) == [own, mine]
    nobody = selectors.events_for_partnership(partnership=partnership, member_ids=[])
    assert list(nobody) == [own]
