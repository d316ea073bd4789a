"""The base viewset: every API queryset starts from `visible_to(user)`."""

from __future__ import annotations

from typing import Any, Callable

from django.db.models import QuerySet
from rest_framework import viewsets


class VisibleModelViewSet(viewsets.GenericViewSet):
    """Base viewset: `get_queryset()` is `visible(user)` and nothing else.

    Subclasses set `visible`, a function of the user returning the queryset
    they may see; a record outside it is a 404, never a 403, so its existence
    is not revealed.
    """

    visible: Callable[[Any], QuerySet] | None = None
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet:
        visible = type(self).visible
        assert visible is not None, f"{type(self).__name__} must set `visible`"
        return visible(self.request.user)
