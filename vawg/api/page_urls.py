"""The staff pages for partner API tokens, under the partnership. Their namespace is
"api-tokens": "api" is the API's own (vawg.api.urls)."""

from django.urls import path

from vawg.api import views

app_name = "api-tokens"

urlpatterns = [
    path("p/<slug:partnership>/api-tokens/", views.token_list, name="token-list"),
    path("p/<slug:partnership>/api-tokens/add/", views.token_add, name="token-add"),
    path(
        "p/<slug:partnership>/api-tokens/<int:pk>/revoke/",
        views.token_revoke_view,
        name="token-revoke",
    ),
]
