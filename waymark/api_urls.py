"""The REST API at /api/v1/: one router, each app registering its viewsets."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from waymark.access.api import MeView
from waymark.access.api import register as register_access
from waymark.access.api_record import register as register_record
from waymark.assessments.api import register as register_assessments
from waymark.casework import api_appointments, api_caseload, api_consent
from waymark.casework.api import register as register_casework
from waymark.needs.api import register as register_needs
from waymark.outreach import api as outreach_api
from waymark.people.api import register as register_people
from waymark.support.api import register as register_support


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files: no CDN, and no inline script or style (our CSP)."""

    template_name = "api/docs.html"


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
for register in (
    register_access,
    register_people,
    register_casework,
    register_record,
    outreach_api.register,
    register_assessments,
    register_needs,
    register_support,
    api_consent.register,
    api_appointments.register,
    api_caseload.register,
):
    register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", MeView.as_view(), name="api-me"),
    *outreach_api.urlpatterns,
    *router.urls,
]
