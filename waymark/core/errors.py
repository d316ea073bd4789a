"""API plumbing that DRF's settings import: one error shape, cursor pagination, throttles.

Kept free of imports of DRF's views (even `rest_framework.views` at module level), which
would import this module back through DRF's settings before it is defined."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, status, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings

ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
    500: "server_error",
}

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    """A stale save: someone else changed the record first."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else changed this record. Reload it and make your change again."
    default_code = "conflict"


def error_body(status_code: int, message: str, fields: dict[str, list[str]] | None = None, code: str = "") -> dict:
    """The one JSON error shape: {"error": {"code", "message", "fields"}}."""
    return {
        "error": {"code": code or ERROR_CODES.get(status_code, "error"), "message": message, "fields": fields or {}}
    }


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        # A nested serializer's errors: keep the inner field names in the text.
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        # Django's model validation names whole-record errors "__all__"; DRF calls them non_field_errors.
        return {(NON_FIELD if str(k) == "__all__" else str(k)): _messages(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return {NON_FIELD: _messages(detail)}
    return {NON_FIELD: [str(detail)]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Turn every API error, DRF's and Django's, into the one error shape.

    Anything else (a bug) returns None: Django logs it and its handler500
    (core.views.server_error) answers /api/ paths with the same shape.
    """
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        # Never echo the 404's own text: it might name what the caller may not know exists.
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "Check the fields named and try again."
        if list(fields) == [NON_FIELD]:
            message = " ".join(fields[NON_FIELD])
        response.data = error_body(response.status_code, message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", "") if response.status_code not in ERROR_CODES else ""
        response.data = error_body(response.status_code, str(detail), code=code)
    return response


class CursorPagination(pagination.CursorPagination):
    """Stable pages at any size; `?cursor=` links, `page_size` up to 200.

    Each viewset names its own `ordering`: an unchanging, nearly unique field
    first (a creation time), so the opaque cursor never carries an internal id.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_page_size(self, request: Any) -> int:
        # DRF quietly ignores a page size it cannot use; say so instead, so a caller
        # asking for 1,000 does not silently get 50 and think that is everything.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size or 50)
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = (
                    f"How many results a page (1 to {self.max_page_size}; default {self.page_size})."
                )
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = "The `next` or `previous` link's cursor, as given; an unknown one is a 404."
        return parameters


class _LiveRate:
    """Read the rate from the settings on each request, so a changed setting (or a test's
    override_settings) takes effect; DRF's own throttles read it once, at import."""

    def get_rate(self) -> Any:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]  # type: ignore[attr-defined]
        except KeyError:
            return None


class AnonRateThrottle(_LiveRate, throttling.AnonRateThrottle):
    """Requests without credentials, limited per address."""


class UserRateThrottle(_LiveRate, throttling.UserRateThrottle):
    """Requests of one signed-in user or token, limited per user."""


class ScopedRateThrottle(_LiveRate, throttling.ScopedRateThrottle):
    """Views that set `throttle_scope` get that scope's own limit."""
