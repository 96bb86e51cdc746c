"""The public support directory and its finder, and the admins' listings."""

from django.urls import path

from vawg.directory import views

app_name = "directory"

urlpatterns = [
    # Public: no partnership in the address, and nothing the visitor chose either.
    path("find-support/", views.finder, name="finder"),
    path("find-support/questions/", views.questions, name="questions"),
    path("find-support/browsing-privately/", views.covering_tracks, name="covering-tracks"),
    # Staff
    path("p/<slug:partnership>/directory/", views.listing_list, name="listing-list"),
    path("p/<slug:partnership>/directory/add/", views.listing_add, name="listing-add"),
    path(
        "p/<slug:partnership>/directory/export.<str:fmt>",
        views.listing_export,
        name="listing-export",
    ),
    path("p/<slug:partnership>/directory/<int:pk>/", views.listing_edit, name="listing-edit"),
    path(
        "p/<slug:partnership>/directory/<int:pk>/checked/",
        views.listing_reviewed,
        name="listing-reviewed",
    ),
    path(
        "p/<slug:partnership>/directory/<int:pk>/retire/",
        views.listing_retire,
        name="listing-retire",
    ),
    path(
        "p/<slug:partnership>/directory/<int:pk>/reinstate/",
        views.listing_reinstate,
        name="listing-reinstate",
    ),
]
