from django.urls import path

from vawg.measures import views

app_name = "measures"

P = "p/<slug:partnership>/measures/"
urlpatterns = [
    path(P, views.scorecard, name="scorecard"),
    path(f"{P}scorecard.<str:fmt>", views.scorecard_export, name="scorecard-export"),
    path(f"{P}new/", views.indicator_edit, name="indicator-create"),
    path(f"{P}import/", views.values_import, name="values-import"),
    path(f"{P}import/template.<str:fmt>", views.import_template, name="import-template"),
    path(f"{P}<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path(f"{P}<int:pk>/chart.<str:fmt>", views.indicator_chart, name="indicator-chart"),
    path(f"{P}<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path(f"{P}<int:pk>/target/", views.target_set, name="target-set"),
    path(f"{P}<int:pk>/values/", views.value_enter, name="value-enter"),
]
