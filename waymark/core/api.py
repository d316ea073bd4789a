"""The API's building blocks: the base viewset, permissions, id fields and the schema of errors.

Every API queryset starts from `visible(user)`; every write goes through a
service function, which checks permission and audits. Viewsets only translate
between JSON and those functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

from django import forms
from django.db import models
from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.access import rules

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


# --- the error shape, for the schema -------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    """What went wrong: a stable code, a sentence for people, and messages per field."""

    code = serializers.CharField(help_text="Stable, machine-readable, e.g. `not_found` or `invalid`.")
    message = serializers.CharField(help_text="What went wrong and what to do, in plain English.")
    fields = serializers.DictField(  # type: ignore[assignment]  # the error's own field, named by the shape
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per request field; `non_field_errors` for the request as a whole. Empty if none.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error response, whatever its status: {"error": {"code", "message", "fields"}}."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "The request is not valid; `fields` says which parts and why.",
    "401": "No credentials, or they are not valid, expired or revoked.",
    "403": "Signed in, but not allowed to do this.",
    "404": "There is nothing here that you may see.",
    "415": "Send the body as application/json.",
    "429": "Too many requests; wait for the number of seconds in Retry-After.",
    "500": "Something went wrong on our side.",
}
ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "How to authenticate: `Token`."}},
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}


class WaymarkAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error responses every operation can give."""

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429", "500"]
        has_body = self.method in ("POST", "PUT", "PATCH")
        is_list = getattr(self.view, "action", None) == "list"
        if has_body or is_list:
            codes.append("400")
        # Detail routes 404 for records out of sight; lists 404 for a cursor that is not ours.
        if "{" in self.path or is_list:
            codes.append("404")
        if has_body:
            codes.append("415")
        return sorted(codes)

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        # Our lookups are public UUIDs; say so, rather than only giving the URL's regex.
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == f"^{UUID_PATTERN}$":
                parameter["schema"] = {"type": "string", "format": "uuid"}
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), code, direction=direction
            )
            if code in ERROR_HEADERS:
                response["headers"] = {**ERROR_HEADERS[code], **response.get("headers", {})}
            responses[code] = response
        return responses


# --- strict JSON types ------------------------------------------------------------------
# DRF turns 12 into "12" and "yes" into True. An API that guesses hides a client's bug,
# so a value of the wrong JSON type is a 400 naming the field.


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        whole = isinstance(data, int) or (isinstance(data, float) and data.is_integer())
        if isinstance(data, bool) or not whole:
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanSerializerField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with strict JSON types for the fields it builds from the model."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanSerializerField,
    }


# --- ids -----------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.UUID)
class PublicIdField(serializers.RelatedField):
    """A related record by its public id (a UUID), chosen only from what the caller may see.

    An id outside `visible(user)` reads as "not found", exactly as a made-up one.
    """

    default_error_messages = {
        "required": "This field is required.",
        "invalid": "Give an id in the form of a UUID.",
        "does_not_exist": "No record with this id is available to you.",
    }

    def __init__(self, visible: Callable[[Any], QuerySet] | None = None, **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        assert self.visible is not None, "PublicIdField needs `visible` unless read-only"
        return self.visible(self.context["request"].user)

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, (str, UUID)):
            self.fail("invalid")
        try:
            public_id = UUID(str(data))
        except ValueError:
            self.fail("invalid")
        obj = self.get_queryset().filter(public_id=public_id).first()
        if obj is None:
            self.fail("does_not_exist")
        return obj

    def to_representation(self, value: Any) -> str:
        return str(value.public_id)


# --- filters -----------------------------------------------------------------------


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class BooleanFilter(filters.BooleanFilter):
    """django-filter's BooleanFilter, but `?is_active=perhaps` is a 400, not silently ignored."""

    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # django-filter's BooleanWidget turns anything it does not know into "no filter".
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class FilterSet(filters.FilterSet):
    """A FilterSet that refuses a parameter given empty (`?organisation=`) unless it is free text.

    django-filter reads an empty value as "no filter"; a client that meant to
    filter and sent nothing by mistake would get everything back and not know.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, filters.CharFilter) and not isinstance(filter_, filters.ChoiceFilter):
                continue
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, "Give a value, or leave this parameter out.")
                valid = False
        return valid


# --- permissions ---------------------------------------------------------------------


class AreaAdminWrites(permissions.BasePermission):
    """Anyone signed in reads what `visible` gives them; only area admins write.

    The service functions check again (they are the rule); asking here first
    means a viewer gets 403 before any validation can tell them about the data.
    """

    message = "Only an area admin can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return rules.context_for(request.user).is_area_admin


class ManagersWrite(permissions.BasePermission):
    """Area admins, and service managers (whose service the service function then checks)."""

    message = "Only a service manager or an area admin can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        ctx = rules.context_for(request.user)
        return ctx.is_area_admin or bool(ctx.manager_service_ids)


# --- viewsets ------------------------------------------------------------------------


class VisibleModelViewSet(viewsets.GenericViewSet):
    """Base viewset: `get_queryset()` is `visible(user)` and nothing else.

    Subclasses set `visible`, a function of the user returning the queryset
    they may see; a record outside it is a 404, never a 403, so its existence
    is not revealed. Lookups are by public id; integer keys never leave the server.
    `ordering` is the stable order the cursor pages by.
    """

    visible: ClassVar[Callable[..., QuerySet] | None] = None
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    ordering: tuple[str, ...] = ("-created_at", "-id")
    permission_classes = [permissions.IsAuthenticated, AreaAdminWrites]

    def get_queryset(self) -> QuerySet:
        visible = type(self).visible
        assert visible is not None, f"{type(self).__name__} must set `visible`"
        return visible(self.request.user)

    def respond_with(self, obj: Model, status_code: int = status.HTTP_200_OK) -> Response:
        """The record as the caller now sees it, read back through `visible`."""
        fresh = self.get_queryset().filter(pk=obj.pk).first() or obj
        return Response(self.get_serializer(fresh).data, status=status_code)


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """List and retrieve what `visible(user)` gives."""


class CreateWithService:
    """`create` through `self.save(data)`, a service function that checks, saves and audits."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        return self.respond_with(self.save(serializer.validated_data), status.HTTP_201_CREATED)  # type: ignore[attr-defined]


class UpdateWithService:
    """`update` and `partial_update` through `self.save(data, instance)`.

    The serializer only parses and checks types; the service function checks
    permission, validates the record, saves and audits in one transaction.
    """

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        serializer = self.get_serializer(  # type: ignore[attr-defined]
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        return self.respond_with(self.save(serializer.validated_data, instance))  # type: ignore[attr-defined]

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)
