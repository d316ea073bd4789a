"""Top-level URLs. Each app owns its own `urls.py` (pages) and `api.py` (routes)."""

from django.conf import settings
from django.urls import include, path

from waymark.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("switch-service/", core_views.switch_service, name="switch-service"),
    path("accounts/", include("waymark.access.urls_accounts")),
    path("manage/", include("waymark.access.urls")),
    path("audit/", include("waymark.audit.urls")),
    path("people/", include("waymark.people.urls")),
    path("", include("waymark.casework.urls")),
    path("", include("waymark.access.urls_record")),
    path("outreach/", include("waymark.outreach.urls")),
    path("", include("waymark.assessments.urls")),
    path("", include("waymark.needs.urls")),
    path("", include("waymark.support.urls")),
    path("api/v1/", include("waymark.api_urls")),
]
if settings.WAYMARK_BENCH_VIEWS:  # bare views for bench/access_overhead.py only; never in production
    urlpatterns.append(path("bench/", include("waymark.core.bench_views")))

handler400 = "waymark.core.views.bad_request"
handler403 = "waymark.core.views.permission_denied"
handler404 = "waymark.core.views.page_not_found"
handler500 = "waymark.core.views.server_error"
