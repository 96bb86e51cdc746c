"""Who may see each voice URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from vawg.core.tests.sweep import PUBLIC, Rule, holders

MANAGE = holders("voice.manage")

RULES: dict = {
    "voice:feedback-form": Rule(PUBLIC, ok=frozenset({200})),
    "voice:survey-form": Rule(PUBLIC, ok=frozenset({200})),
    "voice:you-said-we-did": Rule(PUBLIC, ok=frozenset({200})),
    "voice:triage-list": Rule(MANAGE),
    "voice:feedback-detail": Rule(MANAGE),
    "voice:theme-list": Rule(MANAGE),
    "voice:theme-add": Rule(MANAGE),
    "voice:theme-edit": Rule(MANAGE),
    "voice:session-list": Rule(MANAGE),
    "voice:session-add": Rule(MANAGE),
    "voice:session-edit": Rule(MANAGE),
    "voice:safeguarding-route": Rule(MANAGE),
    "voice:survey-list": Rule(MANAGE),
    "voice:survey-start": Rule(MANAGE, post_only=True),
    "voice:survey-results": Rule(MANAGE),
    "voice:survey-toggle": Rule(MANAGE, post_only=True),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    from vawg.voice.tests.factories import make_feedback, make_session, make_survey, make_theme

    survey = make_survey(partnership)
    feedback = {"pk": make_feedback(partnership).pk}
    return {
        "voice:feedback-form": {},
        "voice:survey-form": {"survey": survey.slug},
        "voice:feedback-detail": feedback,
        "voice:theme-edit": {"pk": make_theme(partnership).pk},
        "voice:session-edit": {"pk": make_session(partnership).pk},
        "voice:survey-results": {"pk": survey.pk},
        "voice:survey-toggle": {"pk": survey.pk},
    }
