"""Partner data imports and the VAWG dashboard."""

from django.urls import path

from vawg.insight import views

app_name = "insight"

urlpatterns = [
    path("p/<slug:partnership>/insight/", views.dashboard_view, name="dashboard"),
    path(
        "p/<slug:partnership>/insight/download/<slug:chart>.csv",
        views.dashboard_csv,
        name="dashboard-csv",
    ),
    path("p/<slug:partnership>/insight/imports/", views.import_list, name="import-list"),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/",
        views.import_detail,
        name="import-detail",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/columns/",
        views.import_mapping,
        name="import-mapping",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/values/",
        views.import_values,
        name="import-values",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/import/",
        views.import_run,
        name="import-run",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/retry/",
        views.import_retry,
        name="import-retry",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/discard/",
        views.import_discard,
        name="import-discard",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/encoding/",
        views.import_encoding,
        name="import-encoding",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/set-aside.csv",
        views.import_set_aside,
        name="import-set-aside",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/erase/",
        views.import_erase,
        name="import-erase",
    ),
    path(
        "p/<slug:partnership>/insight/imports/<int:pk>/report.csv",
        views.import_report,
        name="import-report",
    ),
    path("p/<slug:partnership>/insight/population/", views.population, name="population"),
    path("r/<slug:region>/insight/", views.region_dashboard, name="region-dashboard"),
]
