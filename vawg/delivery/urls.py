"""Quarterly progress on the action plan, its exceptions and the published plan."""

from django.urls import path

from vawg.delivery import views

app_name = "delivery"

P = "p/<slug:partnership>/delivery/"

urlpatterns = [
    path(f"{P}dashboard/", views.home, name="home"),
    path(f"{P}my-actions/", views.my_actions, name="my-actions"),
    path(
        f"{P}actions/<int:pk>/periods/<int:period>/update/",
        views.update_edit,
        name="update-edit",
    ),
    path(f"{P}updates/<int:pk>/", views.update_detail, name="update-detail"),
    path(f"{P}updates/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path(f"{P}evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path(f"{P}evidence/<int:pk>/remove/", views.evidence_remove, name="evidence-remove"),
    path(f"{P}reviews/", views.review_list, name="review-list"),
    path(f"{P}updates/<int:pk>/review/", views.update_review, name="update-review"),
    path(f"{P}unassigned/", views.unassigned, name="unassigned"),
    path(f"{P}periods/", views.periods, name="periods"),
    path(f"{P}periods/<int:pk>/", views.period_edit, name="period-edit"),
    path(f"{P}actions/<int:pk>/assign-lead/", views.assign_lead, name="assign-lead"),
    path(f"{P}<slug:strategy>/dashboard/", views.dashboard, name="dashboard"),
    path(
        f"{P}<slug:strategy>/dashboard/<slug:view>.<str:fmt>",
        views.dashboard_export,
        name="dashboard-export",
    ),
    path(f"{P}<slug:strategy>/changes/", views.changes, name="changes"),
    path(f"{P}<slug:strategy>/changes.<str:fmt>", views.changes_export, name="changes-export"),
    path(f"{P}import/", views.import_start, name="import-start"),
    path(f"{P}import/<int:pk>/", views.import_map, name="import-map"),
    # Public: the published action plan, for residents.
    path("plan/<slug:partnership>/", views.published_plan, name="published-plan"),
]
