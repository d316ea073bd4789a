"""The REST API at /api/v1/: one router, each app registering its viewsets."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from waymark.access.api import register as register_access
from waymark.people.api import register as register_people

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for register in (register_access, register_people):
    register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
