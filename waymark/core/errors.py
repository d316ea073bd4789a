"""API plumbing that DRF's settings import: one error shape and cursor pagination.

Kept free of viewset imports, which would import this module back through DRF's settings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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
}


class Conflict(exceptions.APIException):
    """A stale save: someone else changed the record first."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else changed this record. Reload it and make your change again."
    default_code = "conflict"


def error_body(status_code: int, message: str, fields: dict[str, list[str]] | None = None, code: str = "") -> dict:
    """The one JSON error shape: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code or ERROR_CODES.get(status_code, "error"), "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(k): [str(i) for i in (v if isinstance(v, list) else [v])] if not isinstance(v, dict) else [str(v)]
            for k, v in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(i) for i in detail]}
    return {}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Turn every API error, DRF's and Django's, into the one error shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "Check the fields named and try again."
        if list(fields) == ["non_field_errors"]:
            message = " ".join(fields["non_field_errors"])
        response.data = error_body(response.status_code, message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", "") if response.status_code not in ERROR_CODES else ""
        response.data = error_body(response.status_code, str(detail), code=code)
    return response


class CursorPagination(pagination.CursorPagination):
    """Stable pages at any size; `?cursor=` links, `page_size` up to 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
