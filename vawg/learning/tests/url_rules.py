"""Who may see each learning URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from vawg.core.tests.sweep import Rule, holders

VIEW = holders("learning.view")
MANAGE = holders("learning.manage")

RULES: dict = {
    "learning:home": Rule(VIEW),
    "learning:course-list": Rule(VIEW),
    "learning:course-add": Rule(MANAGE),
    "learning:course-detail": Rule(VIEW),
    "learning:course-edit": Rule(MANAGE),
    "learning:session-add": Rule(MANAGE),
    "learning:session-detail": Rule(VIEW),
    "learning:attendance-add": Rule(MANAGE),
    "learning:attendance-import": Rule(MANAGE),
    "learning:attendance-remove": Rule(MANAGE),
    "learning:course-retire": Rule(MANAGE),
    "learning:course-restore": Rule(MANAGE, post_only=True),
    "learning:register-retire": Rule(MANAGE),
    "learning:register-restore": Rule(MANAGE, post_only=True),
    "learning:review-retire": Rule(MANAGE),
    "learning:review-restore": Rule(MANAGE, post_only=True),
    # Attendee references are for the people who keep the records.
    "learning:attendance-export": Rule(MANAGE),
    "learning:training-figures": Rule(VIEW),
    "learning:register-list": Rule(VIEW),
    "learning:register-add": Rule(MANAGE),
    "learning:register-detail": Rule(VIEW),
    "learning:register-edit": Rule(MANAGE),
    "learning:participant-add": Rule(MANAGE),
    "learning:participant-import": Rule(MANAGE),
    "learning:participant-edit": Rule(MANAGE),
    "learning:register-export": Rule(VIEW),
    "learning:review-list": Rule(VIEW),
    "learning:review-add": Rule(MANAGE),
    "learning:review-detail": Rule(VIEW),
    "learning:review-edit": Rule(MANAGE),
    "learning:recommendation-add": Rule(MANAGE),
    "learning:recommendation-import": Rule(MANAGE),
    "learning:recommendation-list": Rule(VIEW),
    "learning:recommendation-edit": Rule(MANAGE),
    "learning:recommendation-export": Rule(VIEW),
    "learning:themes": Rule(VIEW),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """One of each learning object in `partnership`, and the URL arguments that name them."""
    from vawg.learning.tests.factories import (
        make_attendance,
        make_initiative,
        make_participant,
        make_recommendation,
        make_review,
        make_session,
    )

    session = make_session(partnership)
    attendance = make_attendance(session)
    initiative = make_initiative(partnership)
    participant = make_participant(initiative)
    review = make_review(partnership)
    recommendation = make_recommendation(review)
    course = {"pk": session.course_id}
    return {
        "learning:course-detail": course,
        "learning:course-edit": course,
        "learning:course-retire": course,
        "learning:course-restore": course,
        "learning:session-add": course,
        "learning:session-detail": {"pk": session.pk},
        "learning:attendance-add": {"pk": session.pk},
        "learning:attendance-import": {"pk": session.pk},
        "learning:attendance-remove": {"pk": attendance.pk},
        "learning:attendance-export": {"fmt": "csv"},
        "learning:register-detail": {"pk": initiative.pk},
        "learning:register-edit": {"pk": initiative.pk},
        "learning:register-retire": {"pk": initiative.pk},
        "learning:register-restore": {"pk": initiative.pk},
        "learning:participant-add": {"pk": initiative.pk},
        "learning:participant-import": {"pk": initiative.pk},
        "learning:participant-edit": {"pk": participant.pk},
        "learning:register-export": {"pk": initiative.pk, "fmt": "csv"},
        "learning:review-detail": {"pk": review.pk},
        "learning:review-edit": {"pk": review.pk},
        "learning:review-retire": {"pk": review.pk},
        "learning:review-restore": {"pk": review.pk},
        "learning:recommendation-add": {"pk": review.pk},
        "learning:recommendation-import": {"pk": review.pk},
        "learning:recommendation-edit": {"pk": recommendation.pk},
        "learning:recommendation-export": {"fmt": "xlsx"},
    }
