"""The real URLconf plus two views that fail on purpose, to see a 409 and a 500 in the error shape."""

from django.urls import path
from rest_framework.views import APIView

from waymark.core.errors import Conflict
from waymark.urls import handler400, handler403, handler404, handler500
from waymark.urls import urlpatterns as real_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class Stale(APIView):
    def post(self, request):
        raise Conflict()


class Broken(APIView):
    def get(self, request):
        raise RuntimeError("a bug, with a secret in it: Dan Moss")


urlpatterns = [
    path("api/v1/test-stale/", Stale.as_view()),
    path("api/v1/test-broken/", Broken.as_view()),
    *real_urlpatterns,
]
