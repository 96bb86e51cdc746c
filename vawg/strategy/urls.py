from django.urls import path

from vawg.strategy import editing_views, views

app_name = "strategy"
PLAN = "p/<slug:partnership>/strategy/<slug:strategy>/"

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
    # Editing the plan, and the annual rollover (admins).
    path(f"{PLAN}edit/", editing_views.plan_edit, name="plan-edit"),
    path(f"{PLAN}edit/<str:kind>/add/", editing_views.plan_item_add, name="plan-item-add"),
    path(f"{PLAN}edit/<str:kind>/<int:pk>/", editing_views.plan_item_edit, name="plan-item-edit"),
    path(
        f"{PLAN}edit/<str:kind>/<int:pk>/move/",
        editing_views.plan_item_move,
        name="plan-item-move",
    ),
    path(
        f"{PLAN}edit/<str:kind>/<int:pk>/retire/",
        editing_views.plan_item_retire,
        name="plan-item-retire",
    ),
    path(f"{PLAN}history/", editing_views.plan_history, name="plan-history"),
    path(f"{PLAN}rollover/", editing_views.rollover, name="rollover"),
]
