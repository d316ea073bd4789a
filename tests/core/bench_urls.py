"""The site's URLs plus the benchmark's bare views, which production never mounts."""

from django.urls import include, path

from waymark.urls import handler400, handler403, handler404, handler500  # noqa: F401
from waymark.urls import urlpatterns as site

urlpatterns = [*site, path("bench/", include("waymark.core.bench_views"))]
