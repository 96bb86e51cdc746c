from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "VAWG Partnership Platform – operators"
admin.site.site_title = "Platform operators"

urlpatterns = [
    path("", include("vawg.core.urls")),
    path("", include("vawg.accounts.urls")),
    path("", include("vawg.audit.urls")),
    path("", include("vawg.strategy.urls")),
    path("", include("vawg.delivery.urls")),
    path("", include("vawg.measures.urls")),
    path("", include("vawg.insight.urls")),
    path("", include("vawg.marac.urls")),
    path("", include("vawg.directory.urls")),
    path("", include("vawg.voice.urls")),
    path("", include("vawg.learning.urls")),
    path("", include("vawg.reports.urls")),
    path("", include("vawg.api.page_urls")),
    path("api/v1/", include("vawg.api.urls")),
    path("operators/", admin.site.urls),
]

handler400 = "vawg.core.views.bad_request"
handler403 = "vawg.core.views.permission_denied"
handler404 = "vawg.core.views.page_not_found"
handler500 = "vawg.core.views.server_error"
