from django.urls import path

from vawg.reports import views

app_name = "reports"
REPORTS = "p/<slug:partnership>/reports/"
RETURNS = "r/<slug:region>/returns/"

urlpatterns = [
    path(REPORTS, views.report_list, name="list"),
    path(f"{REPORTS}make/", views.report_make, name="make"),
    path(f"{REPORTS}<int:pk>/", views.report_detail, name="detail"),
    path(f"{REPORTS}<int:pk>/download/", views.report_download, name="download"),
    path(f"{REPORTS}<int:pk>/remake/", views.report_remake, name="remake"),
    # The governance bodies' meeting dates, which the board pack and "what changed" start from.
    path(f"{REPORTS}meetings/", views.meeting_list, name="meetings"),
    path(f"{REPORTS}meetings/dates/", views.meeting_dates, name="meeting-dates"),
    path(f"{REPORTS}meetings/<int:pk>/", views.meeting_edit, name="meeting-edit"),
    path(f"{REPORTS}meetings/<int:pk>/delete/", views.meeting_delete, name="meeting-delete"),
    # The regional officer's returns: each borough's, and the region's combined workbook.
    path(RETURNS, views.region_returns, name="region-returns"),
    path(f"{RETURNS}make/", views.region_return_make, name="region-make"),
    path(f"{RETURNS}<int:pk>/", views.region_return_detail, name="region-detail"),
    path(f"{RETURNS}<int:pk>/download/", views.region_return_download, name="region-download"),
    path(f"{RETURNS}<int:pk>/remake/", views.region_return_remake, name="region-remake"),
]
