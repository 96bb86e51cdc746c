from django.urls import path

from vawg.audit import views

app_name = "audit"

urlpatterns = [
    path("p/<slug:partnership>/audit/", views.event_list, name="event-list"),
]
