"""Posting, reviewing and versioning progress updates."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.delivery import services
from vawg.delivery.models import ProgressUpdate, Status, UpdateState, UpdateVersion
from vawg.delivery.tests.factories import TODAY, approve, make_world, post
from vawg.strategy.tests.factories import make_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


def test_it_creates_a_draft_and_keeps_a_version(world):
    update = post(world, world.q3, world.lead, submit=False)
    assert update.state == UpdateState.DRAFT
    assert update.version == 1
    assert list(update.versions.values_list("number", "event")) == [(1, "created")]
    assert AuditEvent.objects.filter(object_id=str(update.pk), action="create").exists()


def test_it_submits_and_a_chair_approves(world):
    update = post(world, world.q3, world.lead)
    assert update.state == UpdateState.SUBMITTED
    update = approve(update, world.chair, comment="Good progress")
    assert update.state == UpdateState.APPROVED
    assert update.reviewed_by == world.chair
    assert [v.event for v in update.versions.all()] == ["submitted", "approved"]


def test_every_save_is_kept_as_a_version(world):
    first = post(world, world.q3, world.lead, submit=False, status=Status.NOT_STARTED)
    post(world, world.q3, world.lead, submit=False, version=1, status=Status.ON_TRACK)
    post(world, world.q3, world.lead, version=2, status=Status.AT_RISK, commentary="Venue lost")
    versions = list(UpdateVersion.objects.filter(update=first).order_by("number"))
    assert [(v.number, v.status, v.event) for v in versions] == [
        (1, Status.NOT_STARTED, "created"),
        (2, Status.ON_TRACK, "edited"),
        (3, Status.AT_RISK, "submitted"),
    ]
    assert versions[2].snapshot["commentary"] == "Venue lost"


def test_a_stale_save_is_refused_and_changes_nothing(world):
    post(world, world.q3, world.lead, submit=False, commentary="First")
    # Two people opened version 1; the first saves, the second is refused.
    post(world, world.q3, world.lead, submit=False, version=1, commentary="Second")
    with pytest.raises(ValidationError, match="Someone else changed this update"):
        post(world, world.q3, world.lead, submit=False, version=1, commentary="Third")
    update = ProgressUpdate.objects.get()
    assert (update.version, update.commentary) == (2, "Second")


def test_a_second_new_update_for_the_same_period_is_refused(world):
    post(world, world.q3, world.lead, submit=False)
    with pytest.raises(ValidationError, match="Someone else changed"):
        post(world, world.q3, world.lead, submit=False, version=0)
    assert ProgressUpdate.objects.count() == 1


def test_a_stale_review_is_refused(world):
    update = post(world, world.q3, world.lead)
    standing = services.standing_for(world.chair, world.strategy.partnership)
    with pytest.raises(ValidationError, match="Someone else changed"):
        services.update_review(
            update=update,
            actor=world.chair,
            standing=standing,
            decision=services.Decision.APPROVE,
            comment="",
            version=update.version - 1,
        )


def test_a_lead_of_another_organisation_is_refused(world, partnership):
    elsewhere = make_action(
        world.action.priority, leads=(make_organisation(partnership, "Police"),)
    )
    with pytest.raises(PermissionDenied):
        post(elsewhere, world.q3, world.lead)
    assert not ProgressUpdate.objects.exists()


def test_a_member_of_another_partnership_is_refused(world, personas):
    with pytest.raises(PermissionDenied):
        post(world, world.q3, personas["outsider"])


def test_a_period_of_another_partnership_is_refused(world, other_partnership):
    from vawg.core.periods import periods_ensure_year

    theirs = periods_ensure_year(partnership=other_partnership, year_start=date(2025, 4, 1))
    with pytest.raises(ValidationError, match="period of this partnership"):
        post(world, theirs[2], world.lead)


def test_a_future_period_is_refused(world):
    with pytest.raises(ValidationError, match="has not started"):
        post(world, world.periods[3], world.lead)


def test_at_risk_needs_commentary(world):
    with pytest.raises(ValidationError) as error:
        post(world, world.q3, world.lead, status=Status.OFF_TRACK, commentary="  ")
    assert "commentary" in error.value.message_dict


def test_an_unknown_status_is_refused(world):
    with pytest.raises(ValidationError) as error:
        post(world, world.q3, world.lead, status="purple")
    assert "status" in error.value.message_dict


def test_achievements_are_saved_per_measure(world):
    measures = list(world.action.measures.all())
    update = services.update_save(
        action=world.action,
        period=world.q3,
        actor=world.lead,
        standing=services.standing_for(world.lead, world.strategy.partnership),
        data=services.UpdateInput(
            status=Status.ON_TRACK, achievements={measures[0].pk: "12 fewer", measures[1].pk: ""}
        ),
        version=0,
        submit=False,
        today=TODAY,
    )
    assert list(update.achievements.values_list("measure_id", "text")) == [
        (measures[0].pk, "12 fewer")
    ]
    assert update.versions.get().snapshot["achievements"] == {str(measures[0].pk): "12 fewer"}


def test_a_measure_of_another_action_is_refused(world):
    other = make_action(world.action.priority)
    with pytest.raises(ValidationError):
        services.update_save(
            action=world.action,
            period=world.q3,
            actor=world.lead,
            standing=services.standing_for(world.lead, world.strategy.partnership),
            data=services.UpdateInput(
                status=Status.ON_TRACK, achievements={other.measures.first().pk: "x"}
            ),
            version=0,
            submit=False,
            today=TODAY,
        )


def test_a_chair_of_another_workstream_cannot_review(world, partnership):
    update = post(world, world.q3, world.lead)
    other_chair = make_member(Role.WORKSTREAM_CHAIR, partnership)
    with pytest.raises(PermissionDenied):
        approve(update, other_chair)


def test_nobody_reviews_their_own_update(world):
    update = post(world, world.q3, world.admin)
    with pytest.raises(ValidationError, match="someone else must review"):
        approve(update, world.admin)


def test_returning_needs_a_comment_and_the_lead_can_then_edit(world):
    update = post(world, world.q3, world.lead)
    standing = services.standing_for(world.chair, world.strategy.partnership)
    with pytest.raises(ValidationError):
        services.update_review(
            update=update,
            actor=world.chair,
            standing=standing,
            decision=services.Decision.RETURN,
            comment="",
            version=update.version,
        )
    update = services.update_review(
        update=update,
        actor=world.chair,
        standing=standing,
        decision=services.Decision.RETURN,
        comment="Add the numbers",
        version=update.version,
    )
    assert update.state == UpdateState.RETURNED
    again = post(world, world.q3, world.lead, version=update.version, commentary="Now with numbers")
    assert again.state == UpdateState.SUBMITTED


def test_an_approved_update_cannot_be_edited(world):
    update = approve(post(world, world.q3, world.lead), world.chair)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        post(world, world.q3, world.lead, version=update.version)


def test_a_retired_action_takes_no_updates(world):
    from django.utils import timezone

    world.action.retired_at = timezone.now()
    world.action.save()
    with pytest.raises(PermissionDenied, match="has been retired"):
        post(world, world.q3, world.lead)


def test_the_period_due_is_the_open_one_with_the_earliest_deadline(world, partnership):
    # 10 October: Q2 (July–September) is due by 14 October, Q3 has started.
    assert services.period_due(partnership, date(2025, 10, 10)) == world.q2
    assert services.period_due(partnership, date(2025, 10, 20)) == world.q3
