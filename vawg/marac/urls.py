"""Screening, the risk checklist, MARAC referrals, meetings and statistics."""

from django.urls import path

from vawg.marac import views

app_name = "marac"

P = "p/<slug:partnership>/marac/"

urlpatterns = [
    path(P, views.home, name="home"),
    path(f"{P}screen/", views.screening_new, name="screening-new"),
    path(f"{P}screen/<int:pk>/", views.screening_result, name="screening-result"),
    path(f"{P}checklist/", views.assessment_new, name="assessment-new"),
    path(f"{P}checklist/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path(f"{P}checklist/<int:pk>/refer/", views.referral_new, name="referral-new"),
    path(f"{P}referrals/", views.referral_list, name="referral-list"),
    path(f"{P}referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path(f"{P}cases/", views.case_list, name="case-list"),
    path(f"{P}cases/<int:pk>/", views.case_detail, name="case-detail"),
    path(f"{P}cases/<int:pk>/notes/", views.case_note, name="case-note"),
    path(f"{P}cases/<int:pk>/access/", views.case_seal, name="case-seal"),
    path(f"{P}cases/<int:pk>/research-pack/", views.case_attachment, name="case-attachment"),
    path(f"{P}files/<int:pk>/", views.attachment, name="attachment"),
    path(f"{P}meetings/", views.meeting_list, name="meeting-list"),
    path(f"{P}meetings/new/", views.meeting_new, name="meeting-new"),
    path(f"{P}meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path(f"{P}meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting-agenda"),
    path(f"{P}meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path(f"{P}meetings/<int:pk>/hold/", views.meeting_hold, name="meeting-hold"),
    path(f"{P}meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path(f"{P}meetings/<int:pk>/pack/", views.meeting_pack_page, name="meeting-pack-page"),
    path(f"{P}meetings/<int:pk>/pack/pack.pdf", views.meeting_pack, name="meeting-pack"),
    path(
        f"{P}meetings/<int:pk>/pack/named.pdf",
        views.meeting_pack_named,
        name="meeting-pack-named",
    ),
    path(f"{P}history/import/", views.history_import, name="history-import"),
    path(f"{P}agenda/<int:pk>/actions/new/", views.action_new, name="action-new"),
    path(f"{P}actions/", views.action_list, name="action-list"),
    path(f"{P}actions/<int:pk>/", views.action_complete, name="action-complete"),
    path(f"{P}access-review/", views.access_log, name="access-log"),
    path(f"{P}subject-access/", views.subject_access_search, name="subject-access"),
    path(
        f"{P}subject-access/<int:pk>/",
        views.subject_access_confirm,
        name="subject-access-confirm",
    ),
    path(f"{P}settings/", views.settings_edit, name="settings"),
    path(f"{P}settings/criteria/new/", views.criterion_new, name="criterion-new"),
    path(f"{P}statistics/", views.statistics, name="statistics"),
    path(
        f"{P}statistics/download.csv",
        views.statistics_download,
        {"fmt": "csv"},
        name="statistics-csv",
    ),
    path(
        f"{P}statistics/download.xlsx",
        views.statistics_download,
        {"fmt": "xlsx"},
        name="statistics-xlsx",
    ),
]
