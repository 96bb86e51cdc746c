from django.urls import path

from vawg.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.partnership_list, name="partnership-list"),
    path("p/<slug:partnership>/", views.partnership_home, name="partnership-home"),
    path("p/<slug:partnership>/theme.css", views.partnership_theme, name="partnership-theme"),
    path("r/<slug:region>/", views.region_home, name="region-home"),
    path(
        "r/<slug:region>/boroughs/<slug:partnership>/",
        views.region_borough,
        name="region-borough",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("leave/", views.leave, name="leave"),
    path("healthz/", views.healthz, name="healthz"),
]
