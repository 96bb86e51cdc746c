"""Anonymous feedback, surveys, engagement sessions and 'you said, we did'."""

from django.urls import path

from vawg.voice import views

app_name = "voice"

P = "p/<slug:partnership>/voice"
# Public paths say nothing about what the visitor chose, and take nothing they type.
PUBLIC = "have-your-say/<slug:partnership>"

urlpatterns = [
    path(f"{PUBLIC}/", views.feedback_form, name="feedback-form"),
    path(f"{PUBLIC}/survey/<slug:survey>/", views.survey_form, name="survey-form"),
    path(f"{PUBLIC}/you-said-we-did/", views.you_said_we_did, name="you-said-we-did"),
    path(f"{P}/", views.triage_list, name="triage-list"),
    path(f"{P}/feedback/<int:pk>/", views.feedback_detail, name="feedback-detail"),
    path(f"{P}/themes/", views.theme_list, name="theme-list"),
    path(f"{P}/themes/add/", views.theme_edit, name="theme-add"),
    path(f"{P}/themes/<int:pk>/", views.theme_edit, name="theme-edit"),
    path(f"{P}/sessions/", views.session_list, name="session-list"),
    path(f"{P}/sessions/add/", views.session_edit, name="session-add"),
    path(f"{P}/sessions/<int:pk>/", views.session_edit, name="session-edit"),
    path(f"{P}/safeguarding-route/", views.safeguarding_route, name="safeguarding-route"),
    path(f"{P}/surveys/", views.survey_list, name="survey-list"),
    path(f"{P}/surveys/start/", views.survey_start, name="survey-start"),
    path(f"{P}/surveys/<int:pk>/", views.survey_results, name="survey-results"),
    path(f"{P}/surveys/<int:pk>/open-close/", views.survey_toggle, name="survey-toggle"),
]
