"""REST API: compliance scores, `GET /api/v1/compliance/`.

Read-only. Service managers see their services' scores and area admins the
area's; anyone else gets 403. The fix-it list comes with a score when the
request names one service and one month, checked again against the access model.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.core.api import FilterSet, VisibleModelViewSet
from waymark.outreach import compliance
from waymark.outreach.models import ComplianceScore

MONTH_SCHEMA = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-03"}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month as YYYY-MM."""

    def to_representation(self, value: Any) -> str:
        return f"{value:%Y-%m}"


@extend_schema_field(
    {
        "type": "string",
        "enum": [compliance.PERSON, compliance.CONTACT],
        "description": "`person`: a person the service registered; `contact`: a street contact it recorded.",
    }
)
class RecordKindField(serializers.ChoiceField):
    """Which kind of record: named `record_type` everywhere here, so the schema has one enum for it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[compliance.PERSON, compliance.CONTACT], **kwargs)


class FieldTotalSerializer(serializers.Serializer):
    """How often one essential field was missing in the month's records."""

    record_type = RecordKindField(source="kind")
    field = serializers.CharField(  # type: ignore[assignment]  # the API's word for it
        source="name", help_text="The field's name, as chosen for the area."
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field of the response, not the label
    missing = serializers.IntegerField(help_text="Records missing it.")
    checked = serializers.IntegerField(help_text="Records checked for it.")


class FixEntrySerializer(serializers.Serializer):
    """A record that misses something: a person the service registered, or a street contact it recorded."""

    record_type = RecordKindField(source="kind")
    person = serializers.UUIDField(
        source="person_id", allow_null=True, help_text="The person's id (null: not yet identified, or withheld)."
    )
    reference = serializers.CharField(help_text="The person's reference; empty when withheld or not identified.")
    contact = serializers.UUIDField(source="contact_id", allow_null=True, help_text="The street contact's id.")
    seen_on = serializers.DateField(allow_null=True, help_text="For a contact: the day it happened (UK).")
    fields = serializers.ListField(  # type: ignore[assignment]  # the entry's own field, as in the error shape
        child=serializers.CharField(), help_text="The essential fields it is missing."
    )
    withheld = serializers.BooleanField(
        help_text="You may not open this record now (e.g. a hidden person your service no longer works with); "
        "its ids are left out."
    )


class ComplianceScoreSerializer(serializers.ModelSerializer):
    """One service's compliance score for one month: the percentage of essential fields present."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    service = serializers.UUIDField(source="service.public_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    month = MonthField(read_only=True)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True, help_text="0.0 to 100.0."
    )
    people = serializers.SerializerMethodField(help_text="People the service registered in the month.")
    contacts = serializers.SerializerMethodField(help_text="Street contacts the service recorded in the month.")
    incomplete = serializers.SerializerMethodField(help_text="Records missing at least one essential field.")
    by_field = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(
        help_text="The records missing something (at most 500). Only when the request names `service` and `month`."
    )
    more = serializers.SerializerMethodField(help_text="Records missing something that the list leaves off.")

    class Meta:
        model = ComplianceScore
        fields = [
            "id",
            "service",
            "service_name",
            "month",
            "score",
            "records",
            "people",
            "contacts",
            "incomplete",
            "fields_checked",
            "fields_missing",
            "by_field",
            "missing",
            "more",
            "computed_at",
        ]
        read_only_fields = fields

    def _summary(self, score: ComplianceScore) -> compliance.Summary:
        cache = self.context.setdefault("summaries", {})
        if score.pk not in cache:
            cache[score.pk] = compliance.summary_of(score)
        return cache[score.pk]

    def get_people(self, score: ComplianceScore) -> int:
        return self._summary(score).people

    def get_contacts(self, score: ComplianceScore) -> int:
        return self._summary(score).contacts

    def get_incomplete(self, score: ComplianceScore) -> int:
        summary = self._summary(score)
        return summary.incomplete_people + summary.incomplete_contacts

    @extend_schema_field(FieldTotalSerializer(many=True))
    def get_by_field(self, score: ComplianceScore) -> Any:
        return FieldTotalSerializer(self._summary(score).fields, many=True).data

    @extend_schema_field(FixEntrySerializer(many=True, allow_null=True))
    def get_missing(self, score: ComplianceScore) -> Any:
        entries = self.context.get("entries", {}).get(score.pk)
        return None if entries is None else FixEntrySerializer(entries, many=True).data

    def get_more(self, score: ComplianceScore) -> int:
        return self._summary(score).more


def _service(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    return queryset.filter(service__public_id=value)


def _month(queryset: QuerySet, name: str, value: str) -> QuerySet:
    try:
        month = compliance.parse_month(value)
    except ValidationError as exc:
        raise exceptions.ValidationError({"month": exc.messages}) from None
    return queryset.filter(month=month)


class ComplianceFilter(FilterSet):
    service = filters.UUIDFilter(method=_service, help_text="One of your services (its id).")
    month = filters.CharFilter(method=_month, help_text="The month, as YYYY-MM.")

    class Meta:
        model = ComplianceScore
        fields: list[str] = []


class CanSeeCompliance(permissions.BasePermission):
    message = "Only service managers and area admins can see compliance scores."

    def has_permission(self, request: Request, view: Any) -> bool:
        return compliance.can_see_compliance(request.user)


@extend_schema(tags=["outreach"])
class ComplianceViewSet(mixins.ListModelMixin, VisibleModelViewSet):
    """Monthly compliance (data-quality) scores of the services you manage (area admins: the area's)."""

    visible = compliance.scores_visible_to
    serializer_class = ComplianceScoreSerializer
    filterset_class = ComplianceFilter
    permission_classes = [permissions.IsAuthenticated, CanSeeCompliance]
    ordering = ("-month", "-created_at")

    @extend_schema(
        summary="Compliance scores, newest month first",
        description="The percentage of essential fields present in the records each service entered in a month "
        "(people registered, street contacts recorded). Service managers see their services, area admins the "
        "area's; anyone else gets 403. A `service` that is not one of yours is a 404. With both `service` and "
        "`month`, the score carries `missing`: the records missing something and what.",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = request.query_params.get("service")
        if service:
            # Not one of yours: 404. Not a UUID at all: the filter's 400 says so.
            with contextlib.suppress(ValidationError, ValueError):
                compliance.service_for(request.user, service)
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["entries"] = getattr(self, "_entries", {})
        return context

    def paginate_queryset(self, queryset: QuerySet) -> Any:
        page = super().paginate_queryset(queryset)
        params = self.request.query_params
        if page is not None and params.get("service") and params.get("month"):
            # One service and one month: at most one score, so its list is checked once.
            self._entries = {
                score.pk: compliance.entries_for(self.request.user, compliance.fix_list(score)) for score in page
            }
        return page


def register(router: Any) -> None:
    """Add this part's viewsets to the API router."""
    router.register("compliance", ComplianceViewSet, basename="compliance")


urlpatterns: list = []
