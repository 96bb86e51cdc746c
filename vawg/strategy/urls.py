from django.urls import path

from vawg.strategy import views

app_name = "strategy"

urlpatterns = [
    path("p/<slug:partnership>/strategy/", views.strategy_list, name="strategy-list"),
    path(
        "p/<slug:partnership>/strategy/<slug:strategy>/",
        views.strategy_detail,
        name="strategy-detail",
    ),
    path(
        "p/<slug:partnership>/strategy/<slug:strategy>/export.<str:fmt>",
        views.export,
        name="export",
    ),
    path("p/<slug:partnership>/actions/", views.action_search, name="action-search"),
    path("p/<slug:partnership>/actions/<int:pk>/", views.action_detail, name="action-detail"),
    path("p/<slug:partnership>/quirks/", views.quirk_list, name="quirk-list"),
    path("p/<slug:partnership>/quirks/<int:pk>/", views.quirk_resolve, name="quirk-resolve"),
]
